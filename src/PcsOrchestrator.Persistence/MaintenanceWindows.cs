using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>Maintenance windows and the membership of their clusters.</summary>
public sealed partial class MaintenanceStore
{
    /// <summary>At most this many clusters per window (one transaction puts each membership and deletes each dropped one).</summary>
    public const int MaxClustersPerWindow = 40;

    public const int MaxWindowNameLength = 64;

    private const int MaxAttempts = 10;

    /// <summary>
    /// Creates or changes a window and, in the same transaction, the membership of its clusters: a membership put for
    /// each cluster (refused if the cluster belongs to another window) and a membership delete for each cluster the
    /// previous version had and this one drops. <paramref name="expectedVersion"/>: null creates or overwrites
    /// whatever version is there; 0 requires that the window does not exist; n requires version n. The stored
    /// version is the previous one plus one (1 for a new window).
    /// </summary>
    /// <exception cref="ArgumentException">An invalid name (1 to 64 of <c>0-9 a-z A-Z - _ .</c>), more than
    /// <see cref="MaxClustersPerWindow"/> clusters, an empty or repeated cluster, or an empty definition.</exception>
    /// <exception cref="WindowVersionConflictException">The window is not at <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ClusterInAnotherWindowException">A cluster belongs to another window. Nothing was written.</exception>
    public async Task<WindowRecord> PutWindowAsync(string name, string definitionJson, IReadOnlyList<string> clusters, long? expectedVersion, string? updatedBy, CancellationToken cancellationToken)
    {
        ValidateWindowName(name);
        ArgumentException.ThrowIfNullOrEmpty(definitionJson);
        ArgumentNullException.ThrowIfNull(clusters);
        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "the expected version is 0 (absent) or a stored version");
        }

        if (clusters.Count > MaxClustersPerWindow)
        {
            throw new ArgumentException($"window '{name}' lists {clusters.Count} clusters; at most {MaxClustersPerWindow} are allowed", nameof(clusters));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < clusters.Count; i++)
        {
            if (string.IsNullOrEmpty(clusters[i]))
            {
                throw new ArgumentException($"cluster {i} of window '{name}' is empty", nameof(clusters));
            }

            if (!seen.Add(clusters[i]))
            {
                throw new ArgumentException($"window '{name}' lists cluster {clusters[i]} twice", nameof(clusters));
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = await GetWindowAsync(name, cancellationToken);
            if (expectedVersion is { } expected && (current?.Version ?? 0) != expected)
            {
                throw new WindowVersionConflictException(name, expected, current?.Version);
            }

            var stored = new WindowRecord(name, definitionJson, [.. clusters], (current?.Version ?? 0) + 1, time.GetUtcNow(), updatedBy);
            var dropped = (current?.Clusters ?? []).Where(c => !seen.Contains(c)).ToList();
            var items = new List<TransactWriteItem> { new() { Put = WindowPut(stored, current?.Version) } };
            items.AddRange(clusters.Select(c => new TransactWriteItem { Put = MembershipPut(c, name) }));
            items.AddRange(dropped.Select(c => new TransactWriteItem { Delete = MembershipDelete(c, name) }));
            try
            {
                await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }, cancellationToken);
                return stored;
            }
            catch (TransactionCanceledException ex)
            {
                var reasons = ex.CancellationReasons;
                if (Refused(reasons, 0) && expectedVersion.HasValue)
                {
                    throw new WindowVersionConflictException(name, expectedVersion.Value, FoundItem(reasons, 0) is { } found ? ParseN(found["version"]) : null, ex);
                }

                for (var i = 0; i < clusters.Count && !Refused(reasons, 0); i++)
                {
                    if (Refused(reasons, 1 + i))
                    {
                        var other = FoundItem(reasons, 1 + i)?.GetValueOrDefault("window")?.S ?? await WindowOfClusterAsync(clusters[i], cancellationToken);
                        if (other is not null && other != name)
                        {
                            throw new ClusterInAnotherWindowException(clusters[i], other, name, ex);
                        }
                    }
                }

                for (var i = 0; i < dropped.Count && !Refused(reasons, 0); i++)
                {
                    if (Refused(reasons, 1 + clusters.Count + i))
                    {
                        throw new InvalidOperationException($"the membership of cluster {dropped[i]} names another window than '{name}', which lists it: the maintenance table is inconsistent", ex);
                    }
                }

                // The window changed since it was read (no version was expected), or a concurrent transaction touched
                // one of the items: read again and retry.
                if (attempt + 1 >= MaxAttempts)
                {
                    throw;
                }
            }

            await BackOffAsync(attempt, cancellationToken);
        }
    }

    public async Task<WindowRecord?> GetWindowAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var item = await GetAsync(WindowsPartition, WindowPrefix + name, cancellationToken);
        return item is null ? null : ParseWindow(item);
    }

    /// <summary>Every window, ordered by name (ordinal).</summary>
    public async Task<IReadOnlyList<WindowRecord>> ListWindowsAsync(CancellationToken cancellationToken)
    {
        var items = await QueryAsync(WindowsPartition, WindowPrefix, null, null, null, cancellationToken);
        return [.. items.Select(ParseWindow).OrderBy(w => w.Name, StringComparer.Ordinal)];
    }

    /// <summary>The name of the window the cluster belongs to, or null.</summary>
    public async Task<string?> WindowOfClusterAsync(string cluster, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        var item = await GetAsync(ClusterPartition(cluster), MembershipSortKey, cancellationToken);
        return item?.GetValueOrDefault("window")?.S;
    }

    /// <summary>
    /// Deletes the window and its clusters' memberships in one transaction. False when the window does not exist.
    /// With <paramref name="expectedVersion"/>, only that version is deleted. Queued changes are not touched.
    /// </summary>
    /// <exception cref="WindowVersionConflictException">The window exists at another version than expected.</exception>
    public async Task<bool> DeleteWindowAsync(string name, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetWindowAsync(name, cancellationToken);
            if (current is null)
            {
                return false;
            }

            if (expectedVersion is { } expected && current.Version != expected)
            {
                throw new WindowVersionConflictException(name, expected, current.Version);
            }

            var items = new List<TransactWriteItem>
            {
                new()
                {
                    Delete = new Delete
                    {
                        TableName = tableName,
                        Key = Key(WindowsPartition, WindowPrefix + name),
                        ConditionExpression = "#version = :version",
                        ExpressionAttributeNames = new() { ["#version"] = "version" },
                        ExpressionAttributeValues = new() { [":version"] = N(current.Version) },
                        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                    },
                },
            };
            items.AddRange(current.Clusters.Select(c => new TransactWriteItem { Delete = MembershipDelete(c, name) }));
            try
            {
                await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }, cancellationToken);
                return true;
            }
            catch (TransactionCanceledException ex)
            {
                var reasons = ex.CancellationReasons;
                if (Refused(reasons, 0) && expectedVersion.HasValue)
                {
                    throw new WindowVersionConflictException(name, expectedVersion.Value, FoundItem(reasons, 0) is { } found ? ParseN(found["version"]) : null, ex);
                }

                for (var i = 0; i < current.Clusters.Count && !Refused(reasons, 0); i++)
                {
                    if (Refused(reasons, 1 + i))
                    {
                        throw new InvalidOperationException($"the membership of cluster {current.Clusters[i]} names another window than '{name}', which lists it: the maintenance table is inconsistent", ex);
                    }
                }

                if (attempt + 1 >= MaxAttempts)
                {
                    throw;
                }
            }

            await BackOffAsync(attempt, cancellationToken);
        }
    }

    private static void ValidateWindowName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxWindowNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"window name '{name}' must be 1 to {MaxWindowNameLength} characters of 0-9, a-z, A-Z, '-', '_' and '.'", nameof(name));
        }
    }

    /// <summary>The window item, conditional on the version that was read (absent when <paramref name="readVersion"/> is null).</summary>
    private Put WindowPut(WindowRecord window, long? readVersion)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [TableDefinitions.PartitionKey] = S(WindowsPartition),
            [TableDefinitions.SortKey] = S(WindowPrefix + window.Name),
            ["name"] = S(window.Name),
            ["definition"] = S(window.Definition),
            ["clusters"] = new AttributeValue { L = [.. window.Clusters.Select(S)] },
            ["version"] = N(window.Version),
            ["updatedAt"] = S(Iso(window.UpdatedAt)),
        };
        Optional(item, "updatedBy", window.UpdatedBy);
        return new Put
        {
            TableName = tableName,
            Item = item,
            ConditionExpression = readVersion is null ? "attribute_not_exists(pk)" : "#version = :version",
            ExpressionAttributeNames = readVersion is null ? null : new() { ["#version"] = "version" },
            ExpressionAttributeValues = readVersion is { } v ? new() { [":version"] = N(v) } : null,
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    private Put MembershipPut(string cluster, string window) => new()
    {
        TableName = tableName,
        Item = new()
        {
            [TableDefinitions.PartitionKey] = S(ClusterPartition(cluster)),
            [TableDefinitions.SortKey] = S(MembershipSortKey),
            ["window"] = S(window),
            ["cluster"] = S(cluster),
        },
        ConditionExpression = "attribute_not_exists(pk) OR #window = :window",
        ExpressionAttributeNames = new() { ["#window"] = "window" },
        ExpressionAttributeValues = new() { [":window"] = S(window) },
        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
    };

    /// <summary>Deletes a membership that is this window's; one already absent is no obstacle (nothing to delete).</summary>
    private Delete MembershipDelete(string cluster, string window) => new()
    {
        TableName = tableName,
        Key = Key(ClusterPartition(cluster), MembershipSortKey),
        ConditionExpression = "attribute_not_exists(pk) OR #window = :window",
        ExpressionAttributeNames = new() { ["#window"] = "window" },
        ExpressionAttributeValues = new() { [":window"] = S(window) },
        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
    };

    private static WindowRecord ParseWindow(Dictionary<string, AttributeValue> item) => new(
        item["name"].S,
        item["definition"].S,
        [.. (item.GetValueOrDefault("clusters")?.L ?? []).Select(c => c.S)],
        ParseN(item["version"]),
        ParseIso(item["updatedAt"].S),
        item.GetValueOrDefault("updatedBy")?.S);
}
