using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>
/// A stored maintenance window. <see cref="Definition"/> is the window's JSON document (schedule, time zone, duration,
/// cutoff, apply and drift modes) and is opaque here; <see cref="Clusters"/> is opaque too, except that each cluster
/// belongs to at most one window. <see cref="Version"/> is 1 on creation and grows by one with every put.
/// </summary>
public sealed record WindowRecord(string Name, string Definition, IReadOnlyList<string> Clusters, long Version, DateTimeOffset UpdatedAt, string? UpdatedBy);

/// <summary>Where a queued change is in its life: pending → applying → applied | failed (or back to pending), pending → cancelled.</summary>
public enum QueuedChangeStatus
{
    Pending,
    Applying,
    Applied,
    Failed,
    Cancelled,
}

/// <summary>The names the table stores for <see cref="QueuedChangeStatus"/> (lower case).</summary>
public static class QueuedChangeStatuses
{
    public static string Name(QueuedChangeStatus status) => status switch
    {
        QueuedChangeStatus.Pending => "pending",
        QueuedChangeStatus.Applying => "applying",
        QueuedChangeStatus.Applied => "applied",
        QueuedChangeStatus.Failed => "failed",
        QueuedChangeStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown queued change status"),
    };

    public static QueuedChangeStatus Parse(string name) => name switch
    {
        "pending" => QueuedChangeStatus.Pending,
        "applying" => QueuedChangeStatus.Applying,
        "applied" => QueuedChangeStatus.Applied,
        "failed" => QueuedChangeStatus.Failed,
        "cancelled" => QueuedChangeStatus.Cancelled,
        _ => throw new FormatException($"'{name}' is not a queued change status"),
    };

    /// <summary>Applied, failed and cancelled: the change is over, and its item expires after the store's retention.</summary>
    public static bool IsFinal(QueuedChangeStatus status) => status is QueuedChangeStatus.Applied or QueuedChangeStatus.Failed or QueuedChangeStatus.Cancelled;
}

/// <summary>
/// What a caller enqueues: a request (JSON text, opaque here) to apply to <see cref="Cluster"/> in its next window.
/// <see cref="SubmittedAt"/> and <see cref="Key"/> (the idempotency key) make the change id, so a retried enqueue of
/// the same submission maps to the same item. <see cref="SubmittedBy"/> is the execution that queues it.
/// </summary>
public sealed record QueuedChangeDraft(string Cluster, string Key, string Request, DateTimeOffset SubmittedAt, string SubmittedBy)
{
    public string? RequestedBy { get; init; }

    public string? Reason { get; init; }

    public string? Source { get; init; }

    /// <summary>The window it is queued for, if the caller knows it.</summary>
    public string? Window { get; init; }

    public string ChangeId => MaintenanceStore.ChangeId(SubmittedAt, Key);
}

/// <summary>
/// A stored queued change. <see cref="Attempts"/> counts failed applications; <see cref="Holder"/> is the execution
/// applying it, or that applied or failed it; <see cref="Outcome"/> says why it ended (or why its last attempt
/// failed, once re-queued); <see cref="ExpiresAt"/> (the item's TTL) is set only in a final status.
/// </summary>
public sealed record QueuedChange(
    string Cluster,
    string ChangeId,
    string Key,
    QueuedChangeStatus Status,
    string Request,
    DateTimeOffset SubmittedAt,
    string SubmittedBy,
    string? RequestedBy,
    string? Reason,
    string? Source,
    string? Window,
    int Attempts,
    string? Holder,
    string? Outcome,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt);

/// <summary>The last desired configuration (JSON text, opaque here) the orchestrator applied to a cluster, for drift detection.</summary>
public sealed record DesiredStateRecord(string Cluster, string Configuration, string ExecutionId, DateTimeOffset At);

