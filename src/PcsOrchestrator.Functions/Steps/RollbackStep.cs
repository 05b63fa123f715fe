using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>Re-apply the complete configuration captured before the update, with the run's rollback client token.</summary>
public sealed class RollbackStep(StepServices services)
{
    public async Task<ApplyResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var before = RunStateExtensions.ParseConfiguration(state.Plan?.Before, "plan.before");
        var now = services.Time.GetUtcNow();
        run.ThrowIfPastDeadline(now, "about to roll back");

        var cluster = await services.Pcs.UpdateClusterAsync(run.ClusterIdentifier, run.RollbackClientToken, before.ToFullChange(), cancellationToken);
        var head = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.RollbackStarted, run.ExecutionId)
        {
            ExpectedHead = state.LatestAuditHead(),
            IdempotencyKey = run.IdempotencyKey,
            After = RunStateExtensions.ToNode(state.Plan!.Before),
            Error = System.Text.Json.Nodes.JsonValue.Create(string.Join("; ", state.Poll?.ErrorInfo ?? [])),
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

        // A rollback is rare and unlike the updates the history describes: it is polled at the fixed interval.
        var schedule = services.Settings.UpdatePolling.Schedule([]);
        var first = schedule.Next(TimeSpan.Zero, now, run.Deadline);
        var delay = first.GiveUp ? TimeSpan.FromSeconds(1) : services.WithinLease(first.Delay);
        return new ApplyResult
        {
            StartedAt = now,
            ClientToken = run.RollbackClientToken,
            ClusterStatus = cluster.Status,
            WaitSeconds = RunStateExtensions.WaitSeconds(delay),
            LeaseRenewedAt = state.Claim?.FencingToken is { } fence ? await services.KeepLeaseAsync(state, fence, now, delay, cancellationToken) : null,
            Schedule = PollScheduleDocument.From(schedule),
            AuditHead = head,
        };
    }
}
