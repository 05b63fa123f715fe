using System.Text.Json;
using PcsOrchestrator.Domain.Timing;

namespace PcsOrchestrator.Functions.Contracts;

/// <summary>
/// The document the state machine carries from step to step. Each step reads what it needs and returns its own
/// section, which the state machine stores at the section's ResultPath (<c>$.claim</c>, <c>$.readiness</c>, ...).
/// Before Prepare has run, only <see cref="Input"/>, <see cref="ExecutionId"/> and <see cref="StartTime"/> exist.
/// </summary>
public sealed class RunState
{
    public JsonElement? Input { get; set; }

    public string? ExecutionId { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    public RunInfo? Run { get; set; }

    /// <summary>For a maintenance window's opening (instead of <see cref="Run"/>): which window opened, and when.</summary>
    public WindowOpeningInfo? Opening { get; set; }

    public ClaimResult? Claim { get; set; }

    public ReadinessResult? Readiness { get; set; }

    public PlanResult? Plan { get; set; }

    public ApplyResult? Apply { get; set; }

    public PollResult? Poll { get; set; }

    public ApplyResult? Rollback { get; set; }

    public VerifyResult? Verify { get; set; }

    /// <summary>The error a Catch stored: <c>{"Error": ..., "Cause": ...}</c>.</summary>
    public StepError? Error { get; set; }

    /// <summary>The last PcsConflict a Catch stored before going back to the readiness loop.</summary>
    public StepError? Conflict { get; set; }
}

public static class RunKinds
{
    /// <summary>An update request (direct, EventBridge or a scheduler input).</summary>
    public const string Request = "request";

    /// <summary>One cluster's run in an open maintenance window: its queued changes merged into one update.</summary>
    public const string Window = "window";
}

/// <summary>The accepted request and its identity (the output of Prepare, at <c>$.run</c>).</summary>
public sealed class RunInfo
{
    /// <summary><see cref="RunKinds.Request"/> or <see cref="RunKinds.Window"/>.</summary>
    public string Kind { get; set; } = RunKinds.Request;

    /// <summary>For a window run: the window and the occurrence it runs in.</summary>
    public WindowRunInfo? Window { get; set; }

    public required string ExecutionId { get; set; }

    public required string ClusterIdentifier { get; set; }

    public required DateTimeOffset ReceivedAt { get; set; }

    public required DateTimeOffset Deadline { get; set; }

    public required string IdempotencyKey { get; set; }

    public required string PayloadHash { get; set; }

    public required string ClientToken { get; set; }

    public required string RollbackClientToken { get; set; }

    public bool ExplicitClientToken { get; set; }

    public bool DryRun { get; set; }

    public bool RollbackOnFailure { get; set; }

    public required string Origin { get; set; }

    public string? Source { get; set; }

    public string? RequestedBy { get; set; }

    public string? Reason { get; set; }

    public string? EventId { get; set; }

    /// <summary>The normalized request in the direct-request shape (see RequestWriter); absent for a window run.</summary>
    public JsonElement? Request { get; set; }
}

/// <summary>The window occurrence a window run belongs to.</summary>
public sealed class WindowRunInfo
{
    public required string Name { get; set; }

    public required DateTimeOffset Start { get; set; }

    public required DateTimeOffset End { get; set; }

    public int CutoffMinutes { get; set; }

    /// <summary><c>off</c>, <c>report</c> or <c>correct</c>.</summary>
    public string Drift { get; set; } = "off";

    public DateTimeOffset ScheduledTime { get; set; }

    /// <summary>The last instant an update may start: end minus cutoff.</summary>
    public DateTimeOffset LatestStart => End.AddMinutes(-CutoffMinutes);

    public Domain.Model.MaintenanceWindow ToWindow() => new(End, TimeSpan.FromMinutes(CutoffMinutes)) { Start = Start };
}

/// <summary>A maintenance window opened (the schedule's input, read by Prepare).</summary>
public sealed class WindowOpeningInfo
{
    public required string Window { get; set; }

    public required DateTimeOffset ScheduledTime { get; set; }

