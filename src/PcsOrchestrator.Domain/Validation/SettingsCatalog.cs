using System.Collections.Frozen;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Validation;

/// <summary>
/// The cluster-level custom settings PCS documents as accepted (PCS user guide, late 2026). The service grows
/// these lists over time; <see cref="UpdateOptions.AllowUnlistedSettings"/> lets a request pass a newer name through.
/// </summary>
public static class SettingsCatalog
{
    public static FrozenSet<string> Slurm { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "AccountingStorageEnforce", "AccountingStorageTRES", "AccountingStoreFlags", "AuthAltParameters",
        "CliFilterParameters", "CliFilterPlugins", "CommunicationParameters", "DefMemPerCPU", "Epilog",
        "EnforcePartLimits", "FirstJobId", "HealthCheckInterval", "HealthCheckNodeState", "HealthCheckProgram",
        "JobRequeue", "LaunchParameters", "Licenses", "MetricsType", "MinJobAge", "OverTimeLimit",
        "PreemptExemptTime", "PreemptMode", "PreemptParameters", "PreemptType", "FairShareDampeningFactor",
        "PriorityCalcPeriod", "PriorityDecayHalfLife", "PriorityFavorSmall", "PriorityFlags", "PriorityMaxAge",
        "PriorityUsageResetPeriod", "PriorityWeightAge", "PriorityWeightAssoc", "PriorityWeightFairshare",
        "PriorityWeightJobSize", "PriorityWeightPartition", "PriorityWeightQOS", "PriorityWeightTRES", "Prolog",
        "PrologFlags", "RequeueExit", "RequeueExitHold", "SchedulerParameters", "SelectTypeParameters",
        "SrunPortRange", "TaskEpilog", "TaskPluginParam", "TaskProlog", "TrackWCKey", "UnkillableStepProgram",
        "UnkillableStepTimeout",
    ]);

    public static FrozenSet<string> Slurmdbd { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "AllowNoDefAcct", "AllResourcesAbsolute", "CommitDelay", "DefaultQOS", "MaxQueryTimeRange", "Parameters",
        "PrivateData", "PurgeEventAfter", "PurgeJobAfter", "PurgeResvAfter", "PurgeStepAfter", "PurgeSuspendAfter",
        "PurgeTXNAfter", "PurgeUsageAfter", "TrackWCKey",
    ]);

    public static FrozenSet<string> Cgroup { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "AllowedRAMSpace", "AllowedSwapSpace", "ConstrainCores", "ConstrainDevices", "ConstrainRAMSpace",
        "ConstrainSwapSpace", "IgnoreSystemd", "MaxRAMPercent", "MaxSwapPercent", "MinRAMSpace",
        "SignalChildrenProcesses",
    ]);

    public static FrozenSet<string> For(SettingsListKind kind) => kind switch
    {
        SettingsListKind.Slurm => Slurm,
        SettingsListKind.Slurmdbd => Slurmdbd,
        SettingsListKind.Cgroup => Cgroup,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The documented spelling of a name that differs only in case, if any.</summary>
    public static string? SpellingOf(SettingsListKind kind, string name)
    {
        foreach (var known in For(kind))
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }
}
