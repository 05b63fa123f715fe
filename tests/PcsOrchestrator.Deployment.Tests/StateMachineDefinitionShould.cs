using System.Text.Json;
using PcsOrchestrator.Domain.Timing;

namespace PcsOrchestrator.Deployment.Tests;

public sealed class StateMachineDefinitionShould
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task PassAslValidator()
    {
        await Repo.EnsureNodeToolsAsync();
        foreach (var file in Directory.GetFiles(Repo.PathOf("statemachine"), "*.asl.json"))
        {
            var (exit, output) = await Repo.RunAsync(Repo.PathOf("tools", "node_modules", ".bin", "asl-validator"), ["--json-path", file], TestContext.Current.CancellationToken);

            exit.Should().Be(0, output);
            output.Should().Contain("is valid");
        }
    }

    [Fact]
    public void SendEveryCatchThroughRecordFailure_ExceptTheConflictLoop()
    {
        using var definition = JsonDocument.Parse(Repo.Read("statemachine", "update-cluster.asl.json"));
        var states = definition.RootElement.GetProperty("States");

        foreach (var state in states.EnumerateObject().Where(s => s.Value.TryGetProperty("Catch", out _)))
        {
            foreach (var c in state.Value.GetProperty("Catch").EnumerateArray())
            {
                var errors = c.GetProperty("ErrorEquals").EnumerateArray().Select(e => e.GetString()).ToList();
                var next = c.GetProperty("Next").GetString();
                if (errors.SequenceEqual(["PcsConflict"]))
                {
                    next.Should().Be("CheckReadiness", state.Name);
                }
                else
                {
                    next.Should().Be("RecordFailure", state.Name);
                }
            }
        }

        states.GetProperty("RecordFailure").GetProperty("Next").GetString().Should().Be("Failed");
        states.GetProperty("Failed").GetProperty("Type").GetString().Should().Be("Fail");
    }

    [Fact]
    public void RetryThrottlingAndTransientErrors_WithCappedJitteredBackoff_OnEveryTaskThatCallsPcs()
    {
        using var definition = JsonDocument.Parse(Repo.Read("statemachine", "update-cluster.asl.json"));
        string[] pcsSteps = ["CheckReadiness", "Plan", "Apply", "Poll", "Verify", "Rollback"];

        foreach (var name in pcsSteps)
        {
            var retriers = definition.RootElement.GetProperty("States").GetProperty(name).GetProperty("Retry").EnumerateArray().ToList();
            var pcs = retriers.Single(r => r.GetProperty("ErrorEquals").EnumerateArray().Any(e => e.GetString() == "PcsThrottled"));
            pcs.GetProperty("ErrorEquals").EnumerateArray().Select(e => e.GetString()).Should().Contain("PcsTransient");
            pcs.GetProperty("JitterStrategy").GetString().Should().Be("FULL", name);
            pcs.GetProperty("BackoffRate").GetDouble().Should().BeGreaterThan(1, name);
            pcs.GetProperty("MaxDelaySeconds").GetInt32().Should().BeInRange(1, 300, name);
            retriers.Should().Contain(r => r.GetProperty("ErrorEquals").EnumerateArray().Any(e => e.GetString() == "Lambda.ServiceException"), name);
        }
    }

    /// <summary>
    /// The history budget of a 24-hour wait for readiness: each loop iteration is Wait (2 events) + Task
    /// (TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited: 5) + Choice (2) = 9 events.
    /// With equal jitter every wait is at least half its ceiling, so the worst case draws exactly that.
    /// </summary>
    [Fact]
    public void KeepA24HourReadinessWaitFarBelowTheHistoryLimit()
    {
        const int eventsPerIteration = 9;
        const int historyLimit = 25_000;
        var policy = BackoffPolicy.Readiness;
        var worstCase = new ZeroRandom();
        var now = DateTimeOffset.UnixEpoch;
        var deadline = now.AddHours(24);
        var iterations = 0;
        while (true)
        {
            var decision = policy.Next(iterations, worstCase, now, deadline);
            if (decision.GiveUp)
            {
                break;
            }

            now += TimeSpan.FromSeconds(decision.WholeSeconds);
            iterations++;
        }

        var events = (iterations * eventsPerIteration) + 40;
        events.Should().BeLessThan(historyLimit / 4, $"{iterations} iterations make {events} events");
    }

    private sealed class ZeroRandom : IRandomSource
    {
        public double NextDouble() => 0;
    }
}
