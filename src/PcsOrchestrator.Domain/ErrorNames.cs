namespace PcsOrchestrator.Domain;

/// <summary>
/// The error names a Lambda handler reports as its <c>errorType</c>, which the state machine's Retry and Catch
/// match on. This is the one list; docs/architecture.md mirrors it.
/// </summary>
public static class ErrorNames
{
    /// <summary>The request failed validation; the issues name each field and rule. Not retried.</summary>
    public const string RequestInvalid = "RequestInvalid";

    /// <summary>The same idempotency key arrived with a different request. Not retried.</summary>
    public const string IdempotencyKeyReused = "IdempotencyKeyReused";

    /// <summary>Another execution holds the key or the cluster's lock. Waited on with backoff until the deadline.</summary>
    public const string AlreadyInProgress = "AlreadyInProgress";

    /// <summary>The cluster or a child is in a state a person must fix. Not retried.</summary>
    public const string ClusterBlocked = "ClusterBlocked";

    /// <summary>The cluster does not exist. Not retried.</summary>
    public const string ClusterNotFound = "ClusterNotFound";

    /// <summary>PCS throttled the call (after the client's own retries). Retried with backoff.</summary>
    public const string PcsThrottled = "PcsThrottled";

    /// <summary>PCS returned 5xx, the network failed or a call timed out. Retried with backoff.</summary>
    public const string PcsTransient = "PcsTransient";

    /// <summary>PCS refused UpdateCluster because the cluster changed state under us: back to waiting for readiness.</summary>
    public const string PcsConflict = "PcsConflict";

    /// <summary>PCS rejected the request's content (ValidationException). Not retried.</summary>
    public const string PcsValidation = "PcsValidation";

    /// <summary>The orchestrator's role may not call PCS. Not retried.</summary>
    public const string PcsAccessDenied = "PcsAccessDenied";

    /// <summary>The run's deadline passed before the update finished.</summary>
    public const string DeadlinePassed = "DeadlinePassed";

    /// <summary>The cluster ended in UPDATE_FAILED.</summary>
    public const string UpdateFailed = "UpdateFailed";

    /// <summary>The update finished but the cluster's configuration does not match the desired one.</summary>
    public const string VerificationFailed = "VerificationFailed";

    /// <summary>The cluster lock was lost to another owner (its lease expired); the fencing value refused our write.</summary>
    public const string LockLost = "LockLost";

    /// <summary>A DynamoDB call failed transiently. Retried with backoff.</summary>
    public const string StoreTransient = "StoreTransient";

    /// <summary>Step Functions refused to start a window's cluster run for now (throttled, 5xx, unreachable). Retried with backoff.</summary>
    public const string WorkflowTransient = "WorkflowTransient";

    /// <summary>The request asked for the next maintenance window of a cluster that has none. Not retried.</summary>
    public const string NoMaintenanceWindow = "NoMaintenanceWindow";

    /// <summary>The queued changes of a window, merged, break a limit no single change did. Not retried; the changes are marked failed.</summary>
    public const string MergedChangeInvalid = "MergedChangeInvalid";

    public static IReadOnlyList<string> All { get; } =
    [
        RequestInvalid, IdempotencyKeyReused, AlreadyInProgress, ClusterBlocked, ClusterNotFound, PcsThrottled,
        PcsTransient, PcsConflict, PcsValidation, PcsAccessDenied, DeadlinePassed, UpdateFailed, VerificationFailed,
        LockLost, StoreTransient, WorkflowTransient, NoMaintenanceWindow, MergedChangeInvalid,
    ];
}
