using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>What <c>window set</c> was given as flags; null is a flag that was not given (the document's default applies).</summary>
public sealed record WindowFlags
{
    public string? Schedule { get; init; }

    public string? TimeZone { get; init; }

    public int? DurationMinutes { get; init; }

    public int? CutoffMinutes { get; init; }

    /// <summary>Every <c>--clusters</c> value as given (each may be a comma list); null when none was given.</summary>
    public IReadOnlyList<string>? Clusters { get; init; }

    public string? DefaultApply { get; init; }

    public string? Drift { get; init; }

    public string? Anchor { get; init; }

    public string? Description { get; init; }
}

/// <summary>
/// The two ways <c>window set</c> takes a window, turned into the one document <see cref="WindowDefinition.Parse(string)"/>
/// checks: flags (each mapped to its member, so an issue names the flag that caused it) or a file (an issue names its
/// JSON path). Pure: nothing here reads the clock or calls anything.
/// </summary>
public static class WindowInput
{
    /// <summary>The flag that sets each member of the document (the member's JSON path as issues give it).</summary>
    private static readonly Dictionary<string, string> FlagOf = new(StringComparer.Ordinal)
    {
        ["$.name"] = "NAME",
        ["$.schedule"] = "--schedule",
        ["$.timeZone"] = "--time-zone",
        ["$.durationMinutes"] = "--duration",
        ["$.cutoffMinutes"] = "--cutoff",
        ["$.anchor"] = "--anchor",
        ["$.clusters"] = "--clusters",
        ["$.defaultApply"] = "--default-apply",
        ["$.drift"] = "--drift",
        ["$.description"] = "--description",
    };

    /// <summary>The window document the flags describe: only the members a flag gave, clusters split at commas.</summary>
    public static JsonObject FromFlags(string name, WindowFlags flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var document = new JsonObject { ["name"] = name };
        Add(document, "schedule", flags.Schedule);
        Add(document, "timeZone", flags.TimeZone);
        if (flags.DurationMinutes is { } duration)
        {
            document["durationMinutes"] = duration;
        }

        if (flags.CutoffMinutes is { } cutoff)
        {
            document["cutoffMinutes"] = cutoff;
        }

        Add(document, "anchor", flags.Anchor);
        if (flags.Clusters is { } clusters)
        {
            document["clusters"] = new JsonArray([.. SplitClusters(clusters).Select(c => (JsonNode)c)]);
        }

        Add(document, "defaultApply", flags.DefaultApply);
        Add(document, "drift", flags.Drift);
        Add(document, "description", flags.Description);
        return document;
    }

    /// <summary>
    /// The window <paramref name="stored"/> with the members the flags gave replaced (what <c>window set</c> does to a
    /// window that exists, as <c>aws ssm update-maintenance-window</c> does without <c>--replace</c>): a member no flag
    /// gave keeps its stored value. An anchor only counts a <c>rate(...)</c> schedule from an instant, so a new
    /// <c>--schedule</c> that is not a rate drops the stored anchor unless <c>--anchor</c> is given too.
    /// </summary>
    public static JsonObject Overlay(JsonObject stored, string name, WindowFlags flags)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var document = (JsonObject)stored.DeepClone();
        document["name"] = name;
        foreach (var (member, value) in FromFlags(name, flags))
        {
            document[member] = value?.DeepClone();
        }

        if (flags.Schedule is { } schedule && flags.Anchor is null && !schedule.TrimStart().StartsWith("rate(", StringComparison.Ordinal))
        {
            document.Remove("anchor");
        }

        return document;
    }

    /// <summary>
    /// What a change does to a stored window, one line per member that differs (<c>--cutoff: 60 → 30</c>), named by
    /// its flag, in the order of the flags; empty when nothing changes.
    /// </summary>
    public static IReadOnlyList<string> Differences(JsonObject before, JsonObject after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var lines = new List<string>();
        foreach (var (path, flag) in FlagOf)
        {
            var member = path[2..];
            var was = before[member];
            var now = after[member];
            if (!JsonNode.DeepEquals(was, now))
            {
                lines.Add($"{flag}: {Show(was)} → {Show(now)}");
            }
        }

        return lines;
    }

    private static string Show(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonArray array => string.Join(", ", array.Select(Show)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary><c>--clusters a,b --clusters c</c> → a, b, c (spaces around names and empty entries dropped).</summary>
    public static IReadOnlyList<string> SplitClusters(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }

    /// <summary>
    /// An issue of a document made from flags, with the flag in place of the JSON path
    /// (<c>--schedule: must be cron(...) ... [pattern] (got ...)</c>); a cluster's issue names <c>--clusters</c> and the cluster.
    /// </summary>
    public static string DescribeFlagIssue(ValidationIssue issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var member = issue.Path.Split('[')[0];
        return (FlagOf.TryGetValue(member, out var flag) ? issue with { Path = flag } : issue).ToString();
    }

    /// <summary>
    /// A window file with <paramref name="name"/> (the NAME argument, if given) reconciled: the file's own name when
    /// NAME is absent; NAME when the file has none; a conflict when they differ. A file that is not a JSON object is
    /// returned as it is, for <see cref="WindowDefinition.Parse(string)"/> to report.
    /// </summary>
    public static (string Json, string? Name, string? Conflict) FromFile(string text, string? name, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonObject? document;
        try
        {
            document = JsonNode.Parse(text) as JsonObject;
            _ = document?.Count; // Materializes the properties: a repeated one throws here, not later.
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return (text, name, null);
        }

        if (document is null)
        {
            return (text, name, null);
        }

        var own = document["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (name is null || own == name)
        {
            return (text, own ?? name, null);
        }

        if (document.ContainsKey("name"))
        {
            return (text, name, $"NAME '{name}' is not the name {fileName} gives the window ({document["name"]!.ToJsonString()}) [conflict]: give the file's name, or none");
        }

        document["name"] = name;
        return (document.ToJsonString(), name, null);
    }

    private static void Add(JsonObject document, string member, string? value)
    {
        if (value is not null)
        {
            document[member] = value;
        }
    }
}
