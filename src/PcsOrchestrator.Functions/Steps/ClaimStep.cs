using System.Text.Json;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Claim the idempotency key, then the cluster lock. A completed key is a duplicate (its stored result is
/// returned); a key or lock held by another execution means waiting with backoff until the deadline.
/// </summary>
public sealed class ClaimStep(StepServices services)
{
    public async Task<ClaimResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        var attempt = state.Claim is { Outcome: ClaimOutcomes.Contended } previous ? previous.Attempt + 1 : 0;
        var now = services.Time.GetUtcNow();

        // The claim must outlive the whole run: an execution that dies leaves a key others may take after the deadline.
        var key = await services.Ledger.ClaimKeyAsync(run.IdempotencyKey, run.PayloadHash, run.ExecutionId, run.ClientToken, run.Deadline.AddMinutes(5), cancellationToken);
        switch (key.Status)
        {
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
            After = System.Text.Json.Nodes.JsonNode.Parse(run.Request.GetRawText()),
            FencingToken = lease.FencingToken,
        }, cancellationToken);

        return new ClaimResult { Outcome = ClaimOutcomes.Claimed, Attempt = attempt, FencingToken = lease.FencingToken, LeaseRenewedAt = now, AuditHead = head };
    }

    private ClaimResult Contended(RunInfo run, int attempt, DateTimeOffset now, string what, string? holder)
    {
        var decision = services.Settings.Contention.Next(attempt, services.Random, now, run.Deadline);
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
}
