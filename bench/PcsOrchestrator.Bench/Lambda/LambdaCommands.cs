using System.CommandLine;
using PcsOrchestrator.Bench.Throughput;

namespace PcsOrchestrator.Bench.Lambda;

/// <summary>The subcommands of the benchmarks that run the functions for real: cold start, warm latency, throughput.</summary>
public static class LambdaCommands
{
    public static Command ColdStart() => Counted("coldstart", "Cold start of the AOT bootstrap against the JIT: init, first CheckReadiness response, peak RSS, package size.",
        "--runs", "Cold starts of each build (default 20).", 20, ColdStartBenchmark.RunAsync);

    public static Command WarmLatency() => Counted("warm", "Every handler invoked warm through the Lambda emulator and the AOT bootstrap: p50 and p99.",
        "--invocations", "Invocations of each handler (default 1,000).", 1_000, WarmLatencyBenchmark.RunAsync);

    public static Command Throughput() => Counted("throughput", "Orchestrations on distinct emulated clusters started together through the local runner: rate, requests, memory.",
        "--orchestrations", "How many orchestrations (and clusters) (default 1,000).", 1_000, ThroughputBenchmark.RunAsync);

    private static Command Counted(string name, string description, string optionName, string optionDescription, int defaultValue, Func<int, TextWriter, CancellationToken, Task<string>> run)
    {
        var count = new Option<int>(optionName) { Description = optionDescription, DefaultValueFactory = _ => defaultValue };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{optionName} must be at least 1");
            }
        });
        var command = new Command(name, description) { count };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = parse.InvocationConfiguration;
            var report = await run(parse.GetValue(count), configuration.Error, cancellationToken);
            await configuration.Output.WriteAsync(report);
            return BenchApp.Success;
        });
        return command;
    }
}
