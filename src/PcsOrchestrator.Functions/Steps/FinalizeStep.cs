using System.Text.Json;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Ends a successful run: the outcome (succeeded, no-change, dry-run, deferred or duplicate) becomes the final audit
/// entry and the execution's output; the idempotency record is completed (freed for a deferred request, which has
/// not happened yet) and the cluster lock released. Where a window watches drift, the configuration the orchestrator
/// means the cluster to have is recorded as the last applied one (the reference for drift). A window run first settles every queued change it took:
/// applied (each with its own <c>applied</c> entry) or, deferred, back in the queue (each with a <c>deferred</c> entry).
/// </summary>
public sealed class FinalizeStep(StepServices services)
{
    public static class Outcomes
    {
        public const string Succeeded = "succeeded";
        public const string NoChange = "no-change";
        public const string DryRun = "dry-run";
        public const string Deferred = "deferred";
        public const string Duplicate = "duplicate";
        public const string Queued = "queued";
    }

    public async Task<FinalResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var now = services.Time.GetUtcNow();
        if (state.Claim is { Outcome: ClaimOutcomes.Duplicate } duplicate)
        {
            return await DuplicateAsync(run, duplicate, now, cancellationToken);
        }

        // Step Functions retries a Task whose answer was lost; the first attempt may have finished the run already
        // (completed the key with its result, or, deferred, released it with its result) and released the lock.
        if (await services.Ledger.FinishedResultAsync(run.IdempotencyKey, run.ExecutionId, cancellationToken) is { } finished
            && StoredResult(finished) is { } earlier)
        {
            await services.Ledger.ReleaseLockAsync(run.ClusterIdentifier, run.ExecutionId, cancellationToken);
            return earlier;
        }

        var plan = state.Plan;
        var (outcome, reason) = (state.Claim, state.Readiness, plan) switch
        {
            ({ Outcome: ClaimOutcomes.Late } claim, _, _) => (Outcomes.Deferred, claim.Reason),
            (_, { Verdict: ReadinessVerdicts.Defer } readiness, _) => (Outcomes.Deferred, readiness.Reasons.Count > 0 ? readiness.Reasons[0] : null),
            (_, _, null) => throw new InvalidOperationException("the state has no plan"),
            (_, _, { Outcome: PlanOutcomes.NoChange }) => (Outcomes.NoChange, plan.Reason),
            (_, _, { Outcome: PlanOutcomes.DryRun }) => (Outcomes.DryRun, plan.Reason),
            (_, _, { Outcome: PlanOutcomes.Defer }) => (Outcomes.Deferred, plan.Reason),
            _ when state.Verify is { Verified: true } => (Outcomes.Succeeded, plan.Reason),
            _ => throw new InvalidOperationException("Finalize reached without a verified update or a terminal plan outcome"),
        };

        var head = state.LatestAuditHead();
        if (run.Window is { } window)
        {
            head = await SettleWindowAsync(state, run, window, outcome, reason, head, cancellationToken);
        }

