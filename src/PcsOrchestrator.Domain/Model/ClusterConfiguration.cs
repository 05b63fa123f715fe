namespace PcsOrchestrator.Domain.Model;

/// <summary>
/// A cluster's complete, effective Slurm configuration: what GetCluster reports, with the service's defaults
/// filled in where it reports nothing (scale-down 600 s, accounting NONE with purge -1, REST API NONE, empty lists).
/// </summary>
public sealed record ClusterConfiguration
{
    public const int DefaultScaleDownIdleTimeInSeconds = 600;
    /// <summary>The service's default purge time: -1, never purge.</summary>
    public const int NeverPurge = -1;

    public int ScaleDownIdleTimeInSeconds { get; init; } = DefaultScaleDownIdleTimeInSeconds;

    public IReadOnlyList<CustomSetting> SlurmCustomSettings { get; init; } = [];

    public IReadOnlyList<CustomSetting> SlurmdbdCustomSettings { get; init; } = [];

    public IReadOnlyList<CustomSetting> CgroupCustomSettings { get; init; } = [];

    public int DefaultPurgeTimeInDays { get; init; } = NeverPurge;

    public FeatureMode AccountingMode { get; init; } = FeatureMode.None;

    public FeatureMode SlurmRestMode { get; init; } = FeatureMode.None;

    public static ClusterConfiguration Defaults { get; } = new();

    public IReadOnlyList<CustomSetting> List(SettingsListKind kind) => kind switch
    {
        SettingsListKind.Slurm => SlurmCustomSettings,
        SettingsListKind.Slurmdbd => SlurmdbdCustomSettings,
        SettingsListKind.Cgroup => CgroupCustomSettings,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public ClusterConfiguration WithList(SettingsListKind kind, IReadOnlyList<CustomSetting> list) => kind switch
    {
        SettingsListKind.Slurm => this with { SlurmCustomSettings = list },
        SettingsListKind.Slurmdbd => this with { SlurmdbdCustomSettings = list },
        SettingsListKind.Cgroup => this with { CgroupCustomSettings = list },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Builds the effective configuration from what GetCluster returned, where any member may be absent.
    /// </summary>
    public static ClusterConfiguration FromReported(SlurmConfigurationChange? reported)
    {
        if (reported is null)
        {
            return Defaults;
        }

        return new ClusterConfiguration
        {
            ScaleDownIdleTimeInSeconds = reported.ScaleDownIdleTimeInSeconds ?? DefaultScaleDownIdleTimeInSeconds,
            SlurmCustomSettings = reported.SlurmCustomSettings ?? [],
            SlurmdbdCustomSettings = reported.SlurmdbdCustomSettings ?? [],
            CgroupCustomSettings = reported.CgroupCustomSettings ?? [],
            DefaultPurgeTimeInDays = reported.Accounting?.DefaultPurgeTimeInDays ?? NeverPurge,
            AccountingMode = reported.Accounting?.Mode ?? FeatureMode.None,
            SlurmRestMode = reported.SlurmRest?.Mode ?? FeatureMode.None,
        };
    }

    /// <summary>The configuration as a complete UpdateCluster <c>slurmConfiguration</c> (used to roll back).</summary>
    public SlurmConfigurationChange ToFullChange() => new()
    {
        ScaleDownIdleTimeInSeconds = ScaleDownIdleTimeInSeconds,
        SlurmCustomSettings = SlurmCustomSettings,
        SlurmdbdCustomSettings = SlurmdbdCustomSettings,
        CgroupCustomSettings = CgroupCustomSettings,
        Accounting = new AccountingChange(DefaultPurgeTimeInDays, AccountingMode),
        SlurmRest = new SlurmRestChange(SlurmRestMode),
    };
}
