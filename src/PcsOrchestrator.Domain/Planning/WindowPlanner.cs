using System.Globalization;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Planning;

/// <summary>A change waiting in a cluster's queue: its id (submission order), when it was submitted, and the request.</summary>
public sealed record QueuedChange(string ChangeId, DateTimeOffset SubmittedAt, UpdateRequest Request);

/// <summary>What one queued change does to one field or setting: its value, or null when it removes the setting.</summary>
public sealed record ChangeValue(string ChangeId, string? Value);

/// <summary>
/// Two or more queued changes set the same field or setting to different values (or one sets what another
/// removes): the last in submission order wins, and the plan reports the conflict.
/// </summary>
public sealed record MergeConflict(string Path, IReadOnlyList<ChangeValue> Values)
{
    public ChangeValue Winner => Values[^1];

    public override string ToString() =>
        $"{Path}: " + string.Join(", ", Values.Select(v => $"{v.ChangeId} sets {v.Value ?? "(removed)"}")) + $"; {Winner.ChangeId} wins (submitted last)";
}

/// <summary>The live configuration differs from the one the orchestrator last applied (a change made outside it).</summary>
public sealed record DriftItem(string Path, string? Applied, string? Live);

/// <summary>
/// A window's plan for one cluster: the merged update plan, the conflicts between the queued changes, the drift
/// found, whether the plan restores the last applied configuration, and what the changes ask of the run (rollback,
/// expected duration). <see cref="Issues"/> is non-empty when the merged configuration breaks a limit no single
/// change did (for example more than 200 settings in one list). <see cref="Intended"/> (drift watched only) is what
/// the orchestrator means the cluster to have afterwards: the changes merged into the last applied configuration,
/// not into a drifted one, so a drift that is only reported stays reported until it is fixed.
/// </summary>
public sealed record WindowPlan(
    UpdatePlan Plan,
    ClusterConfiguration? Intended,
    IReadOnlyList<MergeConflict> Conflicts,
    IReadOnlyList<DriftItem> Drift,
    bool CorrectsDrift,
    bool RollbackOnFailure,
    TimeSpan? ExpectedDuration,
    IReadOnlyList<ValidationIssue> Issues);

/// <summary>
/// Merges the queued changes of one cluster into one desired configuration, in submission order, each with its own
/// options: a later change wins per field and per setting, explicit removals are honoured, a replace-mode list
/// replaces what the changes before it left. With drift correction the merge starts from the configuration the
/// orchestrator last applied instead of the live one, so hand-made changes are undone in the same update.
/// </summary>
public static class WindowPlanner
{
    public const string ScaleDownPath = "slurmConfiguration.scaleDownIdleTimeInSeconds";
    public const string PurgePath = "slurmConfiguration.accounting.defaultPurgeTimeInDays";
    public const string AccountingModePath = "slurmConfiguration.accounting.mode";
    public const string SlurmRestModePath = "slurmConfiguration.slurmRest.mode";

    public static WindowPlan Plan(ClusterConfiguration live, ClusterConfiguration? lastApplied, DriftMode drift, IReadOnlyList<QueuedChange> changes)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(changes);
        var driftItems = drift == DriftMode.Off || lastApplied is null
            ? []
            : Planner.Diff(lastApplied, live).Select(d => new DriftItem(d.Path, d.Current, d.Desired)).ToList();
        var corrects = drift == DriftMode.Correct && driftItems.Count > 0;
        var start = corrects ? lastApplied! : live;
        var (desired, conflicts) = Merge(start, changes);
        var plan = new UpdatePlan(live, desired, Planner.Payload(live, desired), Planner.Diff(live, desired));
        var intended = drift == DriftMode.Off ? null
            : lastApplied is null || corrects || driftItems.Count == 0 ? desired
            : Merge(lastApplied, changes).Desired;

        var issues = new IssueCollector();
        RequestValidator.ValidateConfiguration(plan.Payload, new UpdateOptions { AllowUnlistedSettings = true }, "$.merged.slurmConfiguration", issues);
        var expected = changes.Select(c => c.Request.Options.ExpectedUpdateMinutes).Max();
        return new WindowPlan(
            plan,
            intended,
            conflicts,
            driftItems,
            corrects,
            changes.Any(c => c.Request.Options.RollbackOnFailure),
            expected is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            issues.Issues);
    }

    /// <summary>Applies the changes in order to <paramref name="start"/> and reports where they disagree.</summary>
    public static (ClusterConfiguration Desired, IReadOnlyList<MergeConflict> Conflicts) Merge(ClusterConfiguration start, IReadOnlyList<QueuedChange> changes)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(changes);
        var touched = new Dictionary<string, List<ChangeValue>>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        var current = start;
        foreach (var change in changes)
        {
            var next = Planner.Apply(current, change.Request.SlurmConfiguration, change.Request.Options);
            foreach (var (path, value) in Touches(current, change.Request))
            {
                if (!touched.TryGetValue(path, out var values))
                {
                    touched[path] = values = [];
                    order.Add(path);
                }

                values.Add(new ChangeValue(change.ChangeId, value));
            }

            current = next;
        }

        var conflicts = order
            .Select(p => (Path: p, Values: touched[p]))
            .Where(t => t.Values.Select(v => v.Value).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(t => new MergeConflict(t.Path, t.Values))
            .ToList();
        return (current, conflicts);
    }

    /// <summary>Every field and setting one change names, with the value it leaves there (null: removed).</summary>
    private static IEnumerable<(string Path, string? Value)> Touches(ClusterConfiguration before, UpdateRequest request)
    {
        var change = request.SlurmConfiguration;
        if (change.ScaleDownIdleTimeInSeconds is { } scaleDown)
        {
            yield return (ScaleDownPath, scaleDown.ToString(CultureInfo.InvariantCulture));
        }

        if (change.Accounting?.DefaultPurgeTimeInDays is { } purge)
        {
            yield return (PurgePath, purge.ToString(CultureInfo.InvariantCulture));
        }

        if (change.Accounting?.Mode is { } accounting)
        {
            yield return (AccountingModePath, accounting.ToWire());
        }

        if (change.SlurmRest?.Mode is { } rest)
        {
            yield return (SlurmRestModePath, rest.ToWire());
        }

        foreach (var kind in SettingsListKindExtensions.All)
        {
            var list = change.List(kind);
            var prefix = $"slurmConfiguration.{kind.WireName()}";
            if (request.Options.SettingsMode == SettingsMode.Replace && list is not null)
            {
                // The list replaces the whole list: every setting it names is set, every other one is removed.
                var kept = new HashSet<string>(list.Select(s => s.ParameterName), StringComparer.OrdinalIgnoreCase);
                foreach (var setting in list)
                {
                    yield return ($"{prefix}[{setting.ParameterName}]", setting.ParameterValue);
                }

                foreach (var setting in before.List(kind).Where(s => !kept.Contains(s.ParameterName)))
                {
                    yield return ($"{prefix}[{setting.ParameterName}]", null);
                }

                continue;
            }

            foreach (var setting in list ?? [])
            {
                yield return ($"{prefix}[{setting.ParameterName}]", setting.ParameterValue);
            }

            foreach (var name in request.Options.RemoveSettings.For(kind))
            {
                var spelled = before.List(kind).FirstOrDefault(s => string.Equals(s.ParameterName, name, StringComparison.OrdinalIgnoreCase))?.ParameterName ?? name;
                yield return ($"{prefix}[{spelled}]", null);
            }
        }
    }
}
