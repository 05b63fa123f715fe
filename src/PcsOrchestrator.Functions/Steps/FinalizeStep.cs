using System.Text.Json;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Ends a successful run: the outcome (succeeded, no-change, dry-run, deferred or duplicate) becomes the final audit
/// entry and the execution's output; the idempotency record is completed (freed for a deferred request, which has
/// not happened yet) and the cluster lock released.
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
    }

    public async Task<FinalResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var now = services.Time.GetUtcNow();
        if (state.Claim is { Outcome: ClaimOutcomes.Duplicate } duplicate)
        {
            return await DuplicateAsync(run, duplicate, now, cancellationToken);
        }

        // Step Functions retries a Task whose answer was lost; the first attempt may have finished the run already.
        if (await services.Ledger.CompletedResultAsync(run.IdempotencyKey, run.ExecutionId, cancellationToken) is { } finished
            && JsonSerializer.Deserialize(finished, FunctionsJsonContext.Default.FinalResult) is { } earlier)
        {
            await services.Ledger.ReleaseLockAsync(run.ClusterIdentifier, run.ExecutionId, cancellationToken);
            return earlier;
        }

        var plan = state.Plan ?? throw new InvalidOperationException("the state has no plan");
        var outcome = plan.Outcome switch
        {
            PlanOutcomes.NoChange => Outcomes.NoChange,
            PlanOutcomes.DryRun => Outcomes.DryRun,
            PlanOutcomes.Defer => Outcomes.Deferred,
            _ when state.Verify is { Verified: true } => Outcomes.Succeeded,
            _ => throw new InvalidOperationException("Finalize reached without a verified update or a terminal plan outcome"),
        };

        var result = new FinalResult
        {
            Outcome = outcome,
            ClusterIdentifier = run.ClusterIdentifier,
            IdempotencyKey = run.IdempotencyKey,
            ExecutionId = run.ExecutionId,
            Changes = plan.Changes,
            Reason = plan.Reason,
            DurationSeconds = Math.Round((now - run.ReceivedAt).TotalSeconds, 3),
            Polls = state.Poll?.Polls ?? 0,
        };

        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, outcome, run.ExecutionId)
        {
            ExpectedHead = state.LatestAuditHead(),
            IdempotencyKey = run.IdempotencyKey,
            Source = run.Source ?? run.Origin,
            Actor = run.RequestedBy,
            Reason = plan.Reason ?? run.Reason,
            Changes = RunStateExtensions.ToNode(plan.Changes),
            Before = RunStateExtensions.ToNode(plan.Before),
            After = RunStateExtensions.ToNode(state.Verify?.After ?? (outcome == Outcomes.Succeeded ? plan.Desired : null)),
            DurationSeconds = state.Poll?.ElapsedSeconds is { } elapsed && outcome == Outcomes.Succeeded ? elapsed : null,
            Polls = state.Poll?.Polls,
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

        var json = JsonSerializer.Serialize(result, FunctionsJsonContext.Default.FinalResult);
        if (outcome == Outcomes.Deferred)
        {
            await services.Ledger.ReleaseKeyAsync(run.IdempotencyKey, run.ExecutionId, plan.Reason ?? "deferred", cancellationToken);
        }
        else
        {
            await services.Ledger.CompleteKeyAsync(run.IdempotencyKey, run.ExecutionId, json, cancellationToken);
        }

        await services.Ledger.ReleaseLockAsync(run.ClusterIdentifier, run.ExecutionId, cancellationToken);
        return result;
    }

    private async Task<FinalResult> DuplicateAsync(RunInfo run, ClaimResult duplicate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var original = duplicate.StoredResult is { } stored ? stored.Deserialize(FunctionsJsonContext.Default.FinalResult) : null;
        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Duplicate, run.ExecutionId)
        {
            IdempotencyKey = run.IdempotencyKey,
            Source = run.Source ?? run.Origin,
            Actor = run.RequestedBy,
            Reason = $"already completed by execution {duplicate.HeldBy ?? original?.ExecutionId ?? "(unknown)"} with outcome {original?.Outcome ?? "(unknown)"}",
        }, cancellationToken);

        return new FinalResult
        {
            Outcome = Outcomes.Duplicate,
            ClusterIdentifier = run.ClusterIdentifier,
            IdempotencyKey = run.IdempotencyKey,
            ExecutionId = run.ExecutionId,
            OriginalExecutionId = original?.ExecutionId ?? duplicate.HeldBy,
            Changes = original?.Changes ?? [],
            Reason = original is null ? "a duplicate of a completed request" : $"a duplicate of a completed request (outcome {original.Outcome})",
            DurationSeconds = Math.Round((now - run.ReceivedAt).TotalSeconds, 3),
        };
    }
}
