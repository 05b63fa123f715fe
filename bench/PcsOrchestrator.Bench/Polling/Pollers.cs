using PcsOrchestrator.Domain.Timing;

namespace PcsOrchestrator.Bench.Polling;

/// <summary>The waits of one update's poll loop, as the workflow computes them.</summary>
public interface IPoller
{
    /// <summary>The wait in whole seconds before the next poll: <paramref name="attempt"/> is the 0-based index of the
    /// wait (0 = the wait after UpdateCluster, which Apply computes), <paramref name="elapsedSeconds"/> the time since
    /// UpdateCluster.</summary>
    int NextWaitSeconds(int attempt, int elapsedSeconds, DateTimeOffset now, DateTimeOffset deadline);
}

/// <summary>A policy under test: it starts a poller for each update, given the durations of the cluster's earlier updates.</summary>
public abstract class PollingStrategy(string name)
{
    public string Name { get; } = name;

    public abstract IPoller Start(IReadOnlyList<double> recentDurationsSeconds);

    public static PollingStrategy Schedule(string name, UpdatePollPolicy policy) => new ScheduleStrategy(name, policy);

    public static PollingStrategy Backoff(string name, BackoffPolicy policy, IRandomSource random) => new BackoffStrategy(name, policy, random);

    /// <summary>The product's poll path: Apply builds the schedule from the history, every wait comes from it.</summary>
    private sealed class ScheduleStrategy(string name, UpdatePollPolicy policy) : PollingStrategy(name)
    {
        public override IPoller Start(IReadOnlyList<double> recentDurationsSeconds) => new SchedulePoller(policy.Schedule(recentDurationsSeconds));

        private sealed class SchedulePoller(PollSchedule schedule) : IPoller
        {
            public int NextWaitSeconds(int attempt, int elapsedSeconds, DateTimeOffset now, DateTimeOffset deadline)
            {
                var decision = schedule.Next(TimeSpan.FromSeconds(elapsedSeconds), now, deadline);
                return decision.GiveUp ? throw new InvalidOperationException("the simulated update outlasted the deadline") : decision.WholeSeconds;
            }
        }
    }

    /// <summary>The readiness loop's capped exponential backoff, rounded up to whole seconds as the workflow does.</summary>
    private sealed class BackoffStrategy(string name, BackoffPolicy policy, IRandomSource random) : PollingStrategy(name), IPoller
    {
        public override IPoller Start(IReadOnlyList<double> recentDurationsSeconds) => this;

        public int NextWaitSeconds(int attempt, int elapsedSeconds, DateTimeOffset now, DateTimeOffset deadline)
        {
            var decision = policy.Next(attempt, random, now, deadline);
            return decision.GiveUp ? throw new InvalidOperationException("the simulated update outlasted the deadline") : Math.Max(1, decision.WholeSeconds);
        }
    }
}
