using System.Buffers;
using System.Globalization;
using System.Text.Json;
using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Windows;

/// <summary>
/// A maintenance window opened: what the window's EventBridge Scheduler schedule sends to the state machine,
/// <c>{"window": name, "scheduledTime": "&lt;aws.scheduler.scheduled-time&gt;", "scheduleArn": ...}</c>.
/// </summary>
public sealed record WindowOpening(string Window, DateTimeOffset ScheduledTime, string? ScheduleArn);

/// <summary>
/// One cluster's turn in an open window: what the window's opening starts for each cluster it covers,
/// <c>{"windowRun": {"window", "clusterIdentifier", "start", "end", "cutoffMinutes", "drift", "scheduledTime"}}</c>.
/// </summary>
public sealed record WindowRun(string Window, string ClusterIdentifier, MaintenanceWindow Occurrence, DriftMode Drift, DateTimeOffset ScheduledTime)
{
    /// <summary>The run's idempotency key: one run per window occurrence and cluster, however often the schedule fires.</summary>
    public string IdempotencyKey => $"window:{Window}:{ClusterIdentifier}:{RequestWriter.Timestamp(Occurrence.Start ?? ScheduledTime)}";

    /// <summary>
    /// The Step Functions execution name of this run (1 to 80 of letters, digits, '-' and '_'): the same window,
    /// occurrence and cluster always give the same name, so StartExecution refuses a second start.
    /// </summary>
    public string ExecutionName
    {
        get
        {
            var window = new string([.. Window.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(20)]);
            var cluster = new string([.. ClusterIdentifier.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(24)]);
            var start = (Occurrence.Start ?? ScheduledTime).ToUniversalTime().ToString("yyyyMMdd'T'HHmm", CultureInfo.InvariantCulture);
            var hash = IdempotencyKeys.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(IdempotencyKey))[..8];
            return $"w-{window}-{cluster}-{start}-{hash}";
        }
    }

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("windowRun");
            w.WriteString("window", Window);
            w.WriteString("clusterIdentifier", ClusterIdentifier);
            if (Occurrence.Start is { } start)
            {
                w.WriteString("start", RequestWriter.Timestamp(start));
            }

            w.WriteString("end", RequestWriter.Timestamp(Occurrence.End));
            w.WriteNumber("cutoffMinutes", (int)Occurrence.Cutoff.TotalMinutes);
            w.WriteString("drift", Drift.ToWire());
            w.WriteString("scheduledTime", RequestWriter.Timestamp(ScheduledTime));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Recognizes and reads the two window inputs; anything else is an update request for <see cref="RequestIntake"/>.</summary>
public static class WindowInputs
{
    /// <summary>True when the document is a window opening or a window run rather than a request.</summary>
    public static bool IsWindowInput(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("window", out _) || root.TryGetProperty("windowRun", out _));

    public static (WindowOpening? Opening, WindowRun? Run, IReadOnlyList<ValidationIssue> Issues) Parse(JsonElement root)
    {
        var issues = new IssueCollector();
        var o = ObjectReader.Open(root, "$", issues, "a window opening or a window run");
        if (o is null)
        {
            return (null, null, issues.Issues);
        }

        if (o.Has("windowRun"))
        {
            var run = o.Object("windowRun", "one cluster's run in an open window") is { } r ? ReadRun(r) : null;
            o.Finish("a window run is {\"windowRun\": {...}}");
            return issues.HasIssues ? (null, null, issues.Issues) : (null, run, []);
        }

        var name = o.String("window", required: true, "the name of the window that opened");
        var scheduled = o.Timestamp("scheduledTime", required: true);
        var arn = o.String("scheduleArn");
        o.Finish("a window opening has window, scheduledTime and scheduleArn");
        if (name is not null && !WindowDefinition.NamePattern().IsMatch(name))
        {
            issues.Add("$.window", Rules.Pattern, $"must be 1 to {WindowDefinition.NameMax} letters, digits, '-', '_' or '.'", name);
        }

        return issues.HasIssues || name is null || scheduled is null
            ? (null, null, issues.Issues)
            : (new WindowOpening(name, scheduled.Value, arn), null, []);
    }

    private static WindowRun? ReadRun(ObjectReader o)
    {
        var window = o.String("window", required: true);
        var cluster = o.String("clusterIdentifier", required: true);
        var start = o.Timestamp("start", required: true);
        var end = o.Timestamp("end", required: true);
        var cutoff = o.Int("cutoffMinutes") ?? 0;
        var driftText = o.String("drift");
        var scheduled = o.Timestamp("scheduledTime");
        o.Finish("a window run has window, clusterIdentifier, start, end, cutoffMinutes, drift and scheduledTime");
        if (window is not null && !WindowDefinition.NamePattern().IsMatch(window))
        {
            o.Issues.Add(o.Child("window"), Rules.Pattern, $"must be 1 to {WindowDefinition.NameMax} letters, digits, '-', '_' or '.'", window);
        }

        RequestValidator.ValidateCluster(cluster, o.Child("clusterIdentifier"), o.Issues);
        var drift = DriftMode.Off;
        if (driftText is not null && !DriftModeExtensions.TryParseWire(driftText, out drift))
        {
            o.Issues.Add(o.Child("drift"), Rules.Enum, "must be 'off', 'report' or 'correct'", driftText);
        }

        if (start is { } s && end is { } e && (cutoff < 0 || e - TimeSpan.FromMinutes(cutoff) < s))
        {
            o.Issues.Add(o.Child("cutoffMinutes"), Rules.Range, "must be 0 or more and leave time between the window's start and end minus cutoff",
                cutoff.ToString(CultureInfo.InvariantCulture));
        }

        return window is null || cluster is null || start is null || end is null
            ? null
            : new WindowRun(window, cluster, new MaintenanceWindow(end.Value, TimeSpan.FromMinutes(cutoff)) { Start = start }, drift, scheduled ?? start.Value);
    }
}
