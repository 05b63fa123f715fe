using System.Globalization;
using System.Text.RegularExpressions;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Validation;

/// <summary>
/// Checks an <see cref="UpdateRequest"/> against the PCS service model, the PCS user guide and the orchestrator's
/// own rules. Every violation is collected in one pass; nothing throws for bad input.
/// </summary>
public static partial class RequestValidator
{
    public const int ScaleDownMin = 1;
    public const int ScaleDownMax = 10_000_000;
    public const int PurgeDaysMin = -1;
    public const int PurgeDaysMax = 10_000;
    public const int ClientTokenMin = 8;
    public const int ClientTokenMax = 100;
    public const int IdempotencyKeyMax = 128;
    public const int MaxSettingsPerList = 200;
    public const int SettingNameMax = 128;
    public const int SettingValueMax = 4096;
    public const int RequestedByMax = 256;
    public const int ReasonMax = 1024;
    public const int SourceMax = 256;
    public const int TimeoutSecondsMin = 60;

    /// <summary>Standard workflows run for at most one year.</summary>
    public const int TimeoutSecondsMax = 365 * 24 * 60 * 60;

    public const int ExpectedUpdateMinutesMax = 24 * 60;

    /// <summary>Slurm's documented minimum for MinJobAge as PCS applies it.</summary>
    public const int MinJobAgeMin = 5;

    /// <summary>The service model's clusterIdentifier pattern, anchored: the whole value must match.</summary>
    [GeneratedRegex("^(pcs_[a-zA-Z0-9]+|[A-Za-z][A-Za-z0-9-]{2,40})$", RegexOptions.CultureInvariant)]
    public static partial Regex ClusterIdentifierPattern();

    /// <summary>Slurm parameter names are letters and digits, starting with a letter.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant)]
    public static partial Regex SettingNamePattern();

    [GeneratedRegex("^[A-Za-z0-9._:/@+=,-]+$", RegexOptions.CultureInvariant)]
    public static partial Regex TokenPattern();

    /// <summary>Validates a parsed request. <paramref name="root"/> is the JSON path of the request object.</summary>
    public static IReadOnlyList<ValidationIssue> Validate(UpdateRequest request, string root, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        var issues = new IssueCollector();
        ValidateCluster(request.ClusterIdentifier, $"{root}.clusterIdentifier", issues);

        if (request.ClientToken is { } token)
        {
            var path = $"{root}.clientToken";
            if (token.Length is < ClientTokenMin or > ClientTokenMax)
            {
                issues.Add(path, Rules.Length, $"must be {ClientTokenMin} to {ClientTokenMax} characters long, is {token.Length}", token);
            }

            CheckPrintable(token, path, issues);
        }

        if (request.IdempotencyKey is { } key)
        {
            var path = $"{root}.idempotencyKey";
            if (key.Length is 0 or > IdempotencyKeyMax)
            {
                issues.Add(path, Rules.Length, $"must be 1 to {IdempotencyKeyMax} characters long, is {key.Length}", key);
            }
            else if (!TokenPattern().IsMatch(key))
            {
                issues.Add(path, Rules.Pattern, "may contain only letters, digits and . _ : / @ + = , -", key);
            }
        }

        CheckFreeText(request.RequestedBy, $"{root}.requestedBy", RequestedByMax, issues);
        CheckFreeText(request.Reason, $"{root}.reason", ReasonMax, issues);
        CheckFreeText(request.Source, $"{root}.source", SourceMax, issues);

        ValidateConfiguration(request.SlurmConfiguration, request.Options, $"{root}.slurmConfiguration", issues);
        ValidateOptions(request, $"{root}.options", receivedAt, issues);
        if (request.MaintenanceWindow is { } window && window.Cutoff < TimeSpan.Zero)
        {
            issues.Add($"{root}.maintenanceWindow.cutoffMinutes", Rules.Range, "must be 0 or more");
        }

        if (request.Apply == ApplyMode.NextWindow)
        {
            if (request.MaintenanceWindow is not null)
            {
                issues.Add($"{root}.maintenanceWindow", Rules.Conflict, "cannot be combined with apply 'next-window': a queued change is applied in its cluster's own maintenance window");
            }

            if (request.Options.DryRun)
            {
                issues.Add($"{root}.options.dryRun", Rules.Conflict, "cannot be combined with apply 'next-window': plan a change without queueing it with a dry run that applies 'now' (or the plan command)");
            }
        }
        else if (request.Options.RequeueOnFailure && request.Apply == ApplyMode.Now)
        {
            issues.Add($"{root}.options.requeueOnFailure", Rules.Conflict, "applies only to a change queued for a maintenance window (apply 'next-window')");
        }

        if (request.SlurmConfiguration.IsEmpty && request.Options.RemoveSettings.IsEmpty)
        {
            issues.Add($"{root}.slurmConfiguration", Rules.EmptyChange,
                "names no change: set at least one of scaleDownIdleTimeInSeconds, slurmCustomSettings, slurmdbdCustomSettings, cgroupCustomSettings, accounting, slurmRest, or remove a setting with options.removeSettings");
        }

        return issues.Issues;
    }