    public string? ScheduleArn { get; set; }

    public required string ExecutionId { get; set; }

    /// <summary>The state machine this execution runs in: the window's cluster runs are started in it too.</summary>
    public string? StateMachineArn { get; set; }
}

/// <summary>The output of Prepare: the whole state from then on (a run, or a window's opening).</summary>
public sealed class PrepareResult
{
    public RunInfo? Run { get; set; }

    public WindowOpeningInfo? Opening { get; set; }
}

public static class ClaimOutcomes
{
    public const string Claimed = "CLAIMED";
    public const string Duplicate = "DUPLICATE";
    public const string Contended = "CONTENDED";

    /// <summary>The request was queued for the cluster's next maintenance window (the result is the execution's output).</summary>
    public const string Queued = "QUEUED";

    /// <summary>A window run could not get the cluster before the window's cutoff: its changes wait for the next window.</summary>
    public const string Late = "LATE";
}

public sealed class ClaimResult
{
    public required string Outcome { get; set; }

    public int Attempt { get; set; }

    public int WaitSeconds { get; set; }

    public long? FencingToken { get; set; }

    /// <summary>When the cluster lock was taken (its lease runs from here).</summary>
    public DateTimeOffset? LeaseRenewedAt { get; set; }

    public string? HeldBy { get; set; }

    /// <summary>For a duplicate: the result the first execution stored.</summary>
    public JsonElement? StoredResult { get; set; }

    /// <summary>For a queued request: the execution's output.</summary>
    public FinalResult? Result { get; set; }

    /// <summary>For a LATE window run: why.</summary>
    public string? Reason { get; set; }

    /// <summary>The drift mode of the window that covers the cluster (null: no window), so Finalize records the applied configuration only where drift is watched.</summary>
    public string? WindowDrift { get; set; }

    /// <summary>Where the audit chain ended after this run's latest entry, as far as this step knows.</summary>
    public AuditMark? AuditHead { get; set; }
}

public static class ReadinessVerdicts
{
    public const string Ready = "READY";
    public const string Wait = "WAIT";

    /// <summary>A window run: the cluster did not become ready before the window's cutoff; its changes wait for the next window.</summary>
    public const string Defer = "DEFER";
}

public sealed class ReadinessResult
{
    public required string Verdict { get; set; }

    public int Attempt { get; set; }

    public int WaitSeconds { get; set; }

    public string ClusterStatus { get; set; } = string.Empty;

    public IReadOnlyList<string> Reasons { get; set; } = [];

    /// <summary>When the cluster lock's lease was last renewed, by this step or an earlier one.</summary>
    public DateTimeOffset? LeaseRenewedAt { get; set; }

    /// <summary>Where the audit chain ended after this run's latest entry, as far as this step knows.</summary>
    public AuditMark? AuditHead { get; set; }
}

public static class PlanOutcomes
{
    public const string Apply = "APPLY";
    public const string NoChange = "NO_CHANGE";
    public const string DryRun = "DRY_RUN";
    public const string Defer = "DEFER";
}

public sealed class ChangeItem
{
    public required string Path { get; set; }

    public string? Current { get; set; }

    public string? Desired { get; set; }
}

public sealed class PlanResult
{
    public required string Outcome { get; set; }

    public IReadOnlyList<ChangeItem> Changes { get; set; } = [];

    /// <summary>The UpdateCluster slurmConfiguration: only the sections that change.</summary>
    public JsonElement? Payload { get; set; }

    /// <summary>The complete configuration before the update (what a rollback restores).</summary>
    public JsonElement? Before { get; set; }

    /// <summary>The complete configuration the cluster should have afterwards.</summary>
    public JsonElement? Desired { get; set; }

    public string? Reason { get; set; }

    /// <summary>Whether a failed update is rolled back: the request's option, or for a window any included change's.</summary>
    public bool RollbackOnFailure { get; set; }

    /// <summary>For a window run: the queued changes this run took, in submission order.</summary>
    public IReadOnlyList<IncludedChange>? Included { get; set; }

