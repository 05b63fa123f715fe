using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
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

        var cluster = await services.Pcs.UpdateClusterAsync(run.ClusterIdentifier, token, payload, cancellationToken);
        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.UpdateStarted, run.ExecutionId)
        {
            IdempotencyKey = run.IdempotencyKey,
            Changes = RunStateExtensions.ToNode(plan.Changes),
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

        var first = services.Settings.UpdatePolling.Next(0, now, run.Deadline);
        return new ApplyResult
        {
            StartedAt = now,
            ClientToken = token,
            ClusterStatus = cluster.Status,
            WaitSeconds = first.GiveUp ? 1 : RunStateExtensions.WaitSeconds(first.Delay),
        };
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
