namespace PcsOrchestrator.Domain.Model;

/// <summary>One custom Slurm, slurmdbd or cgroup setting, as PCS models it (<c>parameterName</c>, <c>parameterValue</c>).</summary>
public sealed record CustomSetting(string ParameterName, string ParameterValue);

/// <summary>The three custom-settings lists of a cluster's Slurm configuration.</summary>
public enum SettingsListKind
{
    Slurm,
    Slurmdbd,
    Cgroup,
}

public static class SettingsListKindExtensions
{
    /// <summary>The list's property name in the PCS API (and in requests).</summary>
    public static string WireName(this SettingsListKind kind) => kind switch
    {
        SettingsListKind.Slurm => "slurmCustomSettings",
        SettingsListKind.Slurmdbd => "slurmdbdCustomSettings",
        SettingsListKind.Cgroup => "cgroupCustomSettings",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<SettingsListKind> All { get; } = [SettingsListKind.Slurm, SettingsListKind.Slurmdbd, SettingsListKind.Cgroup];
}