    /// <summary>For a window run: fields and settings two included changes set differently (the later one won).</summary>
    public IReadOnlyList<ConflictItem>? Conflicts { get; set; }

    /// <summary>For a window run with drift detection: how the live configuration differed from the last applied one.</summary>
    public IReadOnlyList<DriftEntry>? Drift { get; set; }

    /// <summary>For a window run: the plan restores the last applied configuration (drift correction).</summary>
    public bool CorrectsDrift { get; set; }

    /// <summary>
    /// Where the cluster's window watches drift: the configuration the orchestrator means the cluster to have once this
    /// succeeds (the change applied to the last applied configuration, not to a drifted one), which Finalize records.
    /// </summary>
    public JsonElement? Intended { get; set; }

    /// <summary>Where the audit chain ended after this run's latest entry, as far as this step knows.</summary>
    public AuditMark? AuditHead { get; set; }
}

/// <summary>A queued change a window run took.</summary>
public sealed class IncludedChange
{
    public required string ChangeId { get; set; }

    public required string IdempotencyKey { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public string? RequestedBy { get; set; }

    public string? Reason { get; set; }

    public string? Source { get; set; }

    public bool RequeueOnFailure { get; set; }
}

/// <summary>One conflict between included changes: each change's value (null: removed), in submission order; the last wins.</summary>
public sealed class ConflictItem
{
    public required string Path { get; set; }

    public IReadOnlyList<ConflictValue> Values { get; set; } = [];

    public string? Winner { get; set; }
}

public sealed class ConflictValue
{
    public required string ChangeId { get; set; }

    public string? Value { get; set; }
}

/// <summary>One drifted field or setting: what the orchestrator last applied, what the cluster has (null: absent).</summary>
public sealed class DriftEntry
{
    public required string Path { get; set; }

    public string? Applied { get; set; }

    public string? Live { get; set; }
}

public sealed class ApplyResult
{
    public required DateTimeOffset StartedAt { get; set; }

    public required string ClientToken { get; set; }

    public int WaitSeconds { get; set; }

    public string ClusterStatus { get; set; } = string.Empty;

    /// <summary>When Poll looks at the cluster again (absent in states written before schedules: fixed polling).</summary>
    public PollScheduleDocument? Schedule { get; set; }

    /// <summary>When the cluster lock's lease was last renewed, by this step or an earlier one.</summary>
    public DateTimeOffset? LeaseRenewedAt { get; set; }

    /// <summary>Where the audit chain ended after this run's latest entry, as far as this step knows.</summary>
    public AuditMark? AuditHead { get; set; }
}

/// <summary>Where the cluster's audit chain ended after this run's last entry (what the next append expects).</summary>
public sealed class AuditMark
{
    public long Sequence { get; set; }

    public string Hash { get; set; } = string.Empty;
}

/// <summary>
/// A <see cref="PollSchedule"/> as it travels in the state: seconds since UpdateCluster of the first look, the dense
/// interval and where it ends (null: fixed polling), the longest gap, and how many earlier updates shaped it.
/// </summary>
public sealed class PollScheduleDocument
{
    public int FirstSeconds { get; set; }

    public int IntervalSeconds { get; set; }

    public int? DenseUntilSeconds { get; set; }

    public int MaxIntervalSeconds { get; set; }

    public int BasedOn { get; set; }

    public static PollScheduleDocument From(PollSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new()
        {
            FirstSeconds = schedule.FirstSeconds,
            IntervalSeconds = schedule.IntervalSeconds,
            DenseUntilSeconds = schedule.DenseUntilSeconds,
            MaxIntervalSeconds = schedule.MaxIntervalSeconds,
            BasedOn = schedule.BasedOn,
        };
    }

    public PollSchedule ToSchedule() =>
        new(Math.Max(1, FirstSeconds), Math.Max(1, IntervalSeconds), DenseUntilSeconds, Math.Max(1, MaxIntervalSeconds), BasedOn);
}

public static class PollStatuses
{
    public const string Updating = "UPDATING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
}

public static class PollPhases
{
    public const string Update = "UPDATE";
    public const string Rollback = "ROLLBACK";
}

public sealed class PollResult
{
    public required string Status { get; set; }

