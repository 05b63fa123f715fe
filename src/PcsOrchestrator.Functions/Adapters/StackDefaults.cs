using System.Globalization;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Functions.Adapters;

/// <summary>
/// The stack's maintenance-window defaults, from the function's environment (template parameters): the default
/// window (<c>DEFAULT_WINDOW_*</c>, named <see cref="DefaultWindowName"/>, for the clusters it lists that have no
/// window of their own) and what a request that says nothing does for a cluster with a window (<c>DEFAULT_APPLY</c>).
/// A bad value fails the function's start with the variable and the rule, never a half-read configuration.
/// </summary>
public sealed record StackDefaults(WindowDefinition? DefaultWindow, ApplyMode DefaultApply)
{
    public const string DefaultWindowName = "default";
    public const string ScheduleVariable = "DEFAULT_WINDOW_SCHEDULE";
    public const string TimeZoneVariable = "DEFAULT_WINDOW_TIMEZONE";
    public const string DurationVariable = "DEFAULT_WINDOW_DURATION_MINUTES";
    public const string CutoffVariable = "DEFAULT_WINDOW_CUTOFF_MINUTES";
    public const string ClustersVariable = "DEFAULT_WINDOW_CLUSTERS";
    public const string DriftVariable = "DEFAULT_WINDOW_DRIFT";
    public const string ApplyVariable = "DEFAULT_APPLY";

    public static StackDefaults None { get; } = new(null, ApplyMode.NextWindow);

    private static readonly Dictionary<string, string> VariableOf = new(StringComparer.Ordinal)
    {
        ["$.schedule"] = ScheduleVariable,
        ["$.timeZone"] = TimeZoneVariable,
        ["$.durationMinutes"] = DurationVariable,
        ["$.cutoffMinutes"] = CutoffVariable,
        ["$.clusters"] = ClustersVariable,
        ["$.drift"] = DriftVariable,
    };

    public static StackDefaults FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var applyText = environment(ApplyVariable);
        var apply = ApplyMode.NextWindow;
        if (!string.IsNullOrWhiteSpace(applyText) && !ApplyModeExtensions.TryParseWire(applyText.Trim(), out apply))
        {
            throw new InvalidOperationException($"{ApplyVariable} must be '{ApplyModeExtensions.NowWire}' or '{ApplyModeExtensions.NextWindowWire}', is '{applyText}' [enum]");
        }

        var schedule = environment(ScheduleVariable);
        if (string.IsNullOrWhiteSpace(schedule))
        {
            return new StackDefaults(null, apply);
        }

        var document = new JsonObject
        {
            ["name"] = DefaultWindowName,
            ["schedule"] = schedule.Trim(),
            ["timeZone"] = Text(environment(TimeZoneVariable)) ?? "UTC",
            ["durationMinutes"] = Number(environment(DurationVariable), DurationVariable) ?? 240,
            ["cutoffMinutes"] = Number(environment(CutoffVariable), CutoffVariable) ?? 60,
            ["clusters"] = new JsonArray([.. (environment(ClustersVariable) ?? string.Empty)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => (JsonNode)c)]),
            ["drift"] = Text(environment(DriftVariable)) ?? "off",
        };
        var (window, issues) = WindowDefinition.Parse(document.ToJsonString());
        if (window is null)
        {
            throw new InvalidOperationException("the default maintenance window in the function's environment is invalid: " + string.Join("; ", issues.Select(i =>
            {
                var root = i.Path.Split('[')[0];
                return VariableOf.TryGetValue(root, out var variable) ? $"{variable}{i.Path[root.Length..]}: {i.Message} [{i.Rule}]" : i.ToString();
            })));
        }

        return new StackDefaults(window, apply);
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int? Number(string? value, string variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidOperationException($"{variable} must be a whole number of minutes, is '{value}' [type]");
    }
}
