using System.Globalization;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Planning;

/// <summary>One difference between the current and the desired configuration. Null means "absent".</summary>
public sealed record ConfigurationChange(string Path, string? Current, string? Desired);

/// <summary>
/// The plan for one request: the complete configuration the cluster should end with, the UpdateCluster
/// <c>slurmConfiguration</c> payload that gets it there (only the sections that change; a changed list is sent
/// whole because the service replaces lists), and the change set. An empty change set means nothing to do.
/// </summary>
public sealed record UpdatePlan(ClusterConfiguration Current, ClusterConfiguration Desired, SlurmConfigurationChange Payload, IReadOnlyList<ConfigurationChange> Changes)
{
    public bool IsNoOp => Changes.Count == 0;
}

public static class Planner
{
    public static UpdatePlan Plan(ClusterConfiguration current, SlurmConfigurationChange requested, UpdateOptions options)
    {
        ArgumentNullException.ThrowIfNull(current);
        var desired = Apply(current, requested, options);
        return new UpdatePlan(current, desired, Payload(current, desired), Diff(current, desired));
    }

    /// <summary>
    /// The configuration after the request: scalar members replace; in merge mode a list keeps the settings the
    /// request does not name, updates the named ones in place, appends new ones and drops explicit removals; in
    /// replace mode a list the request gives becomes the whole list. Applying a request twice equals applying it once.
    /// </summary>
    public static ClusterConfiguration Apply(ClusterConfiguration current, SlurmConfigurationChange requested, UpdateOptions options)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(options);
        var result = current with
        {
            ScaleDownIdleTimeInSeconds = requested.ScaleDownIdleTimeInSeconds ?? current.ScaleDownIdleTimeInSeconds,
            DefaultPurgeTimeInDays = requested.Accounting?.DefaultPurgeTimeInDays ?? current.DefaultPurgeTimeInDays,
            AccountingMode = requested.Accounting?.Mode ?? current.AccountingMode,
            SlurmRestMode = requested.SlurmRest?.Mode ?? current.SlurmRestMode,
        };

        foreach (var kind in SettingsListKindExtensions.All)
        {
            var list = options.SettingsMode == SettingsMode.Replace
                ? requested.List(kind) ?? current.List(kind)
                : Merge(current.List(kind), requested.List(kind) ?? [], options.RemoveSettings.For(kind));
            result = result.WithList(kind, list);
        }

        return result;
    }

    /// <summary>Merges one list. Names compare case-insensitively, as Slurm reads them.</summary>
    public static IReadOnlyList<CustomSetting> Merge(IReadOnlyList<CustomSetting> current, IReadOnlyList<CustomSetting> requested, IReadOnlyList<string> removals)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(removals);
        var merged = new List<CustomSetting>(current.Count + requested.Count);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in current.Concat(requested))
        {
            if (index.TryGetValue(setting.ParameterName, out var at))
            {
                merged[at] = setting;
            }
            else
            {
                index[setting.ParameterName] = merged.Count;
                merged.Add(setting);
            }
        }

        if (removals.Count == 0)
        {
            return merged;
        }

        var remove = new HashSet<string>(removals, StringComparer.OrdinalIgnoreCase);
        return [.. merged.Where(s => !remove.Contains(s.ParameterName))];
    }

    /// <summary>Every difference between two configurations; lists compare as sets of (name, value).</summary>
    public static IReadOnlyList<ConfigurationChange> Diff(ClusterConfiguration current, ClusterConfiguration desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var changes = new List<ConfigurationChange>();
        Compare(changes, "slurmConfiguration.scaleDownIdleTimeInSeconds", current.ScaleDownIdleTimeInSeconds, desired.ScaleDownIdleTimeInSeconds);
        foreach (var kind in SettingsListKindExtensions.All)
        {
            DiffList(changes, $"slurmConfiguration.{kind.WireName()}", current.List(kind), desired.List(kind));
        }

        Compare(changes, "slurmConfiguration.accounting.defaultPurgeTimeInDays", current.DefaultPurgeTimeInDays, desired.DefaultPurgeTimeInDays);
        if (current.AccountingMode != desired.AccountingMode)
        {
            changes.Add(new ConfigurationChange("slurmConfiguration.accounting.mode", current.AccountingMode.ToWire(), desired.AccountingMode.ToWire()));
        }

        if (current.SlurmRestMode != desired.SlurmRestMode)
        {
            changes.Add(new ConfigurationChange("slurmConfiguration.slurmRest.mode", current.SlurmRestMode.ToWire(), desired.SlurmRestMode.ToWire()));
        }

        return changes;
    }

    /// <summary>The UpdateCluster payload: only what differs, lists whole, accounting fields individually.</summary>
    public static SlurmConfigurationChange Payload(ClusterConfiguration current, ClusterConfiguration desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var payload = new SlurmConfigurationChange
        {
            ScaleDownIdleTimeInSeconds = current.ScaleDownIdleTimeInSeconds != desired.ScaleDownIdleTimeInSeconds ? desired.ScaleDownIdleTimeInSeconds : null,
            SlurmRest = current.SlurmRestMode != desired.SlurmRestMode ? new SlurmRestChange(desired.SlurmRestMode) : null,
        };

        var purge = current.DefaultPurgeTimeInDays != desired.DefaultPurgeTimeInDays ? desired.DefaultPurgeTimeInDays : (int?)null;
        var mode = current.AccountingMode != desired.AccountingMode ? desired.AccountingMode : (FeatureMode?)null;
        if (purge is not null || mode is not null)
        {
            payload = payload with { Accounting = new AccountingChange(purge, mode) };
        }

        foreach (var kind in SettingsListKindExtensions.All)
        {
            if (!SameSettings(current.List(kind), desired.List(kind)))
            {
                payload = payload.WithList(kind, desired.List(kind));
            }
        }

        return payload;
    }

    /// <summary>True when two lists hold the same (name, value) pairs, in any order.</summary>
    public static bool SameSettings(IReadOnlyList<CustomSetting> a, IReadOnlyList<CustomSetting> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            return false;
        }

        var left = ToMap(a);
        var right = ToMap(b);
        return left.Count == right.Count && left.All(kv => right.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static void DiffList(List<ConfigurationChange> changes, string path, IReadOnlyList<CustomSetting> current, IReadOnlyList<CustomSetting> desired)
    {
        var before = ToMap(current);
        var after = ToMap(desired);
        foreach (var (name, value) in before.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            after.TryGetValue(name, out var next);
            if (next != value)
            {
                changes.Add(new ConfigurationChange($"{path}[{name}]", value, next));
            }
        }

        foreach (var (name, value) in after.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!before.ContainsKey(name))
            {
                changes.Add(new ConfigurationChange($"{path}[{name}]", null, value));
            }
        }
    }

    private static Dictionary<string, string> ToMap(IReadOnlyList<CustomSetting> list)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in list)
        {
            map[s.ParameterName] = s.ParameterValue;
        }

        return map;
    }

    private static void Compare(List<ConfigurationChange> changes, string path, int current, int desired)
    {
        if (current != desired)
        {
            changes.Add(new ConfigurationChange(path, current.ToString(CultureInfo.InvariantCulture), desired.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
