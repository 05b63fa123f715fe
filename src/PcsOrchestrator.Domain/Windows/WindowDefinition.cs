using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Windows;

/// <summary>What a maintenance window does about drift: a live configuration that differs from the last one the orchestrator applied.</summary>
public enum DriftMode
{
    /// <summary>Drift is not looked at.</summary>
    Off,

    /// <summary>Drift is recorded (<c>drift-detected</c>) and left as it is.</summary>
    Report,

    /// <summary>Drift is recorded and the last applied configuration is restored in the window (<c>drift-corrected</c>).</summary>
    Correct,
}

public static class DriftModeExtensions
{
    public static string ToWire(this DriftMode mode) => mode switch
    {
        DriftMode.Report => "report",
        DriftMode.Correct => "correct",
        _ => "off",
    };

    public static bool TryParseWire(string? value, out DriftMode mode)
    {
        (var ok, mode) = value switch
        {
            "off" => (true, DriftMode.Off),
            "report" => (true, DriftMode.Report),
            "correct" => (true, DriftMode.Correct),
            _ => (false, DriftMode.Off),
        };
        return ok;
    }
}

/// <summary>
/// A maintenance window as operators define it: a name, a recurring schedule (an EventBridge Scheduler expression in
/// a time zone, a duration and a cutoff), the clusters it covers, what a request that does not say <c>apply</c> does
/// for those clusters, and what the window does about drift. Stored in DynamoDB as the JSON <see cref="ToJson"/>
/// writes, which <see cref="Parse(string)"/> reads back; the template's default window is the same shape.
/// </summary>
public sealed partial record WindowDefinition
{
    /// <summary>EventBridge Scheduler's limit for a schedule name, which the window's schedule is named after.</summary>
    public const int NameMax = 64;

    /// <summary>Clusters one window may cover (one DynamoDB transaction updates all of their memberships).</summary>
    public const int MaxClusters = 40;

    public const int DescriptionMax = 512;

    public required string Name { get; init; }

    public required WindowSchedule Schedule { get; init; }

    public required IReadOnlyList<string> Clusters { get; init; }

    /// <summary>What a request that does not say <c>apply</c> does for these clusters; null: the stack's default.</summary>
    public ApplyMode? DefaultApply { get; init; }

    public DriftMode Drift { get; init; } = DriftMode.Off;

    public string? Description { get; init; }

    [GeneratedRegex("^[0-9A-Za-z_.-]{1,64}$", RegexOptions.CultureInvariant)]
    public static partial Regex NamePattern();

    /// <summary>The occurrence of this window that opens at <paramref name="start"/>, if one does.</summary>
    public MaintenanceWindow? OccurrenceAt(DateTimeOffset start) =>
        Schedule.Occurrences(start, 1) is [var first] && first.Start == start ? first : null;

