using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>Tunables of the workflow, read once at init from the function's environment.</summary>
public sealed record WorkflowSettings
{
    /// <summary>
    /// How long the cluster lock is held without renewal. The readiness and poll steps renew it whenever less than half
    /// of it would be left when the workflow next acts (after the wait they ask for); otherwise they save the write.
    /// </summary>
    public TimeSpan LockLease { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a completed idempotency record is kept (DynamoDB TTL).</summary>
    public TimeSpan CompletedKeyRetention { get; init; } = TimeSpan.FromDays(7);

    public BackoffPolicy Readiness { get; init; } = BackoffPolicy.Readiness;

    public BackoffPolicy Contention { get; init; } = BackoffPolicy.Contention;

    public UpdatePollPolicy UpdatePolling { get; init; } = UpdatePollPolicy.Default;

    /// <summary>Queued changes one window run takes at most; the rest wait for the next window.</summary>
    public int MaxChangesPerWindow { get; init; } = 50;

    /// <summary>
    /// How many windows a change that asked to be queued again after a failure (requeueOnFailure) may fail in: after
    /// that it is marked failed, so a change PCS always refuses does not fail every later window with it.
    /// </summary>
    public int MaxWindowAttempts { get; init; } = 3;

    /// <summary>How long after a window's end a run still waits for an update it started (PCS cannot cancel one).</summary>
    public TimeSpan WindowRunGrace { get; init; } = TimeSpan.FromHours(4);
}

/// <summary>Everything a step needs from outside: created once per process (Lambda init), shared by invocations.</summary>
public sealed record StepServices(IPcsGateway Pcs, IRunLedger Ledger, TimeProvider Time, IRandomSource Random, WorkflowSettings Settings, IMaintenanceLedger Maintenance, IWorkflowStarter Starter)
{
    /// <summary>
    /// A wait shortened, if need be, to half the lock's lease: the lock never runs out while the run waits, whatever
    /// the lease is configured to (the poll policy's longest gap is 7 minutes, half the default lease 7.5).
    /// </summary>
    public TimeSpan WithinLease(TimeSpan wait) => wait < Settings.LockLease / 2 ? wait : Settings.LockLease / 2;

    /// <summary>
    /// Renews the cluster lock when, after <paramref name="nextWait"/>, less than half of the lease would be left
    /// since its last renewal (or when no renewal is known); returns the time of the latest renewal. A lock another
    /// execution took fails with LockLost. Skipping is safe: no one else can take a lease with half of it left.
    /// </summary>
    public async Task<DateTimeOffset> KeepLeaseAsync(Contracts.RunState state, long fencingToken, DateTimeOffset now, TimeSpan nextWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var run = state.RequireRun();
        DateTimeOffset?[] known = [state.Claim?.LeaseRenewedAt, state.Readiness?.LeaseRenewedAt, state.Apply?.LeaseRenewedAt, state.Rollback?.LeaseRenewedAt, state.Poll?.LeaseRenewedAt];
        var last = known.Max();
        if (last is { } renewed && renewed <= now && renewed + Settings.LockLease - (now + nextWait) >= Settings.LockLease / 2)
        {
            return renewed;
        }

        await Ledger.RenewLockAsync(run.ClusterIdentifier, run.ExecutionId, fencingToken, Settings.LockLease, cancellationToken);
        return now;
    }
}