        var result = new FinalResult
        {
            Outcome = outcome,
            ClusterIdentifier = run.ClusterIdentifier,
            IdempotencyKey = run.IdempotencyKey,
            ExecutionId = run.ExecutionId,
            Changes = plan?.Changes ?? [],
            Reason = reason,
            DurationSeconds = Math.Round((now - run.ReceivedAt).TotalSeconds, 3),
            Polls = state.Poll?.Polls ?? 0,
            Window = run.Window?.Name,
            IncludedChanges = run.Window is null ? null : [.. (plan?.Included ?? []).Select(c => c.ChangeId)],
        };

        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, outcome, run.ExecutionId)
        {
            ExpectedHead = head,
            IdempotencyKey = run.IdempotencyKey,
            Source = run.Source ?? run.Origin,
            Actor = run.RequestedBy,
            Reason = reason ?? run.Reason,
            Changes = plan is null ? null : RunStateExtensions.ToNode(plan.Changes),
            Before = RunStateExtensions.ToNode(plan?.Before),
            After = RunStateExtensions.ToNode(state.Verify?.After ?? (outcome == Outcomes.Succeeded ? plan?.Desired : null)),
            DurationSeconds = state.Poll?.ElapsedSeconds is { } elapsed && outcome == Outcomes.Succeeded ? elapsed : null,
            Polls = state.Poll?.Polls,
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

        // What the orchestrator means the cluster to have now: the reference a window that watches drift compares the live
        // configuration with (Plan computes it only for such clusters; a window that starts watching records it on its first run).
        if ((outcome is Outcomes.Succeeded or Outcomes.NoChange) && plan?.Intended is { } intended)
        {
            await services.Maintenance.RecordAppliedAsync(run.ClusterIdentifier, RunStateExtensions.ParseConfiguration(intended, "plan.intended"), run.ExecutionId, cancellationToken);
        }

        var json = JsonSerializer.Serialize(result, FunctionsJsonContext.Default.FinalResult);
        if (outcome == Outcomes.Deferred)
        {
            // Freed for a later attempt, with the result a retry of this step returns.
            await services.Ledger.ReleaseKeyAsync(run.IdempotencyKey, run.ExecutionId, json, cancellationToken);
        }
        else
        {
            await services.Ledger.CompleteKeyAsync(run.IdempotencyKey, run.ExecutionId, json, cancellationToken);
        }

        await services.Ledger.ReleaseLockAsync(run.ClusterIdentifier, run.ExecutionId, cancellationToken);
        return result;
    }

    /// <summary>A result Finalize stored with the key; null for what RecordFailure stored (a reason, not a result).</summary>
    private static FinalResult? StoredResult(string stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored, FunctionsJsonContext.Default.FinalResult);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A window run's changes: applied ones get an <c>applied</c> entry each (and drift correction its own entry);
    /// deferred ones go back to pending with a <c>deferred</c> entry each, as do changes the run never took because it
    /// could not get the cluster in time. Each state change and its entry are one write; a retry skips what is done.
    /// </summary>
    private async Task<AuditMark?> SettleWindowAsync(RunState state, RunInfo run, WindowRunInfo window, string outcome, string? reason, AuditMark? head, CancellationToken cancellationToken)
    {
        var included = state.Plan?.Included ?? [];
        if (outcome == Outcomes.Deferred)
        {
            var next = await NextStartAsync(window.Name, cancellationToken);
            var why = $"{reason ?? "deferred"}; the change stays queued for the next window{(next is { } n ? $", which opens at {RequestWriter.Timestamp(n)}" : string.Empty)}";
            foreach (var change in included)
            {
                head = await services.Maintenance.SettleAsync(run.ClusterIdentifier, change.ChangeId, run.ExecutionId, Settlement.Released, why,
                    ChangeEntry(state, run, change.ChangeId, change.IdempotencyKey, change.RequestedBy, change.Source, AuditEvents.Deferred, why, head), cancellationToken) ?? head;
            }

            if (included.Count == 0)
            {
                var waiting = await services.Maintenance.ChangesForRunAsync(run.ClusterIdentifier, cancellationToken);
                foreach (var change in waiting.Where(c => c.Status == HeldChange.Pending))
                {
                    head = await services.Maintenance.NoteDeferredAsync(run.ClusterIdentifier, change.ChangeId, run.ExecutionId,
                        ChangeEntry(state, run, change.ChangeId, change.IdempotencyKey, change.Request.RequestedBy, change.Source, AuditEvents.Deferred, why, head), cancellationToken) ?? head;
                }
            }

            return head;
        }

        var appliedWhy = outcome == Outcomes.NoChange
            ? $"maintenance window {window.Name}: the cluster already had this change"
            : $"applied in maintenance window {window.Name}, merged with {Math.Max(0, included.Count - 1)} other queued change{(included.Count == 2 ? string.Empty : "s")}";
        foreach (var change in included)
        {
            head = await services.Maintenance.SettleAsync(run.ClusterIdentifier, change.ChangeId, run.ExecutionId, Settlement.Applied, appliedWhy,
                ChangeEntry(state, run, change.ChangeId, change.IdempotencyKey, change.RequestedBy, change.Source, AuditEvents.Applied, appliedWhy, head), cancellationToken) ?? head;
        }

        if (outcome == Outcomes.Succeeded && state.Plan is { CorrectsDrift: true } plan)
        {
            head = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.DriftCorrected, run.ExecutionId)
            {
                ExpectedHead = head,
                IdempotencyKey = run.IdempotencyKey,
                Source = run.Source,
                Reason = $"maintenance window {window.Name} restored the last applied configuration: " + string.Join("; ", (plan.Drift ?? []).Select(d => $"{d.Path} back to {d.Applied ?? "absent"}")),
                Changes = PlanStep.DriftNode(plan.Drift),
                After = RunStateExtensions.ToNode(state.Verify?.After),
                FencingToken = state.Claim?.FencingToken,
            }, cancellationToken);
        }

        return head;
    }

    private async Task<DateTimeOffset?> NextStartAsync(string windowName, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var window = await services.Maintenance.GetWindowAsync(windowName, cancellationToken);
        return window?.Schedule.Occurrences(now, 2).FirstOrDefault(w => w.Start > now)?.Start;
    }

    internal static AuditDraft ChangeEntry(RunState state, RunInfo run, string changeId, string key, string? requestedBy, string? source, string eventType, string reason, AuditMark? head) =>
        new(run.ClusterIdentifier, eventType, run.ExecutionId)
        {
            ExpectedHead = head,
            IdempotencyKey = key,
            Source = source,
            Actor = requestedBy,
            Reason = reason,
            Window = new System.Text.Json.Nodes.JsonObject { ["changeId"] = changeId, ["window"] = run.Window?.Name, ["windowRun"] = run.IdempotencyKey },
            FencingToken = state.Claim?.FencingToken,
        };

    private async Task<FinalResult> DuplicateAsync(RunInfo run, ClaimResult duplicate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var original = duplicate.StoredResult is { } stored ? stored.Deserialize(FunctionsJsonContext.Default.FinalResult) : null;

        // The stored result of a queued request says "queued" for ever; the change itself has moved on since.
        ChangeState? change = null;
        var queuedChange = original is { Outcome: Outcomes.Queued, ChangeId: { } changeId } ? changeId : null;
        if (queuedChange is not null)
        {
            change = await services.Maintenance.ChangeStateAsync(run.ClusterIdentifier, queuedChange, cancellationToken)
                ?? new ChangeState(ExpiredChange, null, now);
        }

        var outcome = original is null ? "(unknown)" : change is null ? original.Outcome : $"{original.Outcome}, change {queuedChange} now {change.Status}";
        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Duplicate, run.ExecutionId)
        {
            IdempotencyKey = run.IdempotencyKey,
            Source = run.Source ?? run.Origin,
            Actor = run.RequestedBy,
            Reason = $"already completed by execution {duplicate.HeldBy ?? original?.ExecutionId ?? "(unknown)"} with outcome {outcome}",
        }, cancellationToken);

        return new FinalResult
        {
            Outcome = Outcomes.Duplicate,
            ClusterIdentifier = run.ClusterIdentifier,
            IdempotencyKey = run.IdempotencyKey,
            ExecutionId = run.ExecutionId,
            OriginalExecutionId = original?.ExecutionId ?? duplicate.HeldBy,
            Changes = original?.Changes ?? [],
            Reason = original is null ? "a duplicate of a completed request" : $"a duplicate of a completed request (outcome {outcome})",
            DurationSeconds = Math.Round((now - run.ReceivedAt).TotalSeconds, 3),
            Window = original?.Window,
            ChangeId = original?.ChangeId,
            ChangeStatus = change?.Status,
            ChangeOutcome = change?.Outcome,
        };
    }

    /// <summary>The change status a duplicate reports when the queued change's record is gone (deleted by its TTL after it finished).</summary>
    public const string ExpiredChange = "expired";
}
