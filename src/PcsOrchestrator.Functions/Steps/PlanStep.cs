using System.Globalization;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Read the live configuration, merge the request into it and decide: NO_CHANGE, DRY_RUN, DEFER (the maintenance
/// window guard) or APPLY. The configuration read here is the one a rollback restores. A window run takes the
/// cluster's queued changes first and merges them all (and, with drift correction, the last applied configuration).
/// </summary>
public sealed class PlanStep(StepServices services)
{
    public async Task<PlanResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        var run = state.RequireRun();
        if (run.Window is { } window)
        {
            return await PlanWindowAsync(state, run, window, cancellationToken);
        }

        var request = run.RequireRequest();
        var cluster = await services.Pcs.GetClusterAsync(run.ClusterIdentifier, cancellationToken);
        var plan = Planner.Plan(cluster.Configuration, request.SlurmConfiguration, request.Options);
        var now = services.Time.GetUtcNow();
        var expected = request.Options.ExpectedUpdateMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
        var guard = MaintenanceWindowGuard.Evaluate(now, request.MaintenanceWindow, expected);

        var (outcome, reason) = plan.IsNoOp ? (PlanOutcomes.NoChange, "the cluster already has the requested configuration")
            : run.DryRun ? (PlanOutcomes.DryRun, "dry run: nothing was changed")
            : !guard.Proceed ? (PlanOutcomes.Defer, guard.Reason)
            : (PlanOutcomes.Apply, null);

        var result = Result(state, plan, outcome, reason);
        result.RollbackOnFailure = run.RollbackOnFailure;
        if (state.Claim?.WindowDrift is "report" or "correct")
        {
            // What the orchestrator means the cluster to have: the request on top of what it applied last, not of a drift.
            var lastApplied = await services.Maintenance.LastAppliedAsync(run.ClusterIdentifier, cancellationToken);
            result.Intended = RunStateExtensions.ToJson(lastApplied is null ? plan.Desired : Planner.Apply(lastApplied, request.SlurmConfiguration, request.Options));
        }

        if (outcome is PlanOutcomes.Apply or PlanOutcomes.DryRun)
        {
            result.AuditHead = await AppendPlannedAsync(state, run, result, null, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Takes the pending changes (each one conditionally: a change cancelled a moment ago stays cancelled), merges them
    /// in submission order into the live configuration (or into the last applied one, when drift is corrected), and
    /// applies the window's guard. Changes taken here are settled by Finalize or RecordFailure, whatever happens.
    /// </summary>
    private async Task<PlanResult> PlanWindowAsync(RunState state, RunInfo run, WindowRunInfo window, CancellationToken cancellationToken)
    {
        // This run holds the cluster's lock: a change another run left applying (stopped, or its lock lost, before it
        // settled it) is taken over; that run's settlements are refused from then on.
        var candidates = await services.Maintenance.ChangesForRunAsync(run.ClusterIdentifier, cancellationToken);
        var taken = new List<HeldChange>();
        var takenOver = new List<string>();
        foreach (var change in candidates.Take(services.Settings.MaxChangesPerWindow))
        {
            var from = change.Status == HeldChange.Applying && change.Holder != run.ExecutionId ? change.Holder : null;
            if (change.Status == HeldChange.Applying && from is null)
            {
                taken.Add(change);
            }
            else if (await services.Maintenance.TakeAsync(run.ClusterIdentifier, change.ChangeId, run.ExecutionId, from, cancellationToken))
            {
                taken.Add(change);
                if (from is not null)
                {
                    takenOver.Add(from);
                }
            }
        }

        _ = DriftModeExtensions.TryParseWire(window.Drift, out var driftMode);
        var lastApplied = driftMode == DriftMode.Off ? null : await services.Maintenance.LastAppliedAsync(run.ClusterIdentifier, cancellationToken);
        var cluster = await services.Pcs.GetClusterAsync(run.ClusterIdentifier, cancellationToken);
        var windowPlan = WindowPlanner.Plan(cluster.Configuration, lastApplied, driftMode, [.. taken.Select(c => c.Change)]);
        var now = services.Time.GetUtcNow();
        var guard = MaintenanceWindowGuard.Evaluate(now, window.ToWindow(), windowPlan.ExpectedDuration);
        var left = candidates.Count - Math.Min(candidates.Count, services.Settings.MaxChangesPerWindow);

        var plan = windowPlan.Plan;
        var count = taken.Count == 1 ? "1 queued change" : $"{taken.Count.ToString(CultureInfo.InvariantCulture)} queued changes";
        var extra = (windowPlan.CorrectsDrift ? "; restoring the last applied configuration" : string.Empty)
            + (takenOver.Count > 0 ? $"; taken over from {string.Join(", ", takenOver.Distinct(StringComparer.Ordinal))}, which left them applying" : string.Empty)
            + (left > 0 ? $"; {left.ToString(CultureInfo.InvariantCulture)} more wait for the next window (at most {services.Settings.MaxChangesPerWindow} per window)" : string.Empty);
        var (outcome, reason) = plan.IsNoOp && taken.Count == 0 ? (PlanOutcomes.NoChange, $"maintenance window {window.Name}: nothing is queued{(driftMode == DriftMode.Off ? string.Empty : " and nothing drifted")}{extra}")
            : plan.IsNoOp ? (PlanOutcomes.NoChange, $"maintenance window {window.Name}: the cluster already has the configuration of {count}{extra}")
            : !guard.Proceed ? (PlanOutcomes.Defer, guard.Reason)
            : (PlanOutcomes.Apply, $"maintenance window {window.Name}: {count} merged into one update{extra}");

        var result = Result(state, plan, outcome, reason);
        result.RollbackOnFailure = windowPlan.RollbackOnFailure;
        result.CorrectsDrift = windowPlan.CorrectsDrift;
        result.Intended = windowPlan.Intended is { } intended ? RunStateExtensions.ToJson(intended) : null;
        result.Included = [.. taken.Select(c => new IncludedChange
        {
            ChangeId = c.ChangeId,
            IdempotencyKey = c.IdempotencyKey,
            SubmittedAt = c.Change.SubmittedAt,
            RequestedBy = c.Request.RequestedBy,
            Reason = c.Request.Reason,
            Source = c.Source,
            RequeueOnFailure = c.Request.Options.RequeueOnFailure,
        })];
        result.Conflicts = [.. windowPlan.Conflicts.Select(c => new ConflictItem
        {
            Path = c.Path,
            Values = [.. c.Values.Select(v => new ConflictValue { ChangeId = v.ChangeId, Value = v.Value })],
            Winner = c.Winner.ChangeId,
        })];
        result.Drift = [.. windowPlan.Drift.Select(d => new DriftEntry { Path = d.Path, Applied = d.Applied, Live = d.Live })];

        if (windowPlan.Drift.Count > 0)
        {
            result.AuditHead = await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.DriftDetected, run.ExecutionId)
            {
                ExpectedHead = result.AuditHead,
                IdempotencyKey = run.IdempotencyKey,
                Source = run.Source,
                Reason = $"the live configuration differs from the one last applied in {windowPlan.Drift.Count.ToString(CultureInfo.InvariantCulture)} place{(windowPlan.Drift.Count == 1 ? string.Empty : "s")}: "
                    + string.Join("; ", windowPlan.Drift.Select(d => $"{d.Path} is {d.Live ?? "absent"}, was applied as {d.Applied ?? "absent"}"))
                    + (windowPlan.CorrectsDrift ? " (window drift mode correct: this window restores it)" : " (window drift mode report: left as it is)"),
                Changes = DriftNode(result.Drift),
                Before = RunStateExtensions.ToNode(RunStateExtensions.ToJson(lastApplied!)),
                After = RunStateExtensions.ToNode(RunStateExtensions.ToJson(cluster.Configuration)),
                FencingToken = state.Claim?.FencingToken,
            }, cancellationToken);
        }

        if (windowPlan.Issues.Count > 0)
        {
            // The taken changes are settled as failed by RecordFailure: the merge of exactly these changes cannot be applied.
            throw new StepException(ErrorNames.MergedChangeInvalid,
                $"the {count} queued for cluster {run.ClusterIdentifier} cannot be applied together: " + string.Join("; ", windowPlan.Issues));
        }

        if (outcome is PlanOutcomes.Apply)
        {
            result.AuditHead = await AppendPlannedAsync(state, run, result, ConflictsNode(result), cancellationToken);
        }

        return result;
    }

    private static PlanResult Result(RunState state, UpdatePlan plan, string outcome, string? reason) => new()
    {
        Outcome = outcome,
        Reason = reason,
        Changes = RunStateExtensions.ToItems(plan.Changes),
        Payload = RunStateExtensions.ToJson(plan.Payload),
        Before = RunStateExtensions.ToJson(plan.Current),
        Desired = RunStateExtensions.ToJson(plan.Desired),
        AuditHead = state.LatestAuditHead(),
    };

    private async Task<AuditMark> AppendPlannedAsync(RunState state, RunInfo run, PlanResult result, JsonObject? window, CancellationToken cancellationToken) =>
        await services.Ledger.AppendAuditAsync(new AuditDraft(run.ClusterIdentifier, AuditEvents.Planned, run.ExecutionId)
        {
            ExpectedHead = result.AuditHead,
            IdempotencyKey = run.IdempotencyKey,
            Reason = result.Reason,
            Changes = RunStateExtensions.ToNode(result.Changes),
            Before = RunStateExtensions.ToNode(result.Before),
            After = RunStateExtensions.ToNode(result.Desired),
            Window = window,
            FencingToken = state.Claim?.FencingToken,
        }, cancellationToken);

    /// <summary>The window part of a <c>planned</c> entry: which changes were merged and where they disagreed.</summary>
    private static JsonObject ConflictsNode(PlanResult result)
    {
        var included = new JsonArray();
        foreach (var change in result.Included ?? [])
        {
            included.Add((JsonNode)new JsonObject { ["changeId"] = change.ChangeId, ["idempotencyKey"] = change.IdempotencyKey, ["requestedBy"] = change.RequestedBy });
        }

        var conflicts = new JsonArray();
        foreach (var conflict in result.Conflicts ?? [])
        {
            var values = new JsonArray();
            foreach (var value in conflict.Values)
            {
                values.Add((JsonNode)new JsonObject { ["changeId"] = value.ChangeId, ["value"] = value.Value });
            }

            conflicts.Add((JsonNode)new JsonObject { ["path"] = conflict.Path, ["values"] = values, ["winner"] = conflict.Winner });
        }

        return new JsonObject { ["included"] = included, ["conflicts"] = conflicts, ["correctsDrift"] = result.CorrectsDrift };
    }

    internal static JsonArray DriftNode(IReadOnlyList<DriftEntry>? drift)
    {
        var array = new JsonArray();
        foreach (var d in drift ?? [])
        {
            array.Add((JsonNode)new JsonObject { ["path"] = d.Path, ["applied"] = d.Applied, ["live"] = d.Live });
        }

        return array;
    }
}
