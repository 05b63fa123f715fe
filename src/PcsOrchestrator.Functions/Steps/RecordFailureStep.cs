using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Every Catch ends here. Writes the audit entry for the failure (rejected, blocked, failed, rolled-back), frees the
/// idempotency key so a later request may try again, releases the cluster lock if this run holds it, and returns
/// the Error and Cause for the Fail state. A window run first settles every queued change it took: each is marked
/// failed with an <c>apply-failed</c> entry, and queued again for the next window when it asked for that
/// (<c>requeueOnFailure</c>).
/// </summary>
public sealed class RecordFailureStep(StepServices services)
{
    public async Task<FailureResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var error = state.Error?.Error ?? "States.Unknown";
        var cause = Describe(state.Error?.Cause);
        var run = state.Run;
        var executionId = run?.ExecutionId ?? state.ExecutionId ?? "unknown";
        var cluster = run?.ClusterIdentifier ?? ClusterFromInput(state.Input);
        var eventType = EventFor(error, state);

        if (eventType == AuditEvents.RolledBack || (error == ErrorNames.UpdateFailed && state.Poll is not null))
        {
            cause = UpdateFailureCause(state, run?.ClusterIdentifier ?? cluster ?? "the cluster");
        }

        var head = state.LatestAuditHead();
        if (run?.Window is not null)
        {
            head = await SettleWindowAsync(state, run, error, cause, head, cancellationToken);
        }

        if (cluster is not null)
        {
            await services.Ledger.AppendAuditAsync(new AuditDraft(cluster, eventType, executionId)
            {
                ExpectedHead = head,
                IdempotencyKey = run?.IdempotencyKey,
                Source = run?.Source ?? run?.Origin,
                Actor = run?.RequestedBy,
                Reason = run?.Reason,
                Changes = state.Plan is { } plan ? RunStateExtensions.ToNode(plan.Changes) : null,
                Before = RunStateExtensions.ToNode(state.Plan?.Before),
                Error = new JsonObject { ["error"] = error, ["cause"] = cause },
                DurationSeconds = state.Poll?.ElapsedSeconds,
                Polls = state.Poll?.Polls,
            }, cancellationToken);
        }

        var ownsKey = run is not null && state.Claim is { Outcome: ClaimOutcomes.Claimed or ClaimOutcomes.Contended };
        if (ownsKey && error != ErrorNames.IdempotencyKeyReused)
        {
            await services.Ledger.ReleaseKeyAsync(run!.IdempotencyKey, run.ExecutionId, $"{error}: {cause}", cancellationToken);
        }

        if (run is not null && state.Claim is { Outcome: ClaimOutcomes.Claimed })
        {
            await services.Ledger.ReleaseLockAsync(run.ClusterIdentifier, run.ExecutionId, cancellationToken);
        }

