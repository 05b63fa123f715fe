namespace PcsOrchestrator.Domain.Model;

/// <summary>
/// The part of a cluster's Slurm configuration a request asks for. Every member is optional: an absent
/// member means "leave as it is". This is the shape of UpdateCluster's <c>slurmConfiguration</c>.
/// </summary>
public sealed record SlurmConfigurationChange
{
    public int? ScaleDownIdleTimeInSeconds { get; init; }

    public IReadOnlyList<CustomSetting>? SlurmCustomSettings { get; init; }

    public IReadOnlyList<CustomSetting>? SlurmdbdCustomSettings { get; init; }

    public IReadOnlyList<CustomSetting>? CgroupCustomSettings { get; init; }

    public AccountingChange? Accounting { get; init; }

    public SlurmRestChange? SlurmRest { get; init; }

    public IReadOnlyList<CustomSetting>? List(SettingsListKind kind) => kind switch
    {
        SettingsListKind.Slurm => SlurmCustomSettings,
        SettingsListKind.Slurmdbd => SlurmdbdCustomSettings,
        SettingsListKind.Cgroup => CgroupCustomSettings,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public SlurmConfigurationChange WithList(SettingsListKind kind, IReadOnlyList<CustomSetting>? list) => kind switch
    {
        SettingsListKind.Slurm => this with { SlurmCustomSettings = list },
        SettingsListKind.Slurmdbd => this with { SlurmdbdCustomSettings = list },
        SettingsListKind.Cgroup => this with { CgroupCustomSettings = list },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>True when the change names nothing at all.</summary>
    public bool IsEmpty =>
        ScaleDownIdleTimeInSeconds is null && SlurmCustomSettings is null && SlurmdbdCustomSettings is null &&
        CgroupCustomSettings is null && (Accounting is null || Accounting.IsEmpty) && (SlurmRest is null || SlurmRest.Mode is null);
}

/// <summary>UpdateCluster's <c>accounting</c>: both members optional.</summary>
public sealed record AccountingChange(int? DefaultPurgeTimeInDays, FeatureMode? Mode)
{
    public bool IsEmpty => DefaultPurgeTimeInDays is null && Mode is null;
}

/// <summary>UpdateCluster's <c>slurmRest</c>.</summary>
public sealed record SlurmRestChange(FeatureMode? Mode);