    public required string Phase { get; set; }

    public int Attempt { get; set; }

    public int Polls { get; set; }

    public int WaitSeconds { get; set; }

    public string ClusterStatus { get; set; } = string.Empty;

    public IReadOnlyList<string> ErrorInfo { get; set; } = [];

    public double ElapsedSeconds { get; set; }

    /// <summary>When the cluster lock's lease was last renewed, by this step or an earlier one.</summary>
    public DateTimeOffset? LeaseRenewedAt { get; set; }
}

public sealed class VerifyResult
{
    public bool Verified { get; set; }

    public JsonElement? After { get; set; }
}

/// <summary>What a Catch stores: Step Functions' <c>{"Error", "Cause"}</c>.</summary>
public sealed class StepError
{
    [System.Text.Json.Serialization.JsonPropertyName("Error")]
    public string? Error { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("Cause")]
    public string? Cause { get; set; }
}

/// <summary>The execution's output on success (Finalize).</summary>
public sealed class FinalResult
{
    public required string Outcome { get; set; }

    public required string ClusterIdentifier { get; set; }

    public required string IdempotencyKey { get; set; }

    public required string ExecutionId { get; set; }

    public IReadOnlyList<ChangeItem> Changes { get; set; } = [];

    public string? Reason { get; set; }

    public double DurationSeconds { get; set; }

    public int Polls { get; set; }

    /// <summary>For a duplicate: the execution whose result this is.</summary>
    public string? OriginalExecutionId { get; set; }

    /// <summary>For a queued request or a window run: the maintenance window.</summary>
    public string? Window { get; set; }

    /// <summary>For a queued request: the id of the queued change (what <c>queue cancel</c> takes).</summary>
    public string? ChangeId { get; set; }

    /// <summary>
    /// For a duplicate of a queued request: where the queued change stands now (pending, applying, applied, failed,
    /// cancelled; "expired" once its record is gone), so a late redelivery does not report a stale "queued".
    /// </summary>
    public string? ChangeStatus { get; set; }

    /// <summary>For a duplicate of a queued request: the outcome the change's settlement recorded.</summary>
    public string? ChangeOutcome { get; set; }

    /// <summary>For a queued request: when the window opens next.</summary>
    public DateTimeOffset? OpensAt { get; set; }

    /// <summary>For a window run: the ids of the queued changes it applied (or, deferred, left queued).</summary>
    public IReadOnlyList<string>? IncludedChanges { get; set; }
}

/// <summary>OpenWindow's output: the cluster runs a window's opening started, and the clusters it left alone.</summary>
public sealed class OpenWindowResult
{
    public static class Outcomes
    {
        public const string Opened = "opened";
        public const string NoWindow = "no-window";
        public const string NotOpen = "not-open";
    }

    public required string Outcome { get; set; }

    public required string Window { get; set; }

    public DateTimeOffset? Start { get; set; }

    public DateTimeOffset? End { get; set; }

    public string? Reason { get; set; }

    public IReadOnlyList<WindowClusterRun> Runs { get; set; } = [];
}

public sealed class WindowClusterRun
{
    public required string ClusterIdentifier { get; set; }

    /// <summary><c>started</c>, <c>already-started</c> or <c>skipped</c>.</summary>
    public required string Action { get; set; }

    public string? ExecutionName { get; set; }

    public int Pending { get; set; }

    public string? Reason { get; set; }
}

/// <summary>RecordFailure's output: the Fail state's Error and Cause.</summary>
public sealed class FailureResult
{
    public required string Error { get; set; }

    public required string Cause { get; set; }

    public string? AuditEvent { get; set; }
}

/// <summary>The input of Prepare (built by the Receive Pass state).</summary>
public sealed class PrepareInput
{
    public JsonElement Input { get; set; }

    public string? ExecutionId { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    /// <summary>The state machine's ARN (<c>$$.StateMachine.Id</c>), which a window's opening starts its cluster runs in.</summary>
    public string? StateMachineArn { get; set; }
}