/// <summary>
/// The maintenance table: windows and the membership of their clusters, the per-cluster queue of changes waiting for
/// a window, and the desired state last applied to each cluster (item layouts in docs/architecture.md). Every write is
/// conditional; a refused one raises a typed exception carrying what the write found, never a bare
/// <see cref="ConditionalCheckFailedException"/>. DynamoDB throttling and 5xx are left to the SDK's retries and the
/// caller, as in the other stores. Each queue transition exists as an awaited call and as a
/// <see cref="TransactWriteItem"/> (the <c>…Write</c> methods) to pass to <see cref="AuditLog.AppendAsync"/> as a
/// companion, so the transition and its audit entry commit together.
/// </summary>
public sealed partial class MaintenanceStore(IAmazonDynamoDB dynamo, string tableName, TimeProvider time)
{
    /// <summary>Partition of every window item.</summary>
    public const string WindowsPartition = "windows";

    /// <summary>Sort key of a cluster's membership item (and prefix of nothing else).</summary>
    public const string MembershipSortKey = "window";

    /// <summary>Sort key of a cluster's desired-state item.</summary>
    public const string DesiredSortKey = "desired";

    public const string WindowPrefix = "window#";
    public const string ChangePrefix = "change#";

    /// <summary>How long an applied, failed or cancelled change is kept (its TTL).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(90);

    public string TableName => tableName;

    /// <summary>The partition of everything about one cluster: <c>cluster#&lt;cluster&gt;</c> (as in the audit table).</summary>
    public static string ClusterPartition(string cluster) => "cluster#" + cluster;

    /// <summary>
    /// Stores the desired state last applied to a cluster, unless the table already holds a later one (by
    /// <see cref="DesiredStateRecord.At"/>): a delayed retry of an older execution never replaces a newer state.
    /// True when written (also when it has the same time as the stored one), false when the later one was kept.
    /// </summary>
    public async Task<bool> PutDesiredStateAsync(DesiredStateRecord state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentException.ThrowIfNullOrEmpty(state.Cluster);
        ArgumentException.ThrowIfNullOrEmpty(state.Configuration);
        ArgumentException.ThrowIfNullOrEmpty(state.ExecutionId);
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = new()
                {
                    [TableDefinitions.PartitionKey] = S(ClusterPartition(state.Cluster)),
                    [TableDefinitions.SortKey] = S(DesiredSortKey),
                    ["cluster"] = S(state.Cluster),
                    ["configuration"] = S(state.Configuration),
                    ["executionId"] = S(state.ExecutionId),
                    ["at"] = S(Iso(state.At)),
                },
                ConditionExpression = "attribute_not_exists(pk) OR #at <= :at",
                ExpressionAttributeNames = new() { ["#at"] = "at" },
                ExpressionAttributeValues = new() { [":at"] = S(Iso(state.At)) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<DesiredStateRecord?> GetDesiredStateAsync(string cluster, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        var item = await GetAsync(ClusterPartition(cluster), DesiredSortKey, cancellationToken);
        return item is null ? null : new DesiredStateRecord(item["cluster"].S, item["configuration"].S, item["executionId"].S, ParseIso(item["at"].S));
    }

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(pk, sk), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Every item of a partition whose sort key starts with <paramref name="prefix"/>, in sort-key order, all pages.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string pk, string prefix, string? filter, Dictionary<string, string>? names, Dictionary<string, AttributeValue>? values, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var allValues = new Dictionary<string, AttributeValue>(values ?? []) { [":pk"] = S(pk), [":prefix"] = S(prefix) };
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk AND begins_with(sk, :prefix)",
                FilterExpression = filter,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = allValues,
                ConsistentRead = true,
                ExclusiveStartKey = start,
            }, cancellationToken);
            items.AddRange(response.Items ?? []);
            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return items;
    }

    private static async Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 + (attempt * 10))), cancellationToken);

    private static bool Refused(List<CancellationReason>? reasons, int index) =>
        reasons is not null && reasons.Count > index && reasons[index].Code == "ConditionalCheckFailed";

    private static Dictionary<string, AttributeValue>? FoundItem(List<CancellationReason>? reasons, int index) =>
        reasons is not null && reasons.Count > index && reasons[index].Item is { Count: > 0 } item ? item : null;

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new() { [TableDefinitions.PartitionKey] = S(pk), [TableDefinitions.SortKey] = S(sk) };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static long ParseN(AttributeValue value) => long.Parse(value.N, CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in UTC with seven fraction digits: fixed width, so the stored strings sort as the instants do.</summary>
    private static string Iso(DateTimeOffset instant) => instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseIso(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static void Optional(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }
}
