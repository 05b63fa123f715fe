using System.CommandLine;
using PcsOrchestrator.Bench.Lambda;
using PcsOrchestrator.Bench.Polling;
using PcsOrchestrator.Bench.Windows;

namespace PcsOrchestrator.Bench;

/// <summary>
/// The command tree of the benchmarks. Each benchmark is one subcommand built by its own <c>Create()</c> (like
/// <see cref="PollingCommand"/>); a new benchmark (cold start, throughput, warm latency, windows) adds its command to
/// <see cref="Benchmarks"/> and nothing else changes.
/// </summary>
public static class BenchApp
{
    public const int Success = 0;
    public const int Usage = 2;

    /// <summary>Every benchmark subcommand, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<Func<Command>> Benchmarks { get; } =
    [
        LambdaCommands.ColdStart,
        PollingCommand.Create,
        LambdaCommands.Throughput,
        LambdaCommands.WarmLatency,
        WindowsCommand.Create,
    ];

    /// <summary>Parses and runs a command line; a command line with errors prints one line per error and exits 2.</summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                configuration.Error.WriteLine($"error: {error.Message}");
            }

            configuration.Error.WriteLine("Run 'pcs-orchestrator-bench --help' for usage.");
            return Usage;
        }

        return parse.Invoke(configuration);
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("PcsOrchestrator benchmarks: each subcommand runs one benchmark and prints its Markdown table.");
        foreach (var create in Benchmarks)
        {
            root.Subcommands.Add(create());
        }

        return root;
    }
}
