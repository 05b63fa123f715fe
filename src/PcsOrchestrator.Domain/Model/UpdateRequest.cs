namespace PcsOrchestrator.Domain.Model;

/// <summary>How a request's custom-settings lists combine with the cluster's current lists.</summary>
public enum SettingsMode
{
    /// <summary>Keep the cluster's settings the request does not name; set the named ones; apply explicit removals.</summary>
    Merge,

    /// <summary>Send the request's list as the cluster's whole list (what UpdateCluster itself does).</summary>
    Replace,
}

/// <summary>When a request is to be applied: now, or in its cluster's next maintenance window.</summary>
public enum ApplyMode
{
    /// <summary>Start the update now (within the request's own maintenance window, if it gives one).</summary>
    Now,

    /// <summary>Queue the change; the cluster's next maintenance window applies it with every other queued change.</summary>
    NextWindow,
}

public static class ApplyModeExtensions
{
    public const string NowWire = "now";
    public const string NextWindowWire = "next-window";

    public static string ToWire(this ApplyMode mode) => mode == ApplyMode.NextWindow ? NextWindowWire : NowWire;

    public static bool TryParseWire(string? value, out ApplyMode mode)
    {
        (var ok, mode) = value switch
        {
            NowWire => (true, ApplyMode.Now),
            NextWindowWire => (true, ApplyMode.NextWindow),
            _ => (false, ApplyMode.Now),
        };
        return ok;
    }
}

/// <summary>Where a request came from.</summary>
public enum RequestOrigin
{
    Direct,
    EventBridge,
    Scheduler,
}

/// <summary>
/// One accepted update request: the change UpdateCluster is to make plus the orchestration metadata.
/// Built by <see cref="Parsing.RequestParser"/>, checked by <see cref="Validation.RequestValidator"/>.
/// </summary>
public sealed record UpdateRequest
{
    public required string ClusterIdentifier { get; init; }

    public SlurmConfigurationChange SlurmConfiguration { get; init; } = new();

    /// <summary>An explicit PCS client token (8 to 100 characters); derived from the idempotency key when absent.</summary>
    public string? ClientToken { get; init; }

    /// <summary>An explicit idempotency key; derived when absent (the EventBridge event id, else a hash of the change).</summary>
    public string? IdempotencyKey { get; init; }

    public string? RequestedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>Free-form source label (the EventBridge <c>source</c>, "scheduler", "cli", ...).</summary>
    public string? Source { get; init; }

    public MaintenanceWindow? MaintenanceWindow { get; init; }

    /// <summary>
    /// <c>now</c> or <c>next-window</c>; null when the request does not say, and the cluster's maintenance window (if it
    /// has one) decides (see <see cref="Windows.Admission"/>).
    /// </summary>
    public ApplyMode? Apply { get; init; }

    public UpdateOptions Options { get; init; } = new();

    public RequestOrigin Origin { get; init; } = RequestOrigin.Direct;

    /// <summary>The triggering event or schedule occurrence, when there is one.</summary>
    public TriggerInfo? Trigger { get; init; }
}

/// <summary>Options that shape how the orchestrator runs the update.</summary>
public sealed record UpdateOptions
{
    public const int DefaultTimeoutSeconds = 4 * 60 * 60;

    public bool DryRun { get; init; }

    public bool RollbackOnFailure { get; init; }

    /// <summary>Absolute deadline for the whole run. Exclusive with <see cref="TimeoutSeconds"/>.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Deadline relative to the time the request was received.</summary>
    public int? TimeoutSeconds { get; init; }

    public SettingsMode SettingsMode { get; init; } = SettingsMode.Merge;

    /// <summary>Names to remove from each list (merge mode only).</summary>
    public SettingRemovals RemoveSettings { get; init; } = SettingRemovals.None;

    /// <summary>Allow setting names outside PCS's documented allow-lists (the service has the last word).</summary>
    public bool AllowUnlistedSettings { get; init; }

    /// <summary>How long the update is expected to take, for the maintenance-window guard.</summary>
    public int? ExpectedUpdateMinutes { get; init; }

    /// <summary>For a queued change: when the window that applies it fails, queue it again for the next window.</summary>
    public bool RequeueOnFailure { get; init; }

    /// <summary>The run's deadline: the explicit one, else received time plus the timeout (default 4 hours).</summary>
    public DateTimeOffset EffectiveDeadline(DateTimeOffset receivedAt) =>
        Deadline ?? receivedAt.AddSeconds(TimeoutSeconds ?? DefaultTimeoutSeconds);
}

/// <summary>Explicit removals per custom-settings list.</summary>
public sealed record SettingRemovals(
    IReadOnlyList<string> SlurmCustomSettings,
    IReadOnlyList<string> SlurmdbdCustomSettings,
    IReadOnlyList<string> CgroupCustomSettings)
{
    public static SettingRemovals None { get; } = new([], [], []);

    public IReadOnlyList<string> For(SettingsListKind kind) => kind switch
    {
        SettingsListKind.Slurm => SlurmCustomSettings,
        SettingsListKind.Slurmdbd => SlurmdbdCustomSettings,
        SettingsListKind.Cgroup => CgroupCustomSettings,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public bool IsEmpty => SlurmCustomSettings.Count == 0 && SlurmdbdCustomSettings.Count == 0 && CgroupCustomSettings.Count == 0;
}

/// <summary>
/// A maintenance window as the request states it: when it opens (if known), when it ends, and the cutoff before
/// that end after which no update may start (as SSM Maintenance Windows define it).
/// </summary>
public sealed record MaintenanceWindow(DateTimeOffset End, TimeSpan Cutoff)
{
    /// <summary>When the window opens; for a scheduler input, the scheduled time.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>The last instant an update may start.</summary>
    public DateTimeOffset LatestStart => End - Cutoff;
}

/// <summary>What triggered the request: an EventBridge event or a scheduler occurrence.</summary>
public sealed record TriggerInfo
{
    public string? EventId { get; init; }

    public string? DetailType { get; init; }

    public string? Account { get; init; }

    public string? Region { get; init; }

    public DateTimeOffset? Time { get; init; }

    public string? ScheduleArn { get; init; }

    public DateTimeOffset? ScheduledTime { get; init; }
}
