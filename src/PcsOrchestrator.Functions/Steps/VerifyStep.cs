using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>The cluster is ACTIVE again: its configuration must now equal the desired configuration.</summary>
public sealed class VerifyStep(StepServices services)
{
    public async Task<VerifyResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var desired = RunStateExtensions.ParseConfiguration(state.Plan?.Desired, "plan.desired");
        var cluster = await services.Pcs.GetClusterAsync(run.ClusterIdentifier, cancellationToken);
        var differences = Planner.Diff(desired, cluster.Configuration);
        if (differences.Count > 0)
        {
            throw new StepException(ErrorNames.VerificationFailed,
                $"cluster {run.ClusterIdentifier} is ACTIVE but differs from the desired configuration: " +
                string.Join("; ", differences.Select(d => $"{d.Path} is {d.Desired ?? "absent"}, expected {d.Current ?? "absent"}")));
        }

        return new VerifyResult { Verified = true, After = RunStateExtensions.ToJson(cluster.Configuration) };
    }
}
