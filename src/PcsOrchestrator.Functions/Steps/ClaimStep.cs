using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Admit the request (now, or queued for its cluster's next maintenance window), claim the idempotency key, then,
/// for a change applied now, the cluster lock. A completed key is a duplicate (its stored result is returned); a
/// queued change is stored with its audit entry and the run ends; a key or lock held by another execution means
/// waiting with backoff until the deadline (for a window run: until the window's cutoff, then LATE).
/// </summary>
public sealed class ClaimStep(StepServices services)
{
    public async Task<ClaimResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var attempt = state.Claim is { Outcome: ClaimOutcomes.Contended } previous ? previous.Attempt + 1 : 0;
        var now = services.Time.GetUtcNow();

        // Admission first: a refused request has claimed nothing.
        WindowDefinition? window = null;
        AdmissionDecision? admission = null;
        if (run.Kind == RunKinds.Request)
        {
            window = await services.Maintenance.WindowOfClusterAsync(run.ClusterIdentifier, cancellationToken);
            admission = Admission.Decide(run.RequireRequest(), window, services.Maintenance.DefaultApply, now);
            if (admission.Refused)
            {
                throw new StepException(ErrorNames.NoMaintenanceWindow, admission.Refusal + "; nothing was queued or changed");
            }
        }

        // The claim must outlive the whole run: an execution that dies leaves a key others may take after the deadline.
        var key = await services.Ledger.ClaimKeyAsync(run.IdempotencyKey, run.PayloadHash, run.ExecutionId, run.ClientToken, run.Deadline.AddMinutes(5), cancellationToken);
        switch (key.Status)
        {
            case KeyClaimStatus.Completed when key.Owner == run.ExecutionId && key.StoredResultJson is { } mine
                && JsonSerializer.Deserialize(mine, FunctionsJsonContext.Default.FinalResult) is { Outcome: FinalizeStep.Outcomes.Queued } queued:
                // A retry of this very step after it queued the change (its answer was lost): the same answer again.
                return new ClaimResult { Outcome = ClaimOutcomes.Queued, Attempt = attempt, Result = queued, AuditHead = state.LatestAuditHead() };
            case KeyClaimStatus.Completed:
                return new ClaimResult
                {
                    Outcome = ClaimOutcomes.Duplicate,
                    Attempt = attempt,
                    HeldBy = key.Owner,
                    StoredResult = key.StoredResultJson is { } stored ? JsonDocument.Parse(stored).RootElement.Clone() : null,
                };
            case KeyClaimStatus.HeldByOther:
                return Contended(run, attempt, now, $"idempotency key {run.IdempotencyKey}", key.Owner);
        }

        if (admission is { Apply: ApplyMode.NextWindow })
        {
            return await QueueAsync(state, run, window!, admission, attempt, now, cancellationToken);
        }

        var lease = await services.Ledger.AcquireLockAsync(run.ClusterIdentifier, run.ExecutionId, services.Settings.LockLease, cancellationToken);
        if (!lease.Acquired)
        {
            return Contended(run, attempt, now, $"cluster {run.ClusterIdentifier}", lease.HeldBy);
        }

        var head = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Requested, run.ExecutionId)
        {
            ExpectedHead = state.LatestAuditHead(),
            IdempotencyKey = run.IdempotencyKey,
            Source = run.Source ?? run.Origin,
            Actor = run.RequestedBy,
            Reason = run.Reason,
            After = run.Request is { } request ? JsonNode.Parse(request.GetRawText()) : null,
            FencingToken = lease.FencingToken,
        }, cancellationToken);

        return new ClaimResult { Outcome = ClaimOutcomes.Claimed, Attempt = attempt, FencingToken = lease.FencingToken, LeaseRenewedAt = now, AuditHead = head, WindowDrift = window?.Drift.ToWire() };
    }

    /// <summary>
    /// Stores the change in the cluster's queue with its <c>queued</c> entry (one write; a retry finds it there), and
    /// completes the key with the result, so a second delivery of the same request is a duplicate of this one.
    /// </summary>
    private async Task<ClaimResult> QueueAsync(RunState state, RunInfo run, WindowDefinition window, AdmissionDecision admission, int attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var requestJson = run.Request!.Value.GetRawText();
        var reason = run.Reason is null ? admission.Reason : $"{run.Reason}; {admission.Reason}";
        var queued = await services.Maintenance.EnqueueAsync(
            new QueueEntry(run.ClusterIdentifier, run.IdempotencyKey, run.ReceivedAt, requestJson, run.ExecutionId, run.RequestedBy, run.Reason, run.Source ?? run.Origin, window.Name),
            new AuditDraft(run.ClusterIdentifier, AuditEvents.Queued, run.ExecutionId)
            {
                ExpectedHead = state.LatestAuditHead(),
                IdempotencyKey = run.IdempotencyKey,
                Source = run.Source ?? run.Origin,
                Actor = run.RequestedBy,
                Reason = reason,
                After = JsonNode.Parse(requestJson),
            },
            cancellationToken);

        var result = new FinalResult
        {
            Outcome = FinalizeStep.Outcomes.Queued,
            ClusterIdentifier = run.ClusterIdentifier,
            IdempotencyKey = run.IdempotencyKey,
            ExecutionId = run.ExecutionId,
            Reason = admission.Reason,
            Window = window.Name,
            ChangeId = queued.ChangeId,
            OpensAt = window.Schedule.Occurrences(now, 2).FirstOrDefault(w => w.Start > now)?.Start,
            DurationSeconds = Math.Round((now - run.ReceivedAt).TotalSeconds, 3),
        };
        await services.Ledger.CompleteKeyAsync(run.IdempotencyKey, run.ExecutionId, JsonSerializer.Serialize(result, FunctionsJsonContext.Default.FinalResult), cancellationToken);
        return new ClaimResult { Outcome = ClaimOutcomes.Queued, Attempt = attempt, Result = result, AuditHead = queued.AuditHead ?? state.LatestAuditHead() };
    }

    private ClaimResult Contended(RunInfo run, int attempt, DateTimeOffset now, string what, string? holder)
    {
        // A window run may only start its update before the window's cutoff: it waits until then, not until its deadline.
        var until = run.Window?.LatestStart ?? run.Deadline;
        var decision = services.Settings.Contention.Next(attempt, services.Random, now, until);
        if (decision.GiveUp && run.Window is { } window)
        {
            return new ClaimResult
            {
                Outcome = ClaimOutcomes.Late,
                Attempt = attempt,
                HeldBy = holder,
                Reason = $"deferred: {what} was held by execution {holder ?? "(unknown)"} until past the cutoff of maintenance window {window.Name} ({Domain.Parsing.RequestWriter.Timestamp(window.LatestStart)})",
            };
        }

        if (decision.GiveUp)
        {
            throw new StepException(ErrorNames.AlreadyInProgress,
                $"{what} is held by execution {holder ?? "(unknown)"}, and {decision.Reason} (deadline {Domain.Parsing.RequestWriter.Timestamp(run.Deadline)}); no update was made");
        }

        return new ClaimResult { Outcome = ClaimOutcomes.Contended, Attempt = attempt, WaitSeconds = RunStateExtensions.WaitSeconds(decision.Delay), HeldBy = holder };
    }
}

/// <summary>The audit event types the workflow writes.</summary>
public static class AuditEvents
{
    public const string Requested = "requested";
    public const string Rejected = "rejected";
    public const string Waiting = "waiting";
    public const string Blocked = "blocked";
    public const string Planned = "planned";
    public const string NoChange = "no-change";
    public const string DryRun = "dry-run";
    public const string Deferred = "deferred";
    public const string UpdateStarted = "update-started";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string RollbackStarted = "rollback-started";
    public const string RolledBack = "rolled-back";
    public const string Duplicate = "duplicate";
    public const string Queued = "queued";
    public const string Cancelled = "cancelled";
    public const string Applied = "applied";
    public const string ApplyFailed = "apply-failed";
    public const string DriftDetected = "drift-detected";
    public const string DriftCorrected = "drift-corrected";
}
