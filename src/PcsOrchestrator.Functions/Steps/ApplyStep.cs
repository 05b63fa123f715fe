using System.Globalization;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// UpdateCluster with only the sections that change. The client token is the request's own when it gave one;
/// otherwise it is derived from the idempotency key and the payload, so a retried call is the same call to PCS,
/// and a re-plan after a conflict that changed the payload is a new call.
/// </summary>
public sealed class ApplyStep(StepServices services)
{
    public async Task<ApplyResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var plan = state.Plan ?? throw new InvalidOperationException("the state has no plan");
        var now = services.Time.GetUtcNow();
        run.ThrowIfPastDeadline(now, "about to call UpdateCluster");
        var payload = ParsePayload(plan);
        var token = ClientToken(run, plan);
        var schedule = await ScheduleAsync(run.ClusterIdentifier, cancellationToken);

        var cluster = await services.Pcs.UpdateClusterAsync(run.ClusterIdentifier, token, payload, cancellationToken);
        var head = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.UpdateStarted, run.ExecutionId)
        {
            ExpectedHead = state.LatestAuditHead(),
            IdempotencyKey = run.IdempotencyKey,
            Reason = Describe(schedule, services.Settings.UpdatePolling.MinHistory),
            Changes = RunStateExtensions.ToNode(plan.Changes),
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

        var first = schedule.Next(TimeSpan.Zero, now, run.Deadline);
        var delay = first.GiveUp ? TimeSpan.FromSeconds(1) : services.WithinLease(first.Delay);
        return new ApplyResult
        {
            StartedAt = now,
            ClientToken = token,
            ClusterStatus = cluster.Status,
            WaitSeconds = RunStateExtensions.WaitSeconds(delay),
            LeaseRenewedAt = state.Claim?.FencingToken is { } fence ? await services.KeepLeaseAsync(state, fence, now, delay, cancellationToken) : null,
            Schedule = PollScheduleDocument.From(schedule),
            AuditHead = head,
        };
    }

    /// <summary>
    /// The poll schedule for this update, from how long the cluster's recent updates took (the audit log). Reading
    /// the history is an optimisation: if it fails, the update is polled at the fixed interval rather than not made.
    /// </summary>
    private async Task<PollSchedule> ScheduleAsync(string clusterIdentifier, CancellationToken cancellationToken)
    {
        var policy = services.Settings.UpdatePolling;
        if (policy.MinHistory > policy.MaxHistory)
        {
            return policy.Schedule([]);
        }

        try
        {
            // Up to 100 entries per update looked for: a window of 48 queued changes writes that many between two updates.
            var durations = await services.Ledger.RecentUpdateDurationsAsync(clusterIdentifier, policy.MaxHistory, policy.MaxHistory * 100, cancellationToken);
            return policy.Schedule(durations);
        }
        catch (StepException ex) when (ex.ErrorType == ErrorNames.StoreTransient)
        {
            return policy.Schedule([]);
        }
    }

    /// <summary>One line for the audit entry: how this update will be polled, and why.</summary>
    public static string Describe(PollSchedule schedule, int minHistory)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.IsFixed
            ? string.Create(CultureInfo.InvariantCulture, $"polling every {schedule.IntervalSeconds} s (it learns when to look once {minHistory} successful updates of this cluster are on record)")
            : string.Create(CultureInfo.InvariantCulture, $"polling from {schedule.FirstSeconds} s after the update, every {schedule.IntervalSeconds} s until {schedule.DenseUntilSeconds} s, then at growing gaps up to {schedule.MaxIntervalSeconds} s (learnt from the {schedule.BasedOn} most recent updates of this cluster)");
    }

    public static string ClientToken(RunInfo run, PlanResult plan)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        if (run.ExplicitClientToken)
        {
            return run.ClientToken;
        }

        var payloadHash = IdempotencyKeys.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(plan.Payload?.GetRawText() ?? "{}"));
        return IdempotencyKeys.ClientTokenFor(run.IdempotencyKey, "apply/" + payloadHash);
    }

    private static SlurmConfigurationChange ParsePayload(PlanResult plan)
    {
        if (plan.Payload is not { } payload)
        {
            throw new InvalidOperationException("the plan has no payload");
        }

        var (change, issues) = RequestParser.ParseConfiguration(payload, "$.plan.payload");
        return change is not null && issues.Count == 0
            ? change
            : throw new InvalidOperationException("the plan's payload does not parse: " + string.Join("; ", issues));
    }
}
