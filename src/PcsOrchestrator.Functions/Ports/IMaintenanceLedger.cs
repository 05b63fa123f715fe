using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Functions.Ports;

/// <summary>A queued change as a window run sees it: the change, its idempotency key, its state, and who queued it.</summary>
public sealed record HeldChange(QueuedChange Change, string IdempotencyKey, string Status, string? Holder, string? Source, string? Window, int Attempts)
{
    public const string Pending = "pending";
    public const string Applying = "applying";

    public string ChangeId => Change.ChangeId;

    public UpdateRequest Request => Change.Request;
}

/// <summary>What to queue: one accepted request, in the shape the queue stores it.</summary>
public sealed record QueueEntry(
    string ClusterIdentifier,
    string IdempotencyKey,
    DateTimeOffset SubmittedAt,
    string RequestJson,
    string SubmittedBy,
    string? RequestedBy,
    string? Reason,
    string? Source,
    string Window);

/// <summary>What became of a queued change a window run took.</summary>
public enum Settlement
{
    /// <summary>The window applied it (or the cluster already had it).</summary>
    Applied,

    /// <summary>The window failed; the change is marked failed.</summary>
    Failed,

    /// <summary>The window failed; the change asked to be queued again (requeueOnFailure): back to pending.</summary>
    Requeued,

    /// <summary>The window could not start before its cutoff: back to pending for the next window.</summary>
    Released,
}

/// <summary>Where a queued change stands now: pending, applying, applied, failed or cancelled, with the outcome its settlement recorded.</summary>
public sealed record ChangeState(string Status, string? Outcome, DateTimeOffset UpdatedAt);

/// <summary>The outcome of queuing: the change's id and whether this call created it (a retry finds it already there).</summary>
public sealed record EnqueueOutcome(string ChangeId, bool Created, Contracts.AuditMark? AuditHead);

/// <summary>
/// Maintenance windows, the per-cluster queue of changes and the last configuration the orchestrator applied
/// (DynamoDB's maintenance table in production). Every state change of a queued change is written together with
/// its audit entry. Store failures become <see cref="StepException"/>s (StoreTransient) as in <see cref="IRunLedger"/>.
/// </summary>
public interface IMaintenanceLedger
{
    /// <summary>What a request that says nothing does for a cluster whose window sets no default (template parameter DefaultApply).</summary>
    ApplyMode DefaultApply { get; }

    /// <summary>The window that covers the cluster: the one stored for it, else the stack's default window if it lists the cluster.</summary>
    Task<WindowDefinition?> WindowOfClusterAsync(string clusterIdentifier, CancellationToken cancellationToken);

    /// <summary>A window by name: the stored one, else the stack's default window when the name is its name.</summary>
    Task<WindowDefinition?> GetWindowAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Queues the change and writes <paramref name="entry"/> (its <c>queued</c> audit entry) in one write. A change
    /// already queued (a retried step) is left as it is and the entry is not written again.
    /// </summary>
    Task<EnqueueOutcome> EnqueueAsync(QueueEntry change, AuditDraft entry, CancellationToken cancellationToken);

    /// <summary>The cluster's pending changes and those being applied (by anyone), in submission order.</summary>
    Task<IReadOnlyList<HeldChange>> ChangesForRunAsync(string clusterIdentifier, CancellationToken cancellationToken);

    /// <summary>Where one queued change stands now; null when it is not there (never queued, or deleted by its TTL after it finished).</summary>
    Task<ChangeState?> ChangeStateAsync(string clusterIdentifier, string changeId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a change for <paramref name="holder"/>: a pending one (idempotent for the same holder), or, with
    /// <paramref name="from"/>, one an earlier run left applying (only a run that holds the cluster's lock may). False
    /// when it is no longer in that state (cancelled, or settled, meanwhile).
    /// </summary>
    Task<bool> TakeAsync(string clusterIdentifier, string changeId, string holder, string? from, CancellationToken cancellationToken);

    /// <summary>
    /// Settles a change <paramref name="holder"/> took and writes <paramref name="entry"/> with it, in one write. Null
    /// when the change is no longer held by it (an earlier attempt of the same step settled it already).
    /// </summary>
    Task<Contracts.AuditMark?> SettleAsync(string clusterIdentifier, string changeId, string holder, Settlement settlement, string outcome, AuditDraft entry, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="entry"/> (a <c>deferred</c> entry) for a pending change <paramref name="run"/> never took,
    /// with a mark on the change, in one write. Null, and nothing written, when the change is no longer pending
    /// (cancelled meanwhile) or the run wrote it already (an earlier attempt of the same step).
    /// </summary>
    Task<Contracts.AuditMark?> NoteDeferredAsync(string clusterIdentifier, string changeId, string run, AuditDraft entry, CancellationToken cancellationToken);

    /// <summary>The complete configuration the orchestrator last applied to the cluster (or found already there), if any.</summary>
    Task<ClusterConfiguration?> LastAppliedAsync(string clusterIdentifier, CancellationToken cancellationToken);

    Task RecordAppliedAsync(string clusterIdentifier, ClusterConfiguration configuration, string executionId, CancellationToken cancellationToken);
}

/// <summary>Starts executions of the state machine (a window opening starts one run per cluster).</summary>
public interface IWorkflowStarter
{
    /// <summary>Starts an execution; false when an execution of that name exists already (started by an earlier attempt).</summary>
    Task<bool> StartAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken);
}
