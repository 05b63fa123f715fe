using System.CommandLine;

namespace PcsOrchestrator.Bench.Polling;

/// <summary><c>polling [--updates N] [--seed S]</c>: the poll policies side by side in virtual time, as a Markdown table.</summary>
public static class PollingCommand
{
    public static Command Create()
    {
        var updates = new Option<int>("--updates")
        {
            Description = "How many simulated updates (default 10,000).",
            DefaultValueFactory = _ => 10_000,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of every random draw (durations, histories, jitter); the same seed gives the same table.",
            DefaultValueFactory = _ => 1,
        };
        updates.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--updates must be at least 1");
            }
        });
        var command = new Command("polling", "Update polling in virtual time: GetCluster calls, detection lag, state transitions and cost per policy, against the bound.")
        {
            updates,
            seed,
        };
        command.SetAction(parse =>
        {
            var report = PollingBenchmark.Run(new PollingOptions { Updates = parse.GetValue(updates), Seed = parse.GetValue(seed) });
            parse.InvocationConfiguration.Output.Write(report.ToMarkdown());
            return BenchApp.Success;
        });
        return command;
    }
}