    public static void ValidateCluster(string? identifier, string path, IssueCollector issues)
    {
        ArgumentNullException.ThrowIfNull(issues);
        if (string.IsNullOrEmpty(identifier))
        {
            issues.Add(path, Rules.Required, "is required: the name or id of the PCS cluster");
        }
        else if (!ClusterIdentifierPattern().IsMatch(identifier))
        {
            issues.Add(path, Rules.Pattern,
                "must be a cluster id (pcs_ followed by letters and digits) or a name of 3 to 41 letters, digits and hyphens starting with a letter",
                identifier);
        }
    }

    /// <summary>Validates a <c>slurmConfiguration</c> object (also used for configuration files the CLI reads).</summary>
    public static void ValidateConfiguration(SlurmConfigurationChange change, UpdateOptions options, string path, IssueCollector issues)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issues);
        if (change.ScaleDownIdleTimeInSeconds is { } scaleDown && scaleDown is < ScaleDownMin or > ScaleDownMax)
        {
            issues.Add($"{path}.scaleDownIdleTimeInSeconds", Rules.Range,
                $"must be between {ScaleDownMin} and {ScaleDownMax:N0} seconds", Invariant(scaleDown));
        }

        foreach (var kind in SettingsListKindExtensions.All)
        {
            if (change.List(kind) is { } list)
            {
                ValidateList(kind, list, options, $"{path}.{kind.WireName()}", issues);
            }
        }

        if (change.Accounting is { DefaultPurgeTimeInDays: { } purge })
        {
            var purgePath = $"{path}.accounting.defaultPurgeTimeInDays";
            if (purge == 0)
            {
                issues.Add(purgePath, Rules.NotZero, "must not be 0: use -1 to keep records forever, or 1 to 10000 days", "0");
            }
            else if (purge is < PurgeDaysMin or > PurgeDaysMax)
            {
                issues.Add(purgePath, Rules.Range, $"must be -1 (never purge) or between 1 and {PurgeDaysMax} days", Invariant(purge));
            }
        }
    }

    private static void ValidateList(SettingsListKind kind, IReadOnlyList<CustomSetting> list, UpdateOptions options, string path, IssueCollector issues)
    {
        if (list.Count > MaxSettingsPerList)
        {
            issues.Add(path, Rules.TooMany, $"has {list.Count} settings; at most {MaxSettingsPerList} are accepted");
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var removed = new HashSet<string>(options.RemoveSettings.For(kind), StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < list.Count; i++)
        {
            var setting = list[i];
            var namePath = $"{path}[{i}].parameterName";
            var valuePath = $"{path}[{i}].parameterValue";
            var nameOk = CheckSettingName(kind, setting.ParameterName, namePath, options.AllowUnlistedSettings, issues);
            var valueOk = CheckSettingValue(setting.ParameterValue, valuePath, issues);

            if (!nameOk)
            {
                continue;
            }

            if (seen.TryGetValue(setting.ParameterName, out var first))
            {
                issues.Add(namePath, Rules.DuplicateSetting,
                    $"names the same setting as {path}[{first}]; each setting may appear once per list (Slurm names are case-insensitive)",
                    setting.ParameterName);
            }
            else
            {
                seen.Add(setting.ParameterName, i);
            }

            if (removed.Contains(setting.ParameterName))
            {
                issues.Add(namePath, Rules.Conflict, $"is both set and removed (options.removeSettings.{kind.WireName()})", setting.ParameterName);
            }

            if (valueOk && kind == SettingsListKind.Slurm && setting.ParameterName == "MinJobAge" &&
                (!int.TryParse(setting.ParameterValue, NumberStyles.None, CultureInfo.InvariantCulture, out var age) || age < MinJobAgeMin))
            {
                issues.Add(valuePath, Rules.Range, $"MinJobAge must be a whole number of seconds, {MinJobAgeMin} or more", setting.ParameterValue);
            }
        }
    }

    /// <summary>Checks one setting name; returns true when the name is usable (well formed).</summary>
    public static bool CheckSettingName(SettingsListKind kind, string? name, string path, bool allowUnlisted, IssueCollector issues)
    {
        ArgumentNullException.ThrowIfNull(issues);
        if (string.IsNullOrEmpty(name))
        {
            issues.Add(path, Rules.Required, "is required and must not be empty");
            return false;
        }

        if (HasControlCharacters(name))
        {
            issues.Add(path, Rules.ControlCharacters, "must not contain control characters or line breaks (they would inject lines into the generated configuration)", name);
            return false;
        }

        if (name.Length > SettingNameMax || !SettingNamePattern().IsMatch(name))
        {
            issues.Add(path, Rules.Pattern, $"must be a Slurm parameter name: letters and digits, starting with a letter, at most {SettingNameMax} characters", name);
            return false;
        }

        if (!allowUnlisted && !SettingsCatalog.For(kind).Contains(name))
        {
            var spelling = SettingsCatalog.SpellingOf(kind, name);
            var hint = spelling is null
                ? $"is not a setting PCS accepts in {kind.WireName()}; set options.allowUnlistedSettings to pass a newer name through"
                : $"is not a setting PCS accepts in {kind.WireName()}; did you mean '{spelling}'?";
            issues.Add(path, Rules.UnlistedSetting, hint, name);
        }

        return true;
    }

    private static bool CheckSettingValue(string? value, string path, IssueCollector issues)
    {
        if (string.IsNullOrEmpty(value))
        {
            issues.Add(path, Rules.Required, "is required and must not be empty (remove a setting with options.removeSettings)");
        }
        else if (HasControlCharacters(value))
        {
            issues.Add(path, Rules.ControlCharacters, "must not contain control characters or line breaks (they would inject lines into the generated configuration)", value);
        }
        else if (value.Length > SettingValueMax)
        {
            issues.Add(path, Rules.Length, $"must be at most {SettingValueMax} characters long, is {value.Length}", value);
        }
        else
        {
            return true;
        }

        return false;
    }

    private static void ValidateOptions(UpdateRequest request, string path, DateTimeOffset receivedAt, IssueCollector issues)
    {
        var options = request.Options;
        if (options.Deadline is not null && options.TimeoutSeconds is not null)
        {
            issues.Add($"{path}.timeoutSeconds", Rules.Conflict, "cannot be combined with options.deadline: give one of them");
        }

        if (options.TimeoutSeconds is { } timeout && timeout is < TimeoutSecondsMin or > TimeoutSecondsMax)
        {
            issues.Add($"{path}.timeoutSeconds", Rules.Range, $"must be between {TimeoutSecondsMin} and {TimeoutSecondsMax:N0} seconds (one year)", Invariant(timeout));
        }

        if (options.Deadline is { } deadline && deadline <= receivedAt)
        {
            issues.Add($"{path}.deadline", Rules.DeadlinePassed, "is already in the past", deadline.ToString("O", CultureInfo.InvariantCulture));
        }

        if (options.ExpectedUpdateMinutes is { } expected && expected is < 1 or > ExpectedUpdateMinutesMax)
        {
            issues.Add($"{path}.expectedUpdateMinutes", Rules.Range, $"must be between 1 and {ExpectedUpdateMinutesMax} minutes", Invariant(expected));
        }

        foreach (var kind in SettingsListKindExtensions.All)
        {
            var names = options.RemoveSettings.For(kind);
            if (names.Count == 0)
            {
                continue;
            }

            var listPath = $"{path}.removeSettings.{kind.WireName()}";
            if (options.SettingsMode == SettingsMode.Replace)
            {
                issues.Add(listPath, Rules.Conflict, "removals apply only in settingsMode 'merge'; in 'replace' mode leave the setting out of the list");
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < names.Count; i++)
            {
                var namePath = $"{listPath}[{i}]";
                if (CheckSettingName(kind, names[i], namePath, allowUnlisted: true, issues) && !seen.Add(names[i]))
                {
                    issues.Add(namePath, Rules.DuplicateSetting, "names a setting already removed earlier in this list", names[i]);
                }
            }
        }
    }

    private static void CheckFreeText(string? value, string path, int max, IssueCollector issues)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > max)
        {
            issues.Add(path, Rules.Length, $"must be at most {max} characters long, is {value.Length}", value);
        }

        CheckPrintable(value, path, issues);
    }

    private static void CheckPrintable(string value, string path, IssueCollector issues)
    {
        if (HasControlCharacters(value))
        {
            issues.Add(path, Rules.ControlCharacters, "must not contain control characters or line breaks", value);
        }
    }

    /// <summary>C0 and C1 controls, DEL, and the Unicode line and paragraph separators.</summary>
    public static bool HasControlCharacters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
