using PcsOrchestrator.Domain;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// GetCluster after UpdateCluster (or after a rollback): UPDATING with the next delay, SUCCEEDED when ACTIVE again,
/// FAILED with errorInfo on UPDATE_FAILED, DeadlinePassed once the deadline is behind us.
/// </summary>
public sealed class PollStep(StepServices services)
{
    public async Task<PollResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var phase = state.Rollback is null ? PollPhases.Update : PollPhases.Rollback;
        var section = (phase == PollPhases.Update ? state.Apply : state.Rollback)
            ?? throw new InvalidOperationException($"the state has no {(phase == PollPhases.Update ? "apply" : "rollback")} section");
        var started = section.StartedAt;
        var samePhase = state.Poll is { } previous && previous.Phase == phase;
        var attempt = samePhase ? state.Poll!.Attempt + 1 : 0;
        var polls = (state.Poll?.Polls ?? 0) + 1;
        var now = services.Time.GetUtcNow();

        var cluster = await services.Pcs.GetClusterAsync(run.ClusterIdentifier, cancellationToken);
        var result = new PollResult
        {
            Phase = phase,
            Attempt = attempt,
            Polls = polls,
            ClusterStatus = cluster.Status,
            ElapsedSeconds = Math.Round((now - started).TotalSeconds, 3),
            Status = cluster.Status switch
            {
                "ACTIVE" => PollStatuses.Succeeded,
                "UPDATE_FAILED" => PollStatuses.Failed,
                "UPDATING" => PollStatuses.Updating,
                _ => throw new StepException(ErrorNames.ClusterBlocked,
                    $"cluster {run.ClusterIdentifier} went to {cluster.Status} during the {phase.ToLowerInvariant()}; a person must look at it"),
            },
            ErrorInfo = cluster.ErrorInfo,
        };

        if (result.Status != PollStatuses.Updating)
        {
            result.LeaseRenewedAt = await KeepLeaseAsync(state, now, TimeSpan.Zero, cancellationToken);
            return result;
        }

        var schedule = section.Schedule?.ToSchedule() ?? services.Settings.UpdatePolling.Schedule([]);
        var next = schedule.Next(now - started, now, run.Deadline);
        if (next.GiveUp)
        {
            throw new StepException(ErrorNames.DeadlinePassed,
                $"cluster {run.ClusterIdentifier} was still UPDATING when the run's deadline passed, {result.ElapsedSeconds:0} s after the {phase.ToLowerInvariant()} started ({polls} polls); PCS cannot cancel an update, it continues");
        }

        var delay = services.WithinLease(next.Delay);
        result.WaitSeconds = RunStateExtensions.WaitSeconds(delay);
        result.LeaseRenewedAt = await KeepLeaseAsync(state, now, delay, cancellationToken);
        return result;
    }

    private async Task<DateTimeOffset?> KeepLeaseAsync(RunState state, DateTimeOffset now, TimeSpan nextWait, CancellationToken cancellationToken) =>
        state.Claim?.FencingToken is { } fence ? await services.KeepLeaseAsync(state, fence, now, nextWait, cancellationToken) : null;
}