    public static (WindowDefinition? Window, IReadOnlyList<ValidationIssue> Issues) Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = RequestParser.MaxDepth });
            return Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            return (null, [new ValidationIssue("$", Rules.InvalidJson, "is not valid JSON: " + ex.Message)]);
        }
    }

    /// <summary>Reads and checks a window document; every problem is reported with its path and rule, never thrown.</summary>
    public static (WindowDefinition? Window, IReadOnlyList<ValidationIssue> Issues) Parse(JsonElement element, string path = "$")
    {
        var issues = new IssueCollector();
        var o = ObjectReader.Open(element, path, issues, "a maintenance window");
        if (o is null)
        {
            return (null, issues.Issues);
        }

        var name = o.String("name", required: true, "the window's name (letters, digits, '-', '_' and '.'; at most 64)");
        var expression = o.String("schedule", required: true, "an EventBridge Scheduler expression: cron(...), rate(...) or at(...)");
        var timeZone = o.String("timeZone") ?? "UTC";
        var duration = o.Int("durationMinutes", required: true);
        var cutoff = o.Int("cutoffMinutes") ?? 0;
        var anchor = o.Timestamp("anchor");
        var clusters = o.Array("clusters", (e, p) =>
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                return e.GetString();
            }

            issues.Add(p, Rules.Type, $"must be a cluster name or id (a string), is {ObjectReader.Describe(e)}");
            return null;
        });
        if (clusters is null && !o.Has("clusters"))
        {
            issues.Add(o.Child("clusters"), Rules.Required, "is required: the clusters (names or ids, as requests name them) the window covers");
        }

        ApplyMode? defaultApply = null;
        if (o.String("defaultApply") is { } applyText)
        {
            if (ApplyModeExtensions.TryParseWire(applyText, out var mode))
            {
                defaultApply = mode;
            }
            else
            {
                issues.Add(o.Child("defaultApply"), Rules.Enum, $"must be '{ApplyModeExtensions.NowWire}' or '{ApplyModeExtensions.NextWindowWire}'", applyText);
            }
        }

        var drift = DriftMode.Off;
        if (o.String("drift") is { } driftText && !DriftModeExtensions.TryParseWire(driftText, out drift))
        {
            issues.Add(o.Child("drift"), Rules.Enum, "must be 'off', 'report' (record drift) or 'correct' (record it and restore the last applied configuration)", driftText);
        }

        var description = o.String("description");
        o.Finish("a window has name, schedule, timeZone, durationMinutes, cutoffMinutes, anchor, clusters, defaultApply, drift and description");

        if (name is not null && !NamePattern().IsMatch(name))
        {
            issues.Add(o.Child("name"), Rules.Pattern, $"must be 1 to {NameMax} letters, digits, '-', '_' or '.' (it names the window's EventBridge Scheduler schedule)", name);
        }

        if (clusters is not null)
        {
            ValidateClusters(clusters, o.Child("clusters"), issues);
        }

        if (description is not null)
        {
            if (description.Length > DescriptionMax)
            {
                issues.Add(o.Child("description"), Rules.Length, $"must be at most {DescriptionMax} characters long, is {description.Length}", description);
            }
            else if (RequestValidator.HasControlCharacters(description))
            {
                issues.Add(o.Child("description"), Rules.ControlCharacters, "must not contain control characters or line breaks", description);
            }
        }

        WindowSchedule? schedule = null;
        if (expression is not null && duration is not null)
        {
            (schedule, var scheduleIssues) = WindowSchedule.Parse(expression, timeZone, duration.Value, cutoff, anchor, path);
            issues.AddRange(scheduleIssues);
        }

        if (issues.HasIssues || schedule is null || name is null || clusters is null)
        {
            return (null, issues.Issues);
        }

        return (new WindowDefinition
        {
            Name = name,
            Schedule = schedule,
            Clusters = clusters,
            DefaultApply = defaultApply,
            Drift = drift,
            Description = description,
        }, []);
    }

    /// <summary>The window as the JSON document <see cref="Parse(string)"/> reads (what DynamoDB stores).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", Name);
            w.WriteString("schedule", Schedule.Expression);
            w.WriteString("timeZone", Schedule.Zone.Id);
            w.WriteNumber("durationMinutes", (int)Schedule.Duration.TotalMinutes);
            w.WriteNumber("cutoffMinutes", (int)Schedule.Cutoff.TotalMinutes);
            if (Schedule.Anchor is { } anchor)
            {
                w.WriteString("anchor", RequestWriter.Timestamp(anchor));
            }

            w.WriteStartArray("clusters");
            foreach (var cluster in Clusters)
            {
                w.WriteStringValue(cluster);
            }

            w.WriteEndArray();
            if (DefaultApply is { } apply)
            {
                w.WriteString("defaultApply", apply.ToWire());
            }

            w.WriteString("drift", Drift.ToWire());
            if (Description is not null)
            {
                w.WriteString("description", Description);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void ValidateClusters(IReadOnlyList<string> clusters, string path, IssueCollector issues)
    {
        if (clusters.Count is 0 or > MaxClusters)
        {
            issues.Add(path, clusters.Count == 0 ? Rules.Required : Rules.TooMany,
                $"must name 1 to {MaxClusters} clusters, names {clusters.Count.ToString(CultureInfo.InvariantCulture)}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < clusters.Count; i++)
        {
            var itemPath = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            RequestValidator.ValidateCluster(clusters[i], itemPath, issues);
            if (!seen.Add(clusters[i]))
            {
                issues.Add(itemPath, Rules.Conflict, "names a cluster already listed", clusters[i]);
            }
        }
    }
}
