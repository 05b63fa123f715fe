using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>
/// The per-cluster queue of changes waiting for a window. Transitions, each conditional on the change's status (and
/// holder where it says so); a refused one raises <see cref="QueuedChangeStateException"/> with the change as found:
/// <code>
/// pending ──take──► applying ──complete──► applied
///    ▲  │              │ │
///    │  │              │ └──fail──► failed
///    │  │              └──release / fail with requeue──► pending
///    │  └──cancel──► cancelled
/// </code>
/// Complete, fail and cancel set the TTL (now + <see cref="Retention"/>); going back to pending removes it.
/// </summary>
public sealed partial class MaintenanceStore
{
    /// <summary>
    /// The id of a change submitted at <paramref name="submittedAt"/> under idempotency key <paramref name="key"/>:
    /// the submission time as 19-digit UTC ticks, '-', and the first 16 hex digits (lower case) of SHA-256 of the key
    /// in UTF-8. Sort keys order by submission; the same key at the same time always gives the same id.
    /// </summary>
    public static string ChangeId(DateTimeOffset submittedAt, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return submittedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + hash[..16];
    }

    /// <summary>
    /// Queues a change as pending (attempts 0). Idempotent: when the change id exists with the same key, nothing is
    /// written and the stored change is returned as it is now (whatever its status or request).
    /// </summary>
    /// <exception cref="ChangeIdConflictException">The change id exists with another key. Nothing was written.</exception>
    public async Task<QueuedChange> EnqueueAsync(QueuedChangeDraft draft, CancellationToken cancellationToken)
    {
        var (change, item) = Pending(draft);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = tableName,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(pk)",
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                }, cancellationToken);
                return change;
            }
            catch (ConditionalCheckFailedException ex)
            {
                var stored = ParseChange(ex.Item) ?? await GetChangeAsync(change.Cluster, change.ChangeId, cancellationToken);
                if (stored is not null)
                {
                    return stored.Key == change.Key ? stored : throw new ChangeIdConflictException(change.Cluster, change.ChangeId, stored.Key, change.Key, ex);
                }

                if (attempt + 1 >= 3)
                {
                    throw; // Deleted between the put and the read, again and again.
                }
            }
        }
    }

    /// <summary>
    /// The enqueue as a <see cref="TransactWriteItem"/> (a Put conditional on the change id being new), to write with
    /// the change's <c>queued</c> audit entry. A refusal (<see cref="CompanionConditionFailedException"/>) carries the
    /// stored change: the same key means it was queued already.
    /// </summary>
    public TransactWriteItem EnqueueWrite(QueuedChangeDraft draft) => new()
    {
        Put = new Put
        {
            TableName = tableName,
            Item = Pending(draft).Item,
            ConditionExpression = "attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        },
    };

    private (QueuedChange Change, Dictionary<string, AttributeValue> Item) Pending(QueuedChangeDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentException.ThrowIfNullOrEmpty(draft.Cluster);
        ArgumentException.ThrowIfNullOrEmpty(draft.Key);
        ArgumentException.ThrowIfNullOrEmpty(draft.Request);
        ArgumentException.ThrowIfNullOrEmpty(draft.SubmittedBy);
        var now = time.GetUtcNow();
        var change = new QueuedChange(draft.Cluster, draft.ChangeId, draft.Key, QueuedChangeStatus.Pending, draft.Request, draft.SubmittedAt, draft.SubmittedBy,
            draft.RequestedBy, draft.Reason, draft.Source, draft.Window, 0, null, null, now, null);
        var item = new Dictionary<string, AttributeValue>
        {
            [TableDefinitions.PartitionKey] = S(ClusterPartition(change.Cluster)),
            [TableDefinitions.SortKey] = S(ChangePrefix + change.ChangeId),
            ["cluster"] = S(change.Cluster),
            ["changeId"] = S(change.ChangeId),
            ["key"] = S(change.Key),
            ["status"] = S(QueuedChangeStatuses.Name(change.Status)),
            ["request"] = S(change.Request),
            ["submittedAt"] = S(Iso(change.SubmittedAt)),
            ["submittedBy"] = S(change.SubmittedBy),
            ["attempts"] = N(0),
            ["updatedAt"] = S(Iso(now)),
        };
        Optional(item, "requestedBy", change.RequestedBy);
        Optional(item, "reason", change.Reason);
        Optional(item, "source", change.Source);
        Optional(item, "window", change.Window);
        return (change, item);
    }

    public async Task<QueuedChange?> GetChangeAsync(string cluster, string changeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        return ParseChange(await GetAsync(ClusterPartition(cluster), ChangePrefix + changeId, cancellationToken));
    }

    /// <summary>
    /// The cluster's changes in submission order (every page), only those in <paramref name="statuses"/> when given
    /// (an empty set matches none). Finished changes stay listed until DynamoDB deletes them after their TTL.
    /// </summary>
    public async Task<IReadOnlyList<QueuedChange>> ListChangesAsync(string cluster, IReadOnlyCollection<QueuedChangeStatus>? statuses, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        string? filter = null;
        Dictionary<string, string>? names = null;
        Dictionary<string, AttributeValue>? values = null;
        if (statuses is not null)
        {
            var wanted = statuses.Distinct().ToList();
            if (wanted.Count == 0)
            {
                return [];
            }

            names = new() { ["#status"] = "status" };
            values = wanted.Select((s, i) => (Name: $":s{i}", Value: QueuedChangeStatuses.Name(s))).ToDictionary(p => p.Name, p => S(p.Value));
            filter = $"#status IN ({string.Join(", ", values.Keys)})";
        }

        var items = await QueryAsync(ClusterPartition(cluster), ChangePrefix, filter, names, values, cancellationToken);
        return [.. items.Select(i => ParseChange(i)!)];
    }

    /// <summary>
    /// The cluster's changes (any status, submission order) whose id starts with <paramref name="idOrKeyPrefix"/> or
    /// whose idempotency key equals it: what an operator may type to name a change (e.g. to cancel it).
    /// </summary>
    public async Task<IReadOnlyList<QueuedChange>> FindChangesAsync(string cluster, string idOrKeyPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrKeyPrefix);
        var all = await ListChangesAsync(cluster, null, cancellationToken);
        return [.. all.Where(c => c.ChangeId.StartsWith(idOrKeyPrefix, StringComparison.Ordinal) || c.Key == idOrKeyPrefix)];
    }

    /// <summary>pending → applying, held by <paramref name="holder"/>; also succeeds when it is already applying by the same holder (a retried step).</summary>
    public Task<QueuedChange> TakeAsync(string cluster, string changeId, string holder, CancellationToken cancellationToken) =>
        RunAsync("take", cluster, changeId, holder, Take(cluster, changeId, holder), cancellationToken);

    /// <inheritdoc cref="TakeAsync"/>
    public TransactWriteItem TakeWrite(string cluster, string changeId, string holder) => new() { Update = Take(cluster, changeId, holder) };

    /// <summary>
    /// applying by <paramref name="previous"/> → applying by <paramref name="holder"/>: a window run that holds the
    /// cluster's lock takes over a change an earlier run left applying (it was stopped, or lost the lock, before it
    /// could settle it). The earlier holder's settlements are refused from then on (they are conditional on it).
    /// </summary>
    public Task<QueuedChange> TakeOverAsync(string cluster, string changeId, string previous, string holder, CancellationToken cancellationToken) =>
        RunAsync("take over", cluster, changeId, holder, TakeOver(cluster, changeId, previous, holder), cancellationToken);

    /// <summary>applying by <paramref name="holder"/> → pending, holder removed: the window could not start before its cutoff. Attempts are not counted.</summary>
    public Task<QueuedChange> ReleaseAsync(string cluster, string changeId, string holder, CancellationToken cancellationToken) =>
        RunAsync("release", cluster, changeId, holder, Release(cluster, changeId, holder), cancellationToken);

    /// <inheritdoc cref="ReleaseAsync"/>
    public TransactWriteItem ReleaseWrite(string cluster, string changeId, string holder) => new() { Update = Release(cluster, changeId, holder) };

    /// <summary>applying by <paramref name="holder"/> → applied, with <paramref name="outcome"/> (a sentence) and the TTL; the holder stays as who applied it.</summary>
    public Task<QueuedChange> CompleteAsync(string cluster, string changeId, string holder, string outcome, CancellationToken cancellationToken) =>
        RunAsync("complete", cluster, changeId, holder, Complete(cluster, changeId, holder, outcome), cancellationToken);

    /// <inheritdoc cref="CompleteAsync"/>
    public TransactWriteItem CompleteWrite(string cluster, string changeId, string holder, string outcome) => new() { Update = Complete(cluster, changeId, holder, outcome) };

    /// <summary>
    /// applying by <paramref name="holder"/> → failed (attempts + 1, <paramref name="outcome"/>, TTL; the holder stays as
    /// who failed it), or with <paramref name="requeue"/> → pending (attempts + 1, the outcome kept as the last failure,
    /// holder and TTL removed) so the next window tries again.
    /// </summary>
    public Task<QueuedChange> FailAsync(string cluster, string changeId, string holder, string outcome, bool requeue, CancellationToken cancellationToken) =>
        RunAsync(requeue ? "requeue" : "fail", cluster, changeId, holder, Fail(cluster, changeId, holder, outcome, requeue), cancellationToken);

    /// <inheritdoc cref="FailAsync"/>
    public TransactWriteItem FailWrite(string cluster, string changeId, string holder, string outcome, bool requeue) => new() { Update = Fail(cluster, changeId, holder, outcome, requeue) };

    /// <summary>
    /// pending stays pending, marked as deferred by window run <paramref name="run"/>: the companion of the
    /// <c>deferred</c> entry a run writes for a change it never took (it could not get the cluster before the cutoff).
    /// Refused when the change is no longer pending (cancelled meanwhile) or the run marked it already (a retried
    /// step), so the entry is written once, and never after a <c>cancelled</c> one.
    /// </summary>
    public TransactWriteItem DeferWrite(string cluster, string changeId, string run)
    {
        ArgumentException.ThrowIfNullOrEmpty(run);
        return new()
        {
            Update = Transition(cluster, changeId,
                "SET #deferredBy = :run, #updatedAt = :now",
                "#status = :pending AND (attribute_not_exists(#deferredBy) OR #deferredBy <> :run)",
                new() { [":pending"] = Status(QueuedChangeStatus.Pending), [":run"] = S(run) }),
        };
    }

    /// <summary>
    /// pending → cancelled, with the outcome "cancelled by <paramref name="cancelledBy"/>: <paramref name="reason"/>" and
    /// the TTL. Only a pending change can be cancelled: one being applied, or already over, is refused with its status
    /// and holder.
    /// </summary>
    public Task<QueuedChange> CancelAsync(string cluster, string changeId, string cancelledBy, string? reason, CancellationToken cancellationToken) =>
        RunAsync("cancel", cluster, changeId, cancelledBy, Cancel(cluster, changeId, cancelledBy, reason), cancellationToken);

    /// <inheritdoc cref="CancelAsync"/>
    public TransactWriteItem CancelWrite(string cluster, string changeId, string cancelledBy, string? reason) => new() { Update = Cancel(cluster, changeId, cancelledBy, reason) };

    /// <summary>
    /// A queued change from an item as DynamoDB returned it (e.g. <see cref="CompanionConditionFailedException.Item"/>
    /// when a <c>…Write</c> companion was refused); null for no item.
    /// </summary>
    public static QueuedChange? ParseChange(IReadOnlyDictionary<string, AttributeValue>? item) => item is not { Count: > 0 } ? null : new QueuedChange(
        item["cluster"].S,
        item["changeId"].S,
        item["key"].S,
        QueuedChangeStatuses.Parse(item["status"].S),
        item["request"].S,
        ParseIso(item["submittedAt"].S),
        item["submittedBy"].S,
        item.GetValueOrDefault("requestedBy")?.S,
        item.GetValueOrDefault("reason")?.S,
        item.GetValueOrDefault("source")?.S,
        item.GetValueOrDefault("window")?.S,
        item.TryGetValue("attempts", out var attempts) ? (int)ParseN(attempts) : 0,
        item.GetValueOrDefault("holder")?.S,
        item.GetValueOrDefault("outcome")?.S,
        ParseIso(item["updatedAt"].S),
        item.TryGetValue(TableDefinitions.TtlAttribute, out var ttl) ? DateTimeOffset.FromUnixTimeSeconds(ParseN(ttl)) : null);

    private Update Take(string cluster, string changeId, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return Transition(cluster, changeId,
            "SET #status = :applying, #holder = :holder, #updatedAt = :now",
            "#status = :pending OR (#status = :applying AND #holder = :holder)",
            new() { [":applying"] = Status(QueuedChangeStatus.Applying), [":pending"] = Status(QueuedChangeStatus.Pending), [":holder"] = S(holder) });
    }

    private Update TakeOver(string cluster, string changeId, string previous, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(previous);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return Transition(cluster, changeId,
            "SET #holder = :holder, #updatedAt = :now",
            "#status = :applying AND #holder = :previous",
            new() { [":applying"] = Status(QueuedChangeStatus.Applying), [":previous"] = S(previous), [":holder"] = S(holder) });
    }

    private Update Release(string cluster, string changeId, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return Transition(cluster, changeId,
            "SET #status = :pending, #updatedAt = :now REMOVE #holder, #ttl",
            "#status = :applying AND #holder = :holder",
            new() { [":applying"] = Status(QueuedChangeStatus.Applying), [":pending"] = Status(QueuedChangeStatus.Pending), [":holder"] = S(holder) });
    }

    private Update Complete(string cluster, string changeId, string holder, string outcome)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        return Transition(cluster, changeId,
            "SET #status = :applied, #outcome = :outcome, #updatedAt = :now, #ttl = :ttl",
            "#status = :applying AND #holder = :holder",
            new() { [":applying"] = Status(QueuedChangeStatus.Applying), [":applied"] = Status(QueuedChangeStatus.Applied), [":holder"] = S(holder), [":outcome"] = S(outcome), [":ttl"] = Expiry() });
    }

    private Update Fail(string cluster, string changeId, string holder, string outcome, bool requeue)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        var values = new Dictionary<string, AttributeValue> { [":applying"] = Status(QueuedChangeStatus.Applying), [":holder"] = S(holder), [":outcome"] = S(outcome), [":one"] = N(1) };
        if (requeue)
        {
            values[":pending"] = Status(QueuedChangeStatus.Pending);
            return Transition(cluster, changeId, "SET #status = :pending, #outcome = :outcome, #updatedAt = :now ADD #attempts :one REMOVE #holder, #ttl", "#status = :applying AND #holder = :holder", values);
        }

        values[":failed"] = Status(QueuedChangeStatus.Failed);
        values[":ttl"] = Expiry();
        return Transition(cluster, changeId, "SET #status = :failed, #outcome = :outcome, #updatedAt = :now, #ttl = :ttl ADD #attempts :one", "#status = :applying AND #holder = :holder", values);
    }

    private Update Cancel(string cluster, string changeId, string cancelledBy, string? reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(cancelledBy);
        var outcome = string.IsNullOrEmpty(reason) ? $"cancelled by {cancelledBy}" : $"cancelled by {cancelledBy}: {reason}";
        return Transition(cluster, changeId,
            "SET #status = :cancelled, #outcome = :outcome, #updatedAt = :now, #ttl = :ttl",
            "#status = :pending",
            new() { [":pending"] = Status(QueuedChangeStatus.Pending), [":cancelled"] = Status(QueuedChangeStatus.Cancelled), [":outcome"] = S(outcome), [":ttl"] = Expiry() });
    }

    /// <summary>An update of one change, conditional on its current state; the names every expression may use are declared once.</summary>
    private Update Transition(string cluster, string changeId, string update, string condition, Dictionary<string, AttributeValue> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        values[":now"] = S(Iso(time.GetUtcNow()));
        var names = new Dictionary<string, string>
        {
            ["#status"] = "status",
            ["#holder"] = "holder",
            ["#outcome"] = "outcome",
            ["#updatedAt"] = "updatedAt",
            ["#ttl"] = TableDefinitions.TtlAttribute,
            ["#attempts"] = "attempts",
            ["#deferredBy"] = "lastDeferredBy",
        };
        var expressions = update + " " + condition;
        return new Update
        {
            TableName = tableName,
            Key = Key(ClusterPartition(cluster), ChangePrefix + changeId),
            UpdateExpression = update,
            ConditionExpression = condition,
            // DynamoDB refuses names an expression does not use.
            ExpressionAttributeNames = names.Where(n => expressions.Contains(n.Key, StringComparison.Ordinal)).ToDictionary(n => n.Key, n => n.Value),
            ExpressionAttributeValues = values,
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    private async Task<QueuedChange> RunAsync(string transition, string cluster, string changeId, string actor, Update update, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = update.TableName,
                Key = update.Key,
                UpdateExpression = update.UpdateExpression,
                ConditionExpression = update.ConditionExpression,
                ExpressionAttributeNames = update.ExpressionAttributeNames,
                ExpressionAttributeValues = update.ExpressionAttributeValues,
                ReturnValues = ReturnValue.ALL_NEW,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }, cancellationToken);
            return ParseChange(response.Attributes)!;
        }
        catch (ConditionalCheckFailedException ex)
        {
            throw new QueuedChangeStateException(transition, cluster, changeId, actor, ParseChange(ex.Item), ex);
        }
    }

    private AttributeValue Expiry() => N((time.GetUtcNow() + Retention).ToUnixTimeSeconds());

    private static AttributeValue Status(QueuedChangeStatus status) => S(QueuedChangeStatuses.Name(status));
}
