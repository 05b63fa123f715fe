using System.Text.Json.Nodes;

namespace PcsOrchestrator.Functions.Ports;

public enum KeyClaimStatus
{
    /// <summary>This execution now owns the key (first claim, a takeover, or its own claim again).</summary>
    Claimed,

    /// <summary>The key completed earlier: the stored result is returned and nothing is done again.</summary>
    Completed,

    /// <summary>Another execution holds the key and its claim has not expired.</summary>
    HeldByOther,
}

public sealed record KeyClaim(KeyClaimStatus Status, string? Owner, string? StoredResultJson);

public sealed record LockClaim(bool Acquired, long FencingToken, string? HeldBy, DateTimeOffset? HeldUntil);

/// <summary>One audit entry to append. JSON members are small documents (change set, configurations, error).</summary>
public sealed record AuditDraft(string ClusterIdentifier, string EventType, string ExecutionId)
{
    public string? IdempotencyKey { get; init; }

    public string? Source { get; init; }

    public string? Actor { get; init; }

    public string? Reason { get; init; }

    public JsonNode? Changes { get; init; }

    public JsonNode? Before { get; init; }

    public JsonNode? After { get; init; }

    public JsonNode? Error { get; init; }

    /// <summary>For maintenance windows: the queued change an entry is about, or what a window run merged.</summary>
    public JsonNode? Window { get; init; }

    public double? DurationSeconds { get; init; }

    public int? Polls { get; init; }

    /// <summary>The cluster lock's fencing token when the entry is written under the lock.</summary>
    public long? FencingToken { get; init; }

    /// <summary>Where this run's own last entry left the cluster's chain, if it wrote one: saves reading the head.</summary>
    public Contracts.AuditMark? ExpectedHead { get; init; }
}

/// <summary>
/// The durable records of a run: idempotency key, cluster lock and audit log (DynamoDB in production).
/// The adapter translates store-specific failures: <c>IdempotencyKeyReused</c>, <c>LockLost</c> and
/// <c>StoreTransient</c> as <see cref="StepException"/>s.
/// </summary>
public interface IRunLedger
{
    Task<KeyClaim> ClaimKeyAsync(string key, string payloadHash, string owner, string clientToken, DateTimeOffset claimExpiresAt, CancellationToken cancellationToken);

    Task CompleteKeyAsync(string key, string owner, string resultJson, CancellationToken cancellationToken);

    /// <summary>
    /// What this execution stored with the key when it finished it (completed with its result, or released with a
    /// deferral's result or a failure's reason), or null when the key is not finished by it: how a retried Finalize
    /// (its first attempt's answer lost) knows the run is already finished.
    /// </summary>
    Task<string?> FinishedResultAsync(string key, string owner, CancellationToken cancellationToken);

    /// <summary>Marks the key failed so a later request with the same key may run again; <paramref name="reason"/> is stored with it.</summary>
    Task ReleaseKeyAsync(string key, string owner, string reason, CancellationToken cancellationToken);

    Task<LockClaim> AcquireLockAsync(string clusterIdentifier, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the lease; throws <c>LockLost</c> when another owner took the lock.</summary>
    Task RenewLockAsync(string clusterIdentifier, string owner, long fencingToken, TimeSpan lease, CancellationToken cancellationToken);

    Task ReleaseLockAsync(string clusterIdentifier, string owner, CancellationToken cancellationToken);

    /// <summary>Appends the entry to its cluster's chain and returns where the chain now ends.</summary>
    Task<Contracts.AuditMark> AppendAuditAsync(AuditDraft entry, CancellationToken cancellationToken);

    /// <summary>
    /// How long the cluster's most recent successful updates took (the <c>durationSeconds</c> of its "succeeded" audit
    /// entries), most recent first: at most <paramref name="count"/>, found among the newest
    /// <paramref name="scanLimit"/> entries.
    /// </summary>
    Task<IReadOnlyList<double>> RecentUpdateDurationsAsync(string clusterIdentifier, int count, int scanLimit, CancellationToken cancellationToken);
}
