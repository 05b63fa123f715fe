using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Read the live configuration, merge the request into it and decide: NO_CHANGE, DRY_RUN, DEFER (the maintenance
/// window guard) or APPLY. The configuration read here is the one a rollback restores.
/// </summary>
public sealed class PlanStep(StepServices services)
{
    public async Task<PlanResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var request = run.RequireRequest();
        var cluster = await services.Pcs.GetClusterAsync(run.ClusterIdentifier, cancellationToken);
        var plan = Planner.Plan(cluster.Configuration, request.SlurmConfiguration, request.Options);
        var now = services.Time.GetUtcNow();
        var expected = request.Options.ExpectedUpdateMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
        var window = MaintenanceWindowGuard.Evaluate(now, request.MaintenanceWindow, expected);

        var (outcome, reason) = plan.IsNoOp ? (PlanOutcomes.NoChange, "the cluster already has the requested configuration")
            : run.DryRun ? (PlanOutcomes.DryRun, "dry run: nothing was changed")
            : !window.Proceed ? (PlanOutcomes.Defer, window.Reason)
            : (PlanOutcomes.Apply, null);

        var result = new PlanResult
        {
            Outcome = outcome,
            Reason = reason,
            Changes = RunStateExtensions.ToItems(plan.Changes),
            Payload = RunStateExtensions.ToJson(plan.Payload),
            Before = RunStateExtensions.ToJson(plan.Current),
            Desired = RunStateExtensions.ToJson(plan.Desired),
            AuditHead = state.LatestAuditHead(),
        };

        if (outcome is PlanOutcomes.Apply or PlanOutcomes.DryRun)
        {
            result.AuditHead = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Planned, run.ExecutionId)
            {
                ExpectedHead = result.AuditHead,
                IdempotencyKey = run.IdempotencyKey,
                Changes = RunStateExtensions.ToNode(result.Changes),
                Before = RunStateExtensions.ToNode(result.Before),
                After = RunStateExtensions.ToNode(result.Desired),
                FencingToken = state.Claim?.FencingToken,
            }, cancellationToken);
        }

        return result;
    }
}
