using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Functions;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>Options and output helpers the operator commands (<c>plan</c>, <c>history</c>, <c>window</c>, <c>queue</c>, ...) share.</summary>
internal static class CommandSupport
{
    public static Option<string> OutputOption()
    {
        var output = new Option<string>("--output") { Description = "text (tables) or json (one document).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    public static Option<string?> RegionOption() =>
        new("--region") { Description = "The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)." };

    /// <summary>A plain console on <paramref name="output"/>: no colours, no ANSI, wide enough for change and audit tables.</summary>
    public static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = Math.Max(console.Profile.Width, 140);
        return console;
    }

    /// <summary>
    /// An http(s) URL given on the command line (System.CommandLine cannot parse <see cref="Uri"/>). True with a null
    /// URL when nothing was given.
    /// </summary>
    public static bool TryHttpUrl(string? given, out Uri? url)
    {
        url = null;
        return given is null || (Uri.TryCreate(given, UriKind.Absolute, out url) && url.Scheme is "http" or "https");
    }

    public static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync("error: " + message);
        return ExitCodes.Usage;
    }

    public static async Task<int> FailAsync(TextWriter error, string message, int exitCode)
    {
        await error.WriteLineAsync("error: " + message);
        return exitCode;
    }

    /// <summary>A variable's value, or null when it is unset or empty.</summary>
    public static string? Configured(Func<string, string?> environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(name) is { Length: > 0 } value ? value : null;
    }

    /// <summary>
    /// The clock the commands read: the local stack's accelerated one when its variables are set (<c>local up
    /// --speed</c> prints them in its <c>env</c>; the functions read the same), else the system clock.
    /// </summary>
    public static TimeProvider Clock(Func<string, string?> environment) => ScaledTimeProvider.FromEnvironment(environment);

    /// <summary>"1 change", "2 changes".</summary>
    public static string Count(int count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    /// <summary>An instant in UTC as the tables show it: <c>2026-11-29 02:00 UTC</c> (seconds only when there are any).</summary>
    public static string Utc(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(instant.Second == 0 && instant.Millisecond == 0 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>An instant in a zone with its offset, so a daylight-saving change shows: <c>2027-03-14 03:00 -04:00</c>.</summary>
    public static string Local(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return local.ToString(local.Second == 0 && local.Millisecond == 0 ? "yyyy-MM-dd HH:mm zzz" : "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
    }

    /// <summary>ISO 8601 in UTC for JSON output.</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The cluster argument of a per-cluster command.</summary>
    public static Argument<string> ClusterArgument(string description) => new("cluster") { Description = description };

    /// <summary>Null when the cluster name is one requests may use, else the line exit 2 prints.</summary>
    public static string? ClusterProblem(string cluster, string what)
    {
        var issues = new IssueCollector();
        RequestValidator.ValidateCluster(cluster, what, issues);
        return issues.HasIssues ? $"{what}: '{cluster}' {issues.Issues[0].Message}" : null;
    }

    /// <summary>Text that is JSON as JSON (details, requests), anything else as a string.</summary>
    public static JsonNode? JsonOrText(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    /// <summary>An execution ARN shortened to its name (the part after the last colon) for a table; JSON keeps it whole.</summary>
    public static string ShortExecution(string executionId) =>
        executionId.StartsWith("arn:", StringComparison.Ordinal) ? executionId[(executionId.LastIndexOf(':') + 1)..] : executionId;
}
