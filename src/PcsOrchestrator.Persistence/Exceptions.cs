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
