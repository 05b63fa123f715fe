namespace PcsOrchestrator.Persistence;

/// <summary>Another execution holds the idempotency key and its claim has not expired. Retryable: wait and claim again.</summary>
public sealed class IdempotencyInProgressException(string key, string owner, DateTimeOffset claimExpiresAt, Exception? inner = null)
    : Exception($"idempotency key '{key}' is being processed by {owner} until {claimExpiresAt:O}", inner)
{
    public string Key { get; } = key;

    public string Owner { get; } = owner;

    public DateTimeOffset ClaimExpiresAt { get; } = claimExpiresAt;
}

/// <summary>The key was used before with a different request (payload hash). Not retryable.</summary>
public sealed class IdempotencyKeyReusedException(string key, string storedHash, string requestHash, Exception? inner = null)
    : Exception($"idempotency key '{key}' was used before with a different request (payload {storedHash[..Math.Min(12, storedHash.Length)]}…, now {requestHash[..Math.Min(12, requestHash.Length)]}…)", inner)
{
    public string Key { get; } = key;
}

/// <summary>The caller no longer owns what it tries to change (an idempotency record or the cluster lock).</summary>
public sealed class OwnershipLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The cluster lock is held by someone else, or a write guarded by the lock was refused by its fencing token.</summary>
public sealed class LockLostException(string cluster, string owner, long fencingToken, Exception? inner = null)
    : Exception($"the lock on cluster {cluster} is no longer held by {owner} with fencing token {fencingToken}", inner)
{
    public string Cluster { get; } = cluster;
}

/// <summary>
/// A companion write of an audit append was refused by its own condition, so the transaction was cancelled and nothing
/// was written: neither the entry nor any companion. <see cref="Index"/> is the companion's position in the list the
/// caller passed; <see cref="Item"/> is the item as DynamoDB found it (null when it did not exist). The inner exception
/// is the <see cref="Amazon.DynamoDBv2.Model.TransactionCanceledException"/>.
/// </summary>
public sealed class CompanionConditionFailedException(string cluster, int index, IReadOnlyDictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>? item, Exception inner)
    : Exception($"nothing was written, neither the audit entry for cluster {cluster} nor its companions: the condition of companion {index} failed ({(item is null ? "its item does not exist" : "the item it found is in Item")})", inner)
{
    public string Cluster { get; } = cluster;

    public int Index { get; } = index;

    public IReadOnlyDictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>? Item { get; } = item;
}

/// <summary>The cluster already belongs to another maintenance window (a cluster belongs to at most one). Nothing was written.</summary>
public sealed class ClusterInAnotherWindowException(string cluster, string otherWindow, string window, Exception? inner = null)
    : Exception($"cluster {cluster} already belongs to maintenance window '{otherWindow}': remove it there before adding it to '{window}'", inner)
{
    public string Cluster { get; } = cluster;

    public string OtherWindow { get; } = otherWindow;

    public string Window { get; } = window;
}

/// <summary>
/// The maintenance window is not at the version the caller expected. <see cref="Expected"/> 0 means "must not exist";
/// <see cref="Actual"/> is null when the window does not exist. Nothing was written.
/// </summary>
public sealed class WindowVersionConflictException(string name, long expected, long? actual, Exception? inner = null)
    : Exception($"maintenance window '{name}' is {(actual is { } a ? $"at version {a}" : "absent")}, not {(expected == 0 ? "absent" : $"at version {expected}")} as expected: read it again and reapply the change", inner)
{
    public string Name { get; } = name;

    public long Expected { get; } = expected;

    public long? Actual { get; } = actual;
}

/// <summary>
/// A queued change could not make the transition asked for: it is in another status, held by another execution, or
/// absent. <see cref="Found"/> is the change as the refused write found it (null when it does not exist).
/// </summary>
public sealed class QueuedChangeStateException(string transition, string cluster, string changeId, string? actor, QueuedChange? found, Exception? inner = null)
    : Exception(Describe(transition, cluster, changeId, actor, found), inner)
{
    /// <summary>What was refused: take, release, complete, fail, requeue or cancel.</summary>
    public string Transition { get; } = transition;

    public string Cluster { get; } = cluster;

    public string ChangeId { get; } = changeId;

    public QueuedChange? Found { get; } = found;

    private static string Describe(string transition, string cluster, string changeId, string? actor, QueuedChange? found)
    {
        var who = actor is null ? string.Empty : $" as {actor}";
        var state = found is null
            ? "it does not exist"
            : $"it is {QueuedChangeStatuses.Name(found.Status)}{(found.Holder is { } holder ? $" (holder {holder})" : " (no holder)")}";
        return $"cannot {transition} queued change {changeId} of cluster {cluster}{who}: {state}";
    }
}

/// <summary>
/// A queued change with this id already exists under another idempotency key (the id's 16 hex digits of the key's
/// SHA-256 collided at the same submission tick, or the item was written by something else). Nothing was written.
/// </summary>
public sealed class ChangeIdConflictException(string cluster, string changeId, string storedKey, string key, Exception? inner = null)
    : Exception($"queued change {changeId} of cluster {cluster} already exists with another idempotency key ('{storedKey}', not '{key}')", inner)
{
    public string Cluster { get; } = cluster;

    public string ChangeId { get; } = changeId;
}
