using System.CommandLine;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>Options and output helpers the operator commands (<c>plan</c>, <c>history</c>, <c>audit verify</c>) share.</summary>
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
}
