using System.CommandLine;

namespace PcsOrchestrator.Bench.Windows;

/// <summary><c>windows [--changes 1 5 20 50] [--repetitions 3] [--nights 8]</c>: N changes applied one after another against the same N in one maintenance window, and N a night in steady state.</summary>
public static class WindowsCommand
{
    public static Command Create()
    {
        var changes = new Option<int[]>("--changes")
        {
            Description = "How many changes to one cluster, one row pair each (default 1 5 20 50; at most 50, a window's limit).",
            DefaultValueFactory = _ => [1, 5, 20, 50],
            AllowMultipleArgumentsPerToken = true,
        };
        var repetitions = new Option<int>("--repetitions")
        {
            Description = "Repetitions of each row (default 3): the counts must agree, the walls are medians.",
            DefaultValueFactory = _ => 3,
        };
        var nights = new Option<int>("--nights")
        {
            Description = "Nights in a row of the steady-state table, one window of N changes each (default 8).",
            DefaultValueFactory = _ => 8,
        };
        nights.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--nights must be at least 1");
            }
        });
        changes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int[]>() is not { Length: > 0 } values || values.Any(n => n is < 1 or > 50))
            {
                result.AddError("--changes takes one or more counts from 1 to 50");
            }
        });
        repetitions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--repetitions must be at least 1");
            }
        });
        var command = new Command("windows", "What batching changes into a maintenance window costs and saves: UpdateCluster calls, state transitions, DynamoDB requests, time until in effect, Plan wall time.")
        {
            changes,
            repetitions,
            nights,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = parse.InvocationConfiguration;
            var report = await WindowsBenchmark.RunAsync(parse.GetValue(changes)!, parse.GetValue(repetitions), parse.GetValue(nights), configuration.Error, cancellationToken);
            await configuration.Output.WriteAsync(report);
            return BenchApp.Success;
        });
        return command;
    }
}
