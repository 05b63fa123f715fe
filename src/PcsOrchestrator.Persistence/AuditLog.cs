using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>What a caller appends. <see cref="Details"/> is a JSON document (change set, configurations, error, durations).</summary>
public sealed record AuditDraft(string Cluster, string EventType, string ExecutionId)
{
    public string? IdempotencyKey { get; init; }

    public string? Source { get; init; }

    public string? Actor { get; init; }

    public string? Reason { get; init; }

    public string? Details { get; init; }
}

/// <summary>A stored entry: the draft plus its place in the cluster's chain.</summary>
public sealed record AuditEntry(
    string Cluster,
    long Sequence,
    DateTimeOffset At,
    string EventType,
    string ExecutionId,
    string? IdempotencyKey,
    string? Source,
    string? Actor,
    string? Reason,
    string? Details,
    string PreviousHash,
    string Hash);

/// <summary>Where a cluster's chain ends: the last entry's sequence and hash (0 and <see cref="AuditLog.Genesis"/> when empty).</summary>
public sealed record AuditHead(long Sequence, string Hash);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? NextToken);

public sealed record AuditVerification(bool Intact, long Checked, long? BrokenAt, string? Problem);

/// <summary>
/// An append-only, hash-chained audit log per cluster. Each entry's hash covers the previous entry's hash and the
/// entry's canonical content, so editing, deleting or reordering entries is detected by <see cref="VerifyAsync"/>.
/// Appends from many writers form one chain: the entry put and the update of the cluster's head item (its last
/// sequence and hash) are one transaction, conditional on the head not having moved. Large details are compressed
/// and, if still large, split into part items, so no item approaches DynamoDB's 400 KB limit.
/// </summary>
public sealed class AuditLog(IAmazonDynamoDB dynamo, string tableName, TimeProvider time)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    public const int InlineLimit = 64 * 1024;
    public const int PartSize = 300 * 1024;
    private const string Head = "head";
    private const string Lowest = "000000000000";
    private const string Highest = "999999999999";

    /// <summary>DynamoDB's limit on the items of one TransactWriteItems call.</summary>
    public const int TransactionLimit = 100;

    /// <summary>
    /// Appends an entry; with a lease, only while that lease still holds the cluster lock (fencing). With
    /// <paramref name="expected"/> (the head this writer left after its own last append) the first attempt skips
    /// reading the head; the write is conditional on the head still being exactly that, so a head another writer
    /// moved costs one failed attempt and a read, never a fork.
    /// <para>
    /// <c>companions</c> are writes committed in the same TransactWriteItems as the entry (e.g.
    /// <see cref="MaintenanceStore.CompleteWrite"/>), so the entry and what it records happen together or not at all.
    /// The entry, its detail parts, the head, the guard and the companions must fit in <see cref="TransactionLimit"/>
    /// items (else <see cref="ArgumentException"/>, nothing written); DynamoDB also refuses a transaction over 4 MB or
    /// with two writes to the same item. A companion whose condition fails cancels the whole transaction:
    /// <see cref="CompanionConditionFailedException"/> with its index and the item as DynamoDB found it (a companion
    /// that does not say what to return gets ReturnValuesOnConditionCheckFailure ALL_OLD; the caller's objects are
    /// not modified). A lost lock is reported first (<see cref="LockLostException"/>). A moved head retries with the
    /// same companions.
    /// </para>
    /// </summary>
    public async Task<AuditEntry> AppendAsync(AuditDraft draft, CancellationToken cancellationToken, (ClusterLock Lock, string Owner, long FencingToken)? guard = null, AuditHead? expected = null, IReadOnlyList<TransactWriteItem>? companions = null)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var extra = companions is null ? [] : companions.Select((c, i) => WithOldItemOnFailure(c ?? throw new ArgumentException($"companion {i} is null", nameof(companions)))).ToList();
        for (var attempt = 0; ; attempt++)
        {
            var (last, previous) = attempt == 0 && expected is not null ? (expected.Sequence, expected.Hash) : await ReadHeadAsync(draft.Cluster, cancellationToken);
            var entry = Seal(draft, last + 1, time.GetUtcNow(), previous);
            var items = Items(entry, last > 0, last, previous);
            var guardIndex = -1;
            if (guard is { } g)
            {
                guardIndex = items.Count;
                items.Add(g.Lock.GuardCheck(draft.Cluster, g.Owner, g.FencingToken));
            }

            var companionStart = items.Count;
            if (items.Count + extra.Count > TransactionLimit)
            {
                throw new ArgumentException(
                    $"the audit entry needs {items.Count} transaction items (entry, {items.Count - (guardIndex >= 0 ? 3 : 2)} detail parts, head{(guardIndex >= 0 ? ", lock guard" : string.Empty)}), so at most {TransactionLimit - items.Count} companions fit in one transaction, not {extra.Count}",
                    nameof(companions));
            }

            items.AddRange(extra);
            try
            {
                await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }, cancellationToken);
                return entry;
            }
            catch (TransactionCanceledException ex)
            {
                if (guard is { } held && guardIndex >= 0 && ex.CancellationReasons is { } reasons && reasons.Count > guardIndex && reasons[guardIndex].Code == "ConditionalCheckFailed")
                {
                    throw new LockLostException(draft.Cluster, held.Owner, held.FencingToken, ex);
                }

                for (var c = 0; c < extra.Count && ex.CancellationReasons is { } all && all.Count > companionStart + c; c++)
                {
                    if (all[companionStart + c].Code == "ConditionalCheckFailed")
                    {
                        throw new CompanionConditionFailedException(draft.Cluster, c, all[companionStart + c].Item is { Count: > 0 } found ? found : null, ex);
                    }
                }

                if (attempt >= 100)
                {
                    throw;
                }

                // Another writer moved the head: re-read it and chain onto the new last entry.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 + (attempt * 5))), cancellationToken);
            }
        }
    }

    /// <summary>A copy of a companion that returns the item as found when its condition fails (unless it already says what to return).</summary>
    private static TransactWriteItem WithOldItemOnFailure(TransactWriteItem companion)
    {
        var allOld = ReturnValuesOnConditionCheckFailure.ALL_OLD;
        return new TransactWriteItem
        {
            Put = companion.Put is { } p
                ? new Put { TableName = p.TableName, Item = p.Item, ConditionExpression = p.ConditionExpression, ExpressionAttributeNames = p.ExpressionAttributeNames, ExpressionAttributeValues = p.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure = p.ReturnValuesOnConditionCheckFailure ?? allOld }
                : null,
            Update = companion.Update is { } u
                ? new Update { TableName = u.TableName, Key = u.Key, UpdateExpression = u.UpdateExpression, ConditionExpression = u.ConditionExpression, ExpressionAttributeNames = u.ExpressionAttributeNames, ExpressionAttributeValues = u.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure = u.ReturnValuesOnConditionCheckFailure ?? allOld }
                : null,
            Delete = companion.Delete is { } d
                ? new Delete { TableName = d.TableName, Key = d.Key, ConditionExpression = d.ConditionExpression, ExpressionAttributeNames = d.ExpressionAttributeNames, ExpressionAttributeValues = d.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure = d.ReturnValuesOnConditionCheckFailure ?? allOld }
                : null,
            ConditionCheck = companion.ConditionCheck is { } k
                ? new ConditionCheck { TableName = k.TableName, Key = k.Key, ConditionExpression = k.ConditionExpression, ExpressionAttributeNames = k.ExpressionAttributeNames, ExpressionAttributeValues = k.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure = k.ReturnValuesOnConditionCheckFailure ?? allOld }
                : null,
        };
    }

    private async Task<(long Sequence, string Hash)> ReadHeadAsync(string cluster, CancellationToken cancellationToken)
    {
        var head = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(cluster, Head), ConsistentRead = true }, cancellationToken);
        return head.Item is { Count: > 0 } h ? (long.Parse(h["seq"].N, CultureInfo.InvariantCulture), h["hash"].S) : (0, Genesis);
    }

    /// <summary>The cluster's entries, newest first, optionally within a time range, a page at a time.</summary>
    public async Task<AuditPage> QueryAsync(string cluster, int pageSize, string? nextToken, CancellationToken cancellationToken, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var upper = nextToken is null ? Highest : Encoding.UTF8.GetString(Convert.FromBase64String(nextToken));
        var entries = new List<AuditEntry>(pageSize);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues = new() { [":pk"] = S(Partition(cluster)), [":lo"] = S(Lowest), [":hi"] = S(upper) },
                ScanIndexForward = false,
                ConsistentRead = true,
                ExclusiveStartKey = start,
                Limit = Math.Max(pageSize * 2, 10),
            }, cancellationToken);
            foreach (var item in response.Items)
            {
                if (!item.ContainsKey("hash") || (nextToken is not null && item[TableDefinitions.SortKey].S == upper))
                {
                    continue;
                }

                var entry = await ReadEntryAsync(item, cancellationToken);
                if ((from is null || entry.At >= from) && (to is null || entry.At <= to))
                {
                    entries.Add(entry);
                }

                if (entries.Count == pageSize)
                {
                    var more = response.LastEvaluatedKey is { Count: > 0 } || !ReferenceEquals(item, response.Items[^1]);
                    return new AuditPage(entries, more ? Convert.ToBase64String(Encoding.UTF8.GetBytes(item[TableDefinitions.SortKey].S)) : null);
                }
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return new AuditPage(entries, null);
    }

    /// <summary>
    /// The cluster's most recent entries of one event type, newest first: at most <paramref name="count"/>, found
    /// among the newest <paramref name="evaluateLimit"/> entries. The type is a filter on the query, so entries of
    /// other types (a window's per-change entries, say) cost read capacity but not requests: a page evaluates up to
    /// 1 MB of entries.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> RecentOfTypeAsync(string cluster, string eventType, int count, int evaluateLimit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluateLimit, 1);
        var entries = new List<AuditEntry>(count);
        var evaluated = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND sk BETWEEN :lo AND :hi",
                FilterExpression = "eventType = :type",
                ExpressionAttributeValues = new() { [":pk"] = S(Partition(cluster)), [":lo"] = S(Lowest), [":hi"] = S(Highest), [":type"] = S(eventType) },
                ScanIndexForward = false,
                ConsistentRead = true,
                ExclusiveStartKey = start,
                Limit = evaluateLimit - evaluated,
            }, cancellationToken);
            evaluated += response.ScannedCount ?? response.Items.Count;
            foreach (var item in response.Items)
            {
                entries.Add(await ReadEntryAsync(item, cancellationToken));
                if (entries.Count == count)
                {
                    return entries;
                }
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null && evaluated < evaluateLimit);

        return entries;
    }

    /// <summary>One execution's entries in order (the byExecution index).</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryExecutionAsync(string executionId, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                IndexName = TableDefinitions.ExecutionIndex,
                KeyConditionExpression = "executionId = :id",
                ExpressionAttributeValues = new() { [":id"] = S(executionId) },
                ExclusiveStartKey = start,
            }, cancellationToken);
            foreach (var item in response.Items)
            {
                entries.Add(await ReadEntryAsync(item, cancellationToken));
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return [.. entries.OrderBy(e => e.At).ThenBy(e => e.Sequence)];
    }

    /// <summary>Recomputes the chain from the first entry to the head and reports the first break.</summary>
    public async Task<AuditVerification> VerifyAsync(string cluster, CancellationToken cancellationToken)
    {
        var previous = Genesis;
        long expected = 1, checkedCount = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues = new() { [":pk"] = S(Partition(cluster)), [":lo"] = S(Lowest), [":hi"] = S(Highest) },
                ConsistentRead = true,
                ExclusiveStartKey = start,
            }, cancellationToken);
            foreach (var item in response.Items.Where(i => i.ContainsKey("hash")))
            {
                var entry = await ReadEntryAsync(item, cancellationToken);
                if (entry.Sequence != expected)
                {
                    return new AuditVerification(false, checkedCount, expected, entry.Sequence > expected
                        ? $"entry {expected} is missing (deleted): the next stored entry is {entry.Sequence}"
                        : $"entry {entry.Sequence} appears where {expected} was expected");
                }

                if (entry.PreviousHash != previous)
                {
                    return new AuditVerification(false, checkedCount, entry.Sequence, $"entry {entry.Sequence} does not follow the entry before it (moved, reordered or the previous entry was changed)");
                }

                if (ComputeHash(entry) != entry.Hash)
                {
                    return new AuditVerification(false, checkedCount, entry.Sequence, $"entry {entry.Sequence} was modified: its content no longer matches its hash");
                }

                previous = entry.Hash;
                expected++;
                checkedCount++;
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        var head = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(cluster, Head), ConsistentRead = true }, cancellationToken);
        var headSeq = head.Item is { Count: > 0 } h ? long.Parse(h["seq"].N, CultureInfo.InvariantCulture) : 0;
        if (headSeq != checkedCount || (headSeq > 0 && head.Item!["hash"].S != previous))
        {
            return new AuditVerification(false, checkedCount, checkedCount + 1, $"the chain ends at entry {checkedCount} but the head records {headSeq} entries: the newest entries were deleted or replaced");
        }

        return new AuditVerification(true, checkedCount, null, null);
    }

    /// <summary>The canonical content of an entry: fixed key order, compact JSON, UTF-8; the hash is SHA-256 of it, hex.</summary>
    public static string ComputeHash(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(512 + (entry.Details?.Length ?? 0));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("actor", entry.Actor);
            w.WriteString("at", entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("cluster", entry.Cluster);
            w.WriteString("details", entry.Details);
            w.WriteString("eventType", entry.EventType);
            w.WriteString("executionId", entry.ExecutionId);
            w.WriteString("idempotencyKey", entry.IdempotencyKey);
            w.WriteString("previousHash", entry.PreviousHash);
            w.WriteString("reason", entry.Reason);
            w.WriteNumber("sequence", entry.Sequence);
            w.WriteString("source", entry.Source);
            w.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static AuditEntry Seal(AuditDraft draft, long sequence, DateTimeOffset at, string previous)
    {
        var unsealed = new AuditEntry(draft.Cluster, sequence, at, draft.EventType, draft.ExecutionId, draft.IdempotencyKey, draft.Source, draft.Actor, draft.Reason, draft.Details, previous, string.Empty);
        return unsealed with { Hash = ComputeHash(unsealed) };
    }

    private List<TransactWriteItem> Items(AuditEntry entry, bool headExists, long last, string previous)
    {
        var sk = SortKeyOf(entry.Sequence);
        var item = new Dictionary<string, AttributeValue>
        {
            [TableDefinitions.PartitionKey] = S(Partition(entry.Cluster)),
            [TableDefinitions.SortKey] = S(sk),
            ["cluster"] = S(entry.Cluster),
            ["seq"] = new AttributeValue { N = entry.Sequence.ToString(CultureInfo.InvariantCulture) },
            ["at"] = S(entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            ["eventType"] = S(entry.EventType),
            [TableDefinitions.ExecutionAttribute] = S(entry.ExecutionId),
            ["previousHash"] = S(entry.PreviousHash),
            ["hash"] = S(entry.Hash),
        };
        Optional(item, "idempotencyKey", entry.IdempotencyKey);
        Optional(item, "source", entry.Source);
        Optional(item, "actor", entry.Actor);
        Optional(item, "reason", entry.Reason);

        var items = new List<TransactWriteItem>();
        if (entry.Details is { } details)
        {
            var bytes = Encoding.UTF8.GetBytes(details);
            if (bytes.Length <= InlineLimit)
            {
                item["details"] = S(details);
            }
            else
            {
                var compressed = Compress(bytes);
                if (compressed.Length <= PartSize)
                {
                    item["detailsGz"] = new AttributeValue { B = new MemoryStream(compressed) };
                }
                else
                {
                    var parts = (compressed.Length + PartSize - 1) / PartSize;
                    item["parts"] = new AttributeValue { N = parts.ToString(CultureInfo.InvariantCulture) };
                    for (var p = 0; p < parts; p++)
                    {
                        var chunk = compressed.AsSpan(p * PartSize, Math.Min(PartSize, compressed.Length - (p * PartSize))).ToArray();
                        items.Add(new TransactWriteItem
                        {
                            Put = new Put
                            {
                                TableName = tableName,
                                Item = new() { [TableDefinitions.PartitionKey] = S(Partition(entry.Cluster)), [TableDefinitions.SortKey] = S($"{sk}#p{p:D4}"), ["chunk"] = new AttributeValue { B = new MemoryStream(chunk) } },
                                ConditionExpression = "attribute_not_exists(pk)",
                            },
                        });
                    }
                }
            }
        }

        items.Insert(0, new TransactWriteItem { Put = new Put { TableName = tableName, Item = item, ConditionExpression = "attribute_not_exists(pk)" } });
        items.Insert(1, new TransactWriteItem
        {
            Update = new Update
            {
                TableName = tableName,
                Key = Key(entry.Cluster, Head),
                UpdateExpression = "SET seq = :next, #hash = :hash",
                ConditionExpression = headExists ? "seq = :last AND #hash = :previous" : "attribute_not_exists(pk)",
                ExpressionAttributeNames = new() { ["#hash"] = "hash" },
                ExpressionAttributeValues = headExists
                    ? new() { [":next"] = new AttributeValue { N = entry.Sequence.ToString(CultureInfo.InvariantCulture) }, [":hash"] = S(entry.Hash), [":last"] = new AttributeValue { N = last.ToString(CultureInfo.InvariantCulture) }, [":previous"] = S(previous) }
                    : new() { [":next"] = new AttributeValue { N = entry.Sequence.ToString(CultureInfo.InvariantCulture) }, [":hash"] = S(entry.Hash) },
            },
        });
        return items;
    }

    private async Task<AuditEntry> ReadEntryAsync(Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        string? details = null;
        if (item.TryGetValue("details", out var inline))
        {
            details = inline.S;
        }
        else if (item.TryGetValue("detailsGz", out var gz))
        {
            details = Decompress(gz.B.ToArray());
        }
        else if (item.TryGetValue("parts", out var parts))
        {
            var sk = item[TableDefinitions.SortKey].S;
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues = new() { [":pk"] = item[TableDefinitions.PartitionKey], [":prefix"] = S(sk + "#p") },
                ConsistentRead = true,
            }, cancellationToken);
            using var joined = new MemoryStream();
            foreach (var part in response.Items.OrderBy(p => p[TableDefinitions.SortKey].S, StringComparer.Ordinal))
            {
                part["chunk"].B.Position = 0;
                await part["chunk"].B.CopyToAsync(joined, cancellationToken);
            }

            details = joined.Length == 0 ? string.Empty : Decompress(joined.ToArray());
            if (response.Items.Count != int.Parse(parts.N, CultureInfo.InvariantCulture))
            {
                details = $"[{response.Items.Count} of {parts.N} parts present]";
            }
        }

        return new AuditEntry(
            item["cluster"].S,
            long.Parse(item["seq"].N, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(item["at"].S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            item["eventType"].S,
            item[TableDefinitions.ExecutionAttribute].S,
            item.GetValueOrDefault("idempotencyKey")?.S,
            item.GetValueOrDefault("source")?.S,
            item.GetValueOrDefault("actor")?.S,
            item.GetValueOrDefault("reason")?.S,
            details,
            item["previousHash"].S,
            item["hash"].S);
    }

    private static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static string Decompress(byte[] bytes)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(input, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (InvalidDataException)
        {
            return "[details unreadable: not valid gzip]";
        }
    }

    public static string Partition(string cluster) => "cluster#" + cluster;

    public static string SortKeyOf(long sequence) => sequence.ToString("D12", CultureInfo.InvariantCulture);

    private static Dictionary<string, AttributeValue> Key(string cluster, string sk) => new() { [TableDefinitions.PartitionKey] = S(Partition(cluster)), [TableDefinitions.SortKey] = S(sk) };

    private static AttributeValue S(string value) => new() { S = value };

    private static void Optional(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }
}