        return new FailureResult { Error = error, Cause = cause, AuditEvent = cluster is null ? null : eventType };
    }

    /// <summary>
    /// The changes a failed window run holds (read from the queue, not the state: Plan may have taken them and failed
    /// before it returned): applied when the update was verified (only the end of the run failed), released when the
    /// run was deferring, else failed, or back in the queue when they asked and have windows left.
    /// </summary>
    private async Task<AuditMark?> SettleWindowAsync(RunState state, RunInfo run, string error, string cause, AuditMark? head, CancellationToken cancellationToken)
    {
        var window = run.Window!.Name;
        var held = (await services.Maintenance.ChangesForRunAsync(run.ClusterIdentifier, cancellationToken))
            .Where(c => c.Status == HeldChange.Applying && c.Holder == run.ExecutionId);
        var deferring = state.Plan?.Outcome == PlanOutcomes.Defer || state.Readiness?.Verdict == ReadinessVerdicts.Defer || state.Claim?.Outcome == ClaimOutcomes.Late;
        var limit = services.Settings.MaxWindowAttempts;
        foreach (var change in held)
        {
            var windows = change.Attempts + 1;
            var (settlement, eventType, why) = state.Verify is { Verified: true }
                ? (Settlement.Applied, AuditEvents.Applied, $"applied in maintenance window {window} (the update was verified; the run then failed: {error}: {cause})")
                : deferring
                    ? (Settlement.Released, AuditEvents.Deferred, $"maintenance window {window} could not start the update ({error}: {cause}); the change stays queued for the next window")
                    : change.Request.Options.RequeueOnFailure && windows < limit
                        ? (Settlement.Requeued, AuditEvents.ApplyFailed, $"maintenance window {window} failed ({error}: {cause}); queued again for the next window, as the change asked (requeueOnFailure; window {Count(windows)} of at most {Count(limit)})")
                        : change.Request.Options.RequeueOnFailure
                            ? (Settlement.Failed, AuditEvents.ApplyFailed, $"maintenance window {window} failed ({error}: {cause}); the change has now failed in {Count(windows)} windows, the most requeueOnFailure allows, and is marked failed (send it again)")
                            : (Settlement.Failed, AuditEvents.ApplyFailed, $"maintenance window {window} failed ({error}: {cause}); the change is marked failed (send it again, or set options.requeueOnFailure)");
            head = await services.Maintenance.SettleAsync(run.ClusterIdentifier, change.ChangeId, run.ExecutionId, settlement, why,
                FinalizeStep.ChangeEntry(state, run, change.ChangeId, change.IdempotencyKey, change.Request.RequestedBy, change.Source, eventType, why, head) with { FencingToken = null },
                cancellationToken) ?? head;
        }

        return head;
    }

    private static string Count(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string EventFor(string error, RunState state) => error switch
    {
        ErrorNames.RequestInvalid => AuditEvents.Rejected,
        ErrorNames.NoMaintenanceWindow => AuditEvents.Rejected,
        ErrorNames.IdempotencyKeyReused => AuditEvents.Rejected,
        ErrorNames.ClusterBlocked => AuditEvents.Blocked,
        ErrorNames.UpdateFailed when state.Rollback is not null && state.Poll is { Phase: PollPhases.Rollback, Status: PollStatuses.Succeeded } => AuditEvents.RolledBack,
        _ => AuditEvents.Failed,
    };

    private static string UpdateFailureCause(RunState state, string cluster)
    {
        var info = state.Poll?.ErrorInfo is { Count: > 0 } errors ? string.Join("; ", errors) : "PCS gave no errorInfo";
        if (state.Rollback is null)
        {
            return $"the update of cluster {cluster} ended in UPDATE_FAILED: {info}; no rollback was requested";
        }

        return state.Poll is { Phase: PollPhases.Rollback, Status: PollStatuses.Succeeded }
            ? $"the update of cluster {cluster} ended in UPDATE_FAILED; the previous configuration was restored (rollback succeeded)"
            : $"the update of cluster {cluster} ended in UPDATE_FAILED and the rollback failed too: {info}";
    }

    /// <summary>A Lambda error's Cause is its error document; show its message.</summary>
    internal static string Describe(string? cause)
    {
        if (string.IsNullOrEmpty(cause))
        {
            return "no cause was given";
        }

        try
        {
            using var document = JsonDocument.Parse(cause);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the cause is already a sentence.
        }

        return cause;
    }

    /// <summary>For a request Prepare rejected: the cluster it named, if it named a valid one.</summary>
    private static string? ClusterFromInput(JsonElement? input)
    {
        if (input is not { ValueKind: JsonValueKind.Object } raw)
        {
            return null;
        }

        var parsed = RequestParser.Parse(raw.GetRawText());
        var cluster = parsed.Request?.ClusterIdentifier;
        return cluster is not null && RequestValidator.ClusterIdentifierPattern().IsMatch(cluster) ? cluster : null;
    }
}
