using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Readiness;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// GetCluster plus every page of queues and node groups: READY, WAIT with the next delay, or ClusterBlocked. A window
/// run waits only until the window's cutoff: then DEFER, and its changes wait for the next window.
/// </summary>
public sealed class CheckReadinessStep(StepServices services)
{
    public async Task<ReadinessResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var fence = state.Claim?.FencingToken ?? throw new InvalidOperationException("the state has no cluster lock: Claim has not run");
        var now = services.Time.GetUtcNow();
        run.ThrowIfPastDeadline(now, "waiting for the cluster to be ready");

        var snapshot = await services.Pcs.GetSnapshotAsync(run.ClusterIdentifier, cancellationToken);
        var decision = ReadinessPolicy.Evaluate(snapshot);
        var reasons = decision.Reasons.Select(r => r.Explanation).ToList();
        switch (decision.Verdict)
        {
            case ReadinessVerdict.Ready:
                return new ReadinessResult
                {
                    Verdict = ReadinessVerdicts.Ready,
                    ClusterStatus = snapshot.Cluster.Status,
                    LeaseRenewedAt = await services.KeepLeaseAsync(state, fence, now, TimeSpan.Zero, cancellationToken),
                    AuditHead = state.LatestAuditHead(),
                };
            case ReadinessVerdict.Blocked:
                throw new StepException(ErrorNames.ClusterBlocked, $"cluster {run.ClusterIdentifier} cannot be updated until a person acts: " + string.Join("; ", reasons));
        }

        var attempt = state.Readiness is { Verdict: ReadinessVerdicts.Wait } previous ? previous.Attempt + 1 : 0;
        var wait = services.Settings.Readiness.Next(attempt, services.Random, now, run.Window?.LatestStart ?? run.Deadline);
        if (wait.GiveUp && run.Window is { } window)
        {
            return new ReadinessResult
            {
                Verdict = ReadinessVerdicts.Defer,
                Attempt = attempt,
                ClusterStatus = snapshot.Cluster.Status,
                Reasons = [$"deferred: cluster {run.ClusterIdentifier} was not ready before the cutoff of maintenance window {window.Name} ({Domain.Parsing.RequestWriter.Timestamp(window.LatestStart)})", .. reasons],
                LeaseRenewedAt = state.Readiness?.LeaseRenewedAt,
                AuditHead = state.LatestAuditHead(),
            };
        }

        if (wait.GiveUp)
        {
            throw new StepException(ErrorNames.DeadlinePassed,
                $"cluster {run.ClusterIdentifier} did not become ready before the deadline ({wait.Reason}): " + string.Join("; ", reasons));
        }

        var delay = services.WithinLease(wait.Delay);
        var renewed = await services.KeepLeaseAsync(state, fence, now, delay, cancellationToken);
        var head = state.LatestAuditHead();
        if (attempt == 0)
        {
            head = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Waiting, run.ExecutionId)
            {
                ExpectedHead = head,
                IdempotencyKey = run.IdempotencyKey,
                Reason = (state.Conflict is { } conflict && state.Readiness?.Verdict == ReadinessVerdicts.Ready
                    ? RecordFailureStep.Describe(conflict.Cause) + "; now "
                    : string.Empty) + string.Join("; ", reasons),
                FencingToken = fence,
            }, cancellationToken);
        }

        return new ReadinessResult
        {
            Verdict = ReadinessVerdicts.Wait,
            Attempt = attempt,
            WaitSeconds = RunStateExtensions.WaitSeconds(delay),
            ClusterStatus = snapshot.Cluster.Status,
            Reasons = reasons,
            LeaseRenewedAt = renewed,
            AuditHead = head,
        };
    }
}
