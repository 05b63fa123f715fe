using PcsOrchestrator.Domain.Timing;

namespace PcsOrchestrator.Bench.Polling;

/// <summary>The polling benchmark's inputs: how many updates, the seed of every random draw, and the duration model.</summary>
public sealed record PollingOptions
{
    public int Updates { get; init; } = 10_000;

    public int Seed { get; init; } = 1;

    public DurationModel Model { get; init; } = DurationModel.Issue8;

    /// <summary>The policy of the "ours" rows (the product's default unless a experiment sets another).</summary>
    public UpdatePollPolicy Policy { get; init; } = UpdatePollPolicy.Default;
}

/// <summary>The policies of the table, by key.</summary>
public static class PolicyKeys
{
    public const string Fixed15 = "fixed-15";
    public const string Fixed30 = "fixed-30";
    public const string Backoff = "backoff";
    public const string OursWithoutHistory = "ours-0";
    public const string OursTenKnown = "ours-10";
    public const string OursSteadyState = "ours-20";
}

/// <summary>
/// Drives the real poll policies (<see cref="UpdatePollPolicy"/>, <see cref="BackoffPolicy"/>) in virtual time over
/// simulated updates: each update starts at 0 (UpdateCluster), every wait is the policy's whole-second answer, and
/// the first poll at or after the update's duration detects it. Every policy sees the same durations (one seeded
/// draw); the histories of the learning rows come from their own seeded stream and record what the product records:
/// the time at which earlier updates were detected, under this same policy.
/// </summary>
public static class PollingBenchmark
{
    /// <summary>Wait + Poll (Task) + PollOutcome (Choice): the transitions of one poll iteration.</summary>
    public const int TransitionsPerPoll = 3;

    /// <summary>A successful execution's transitions besides polling: Receive, Prepare, Claim, ClaimOutcome,
    /// CheckReadiness, ReadinessOutcome, Plan, PlanOutcome, WindowGuard, Apply; Verify, Finalize, Done.</summary>
    public const int OtherTransitions = 13;

    /// <summary>Step Functions Standard: $0.025 per 1,000 state transitions.</summary>
    public const double DollarsPerTransition = 0.025 / 1000;

    /// <summary>Far enough that no simulated update reaches it: the deadline never shortens a wait here.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromHours(24);

    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static PollingReport Run(PollingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Updates, 1);
        var model = options.Model;
        var durationRandom = new Random(options.Seed);
        var durations = Enumerable.Range(0, options.Updates).Select(_ => model.Sample(durationRandom)).ToArray();
        var ours = options.Policy;
        var oursStrategy = PollingStrategy.Schedule("ours", ours);

        var rows = new List<PollingRow>
        {
            Measure(PolicyKeys.Fixed15, "fixed 15 s", PollingStrategy.Schedule("fixed 15 s", UpdatePollPolicy.Fixed(TimeSpan.FromSeconds(15))), durations, HistorySource.None),
            Measure(PolicyKeys.Fixed30, "fixed 30 s", PollingStrategy.Schedule("fixed 30 s", UpdatePollPolicy.Fixed(TimeSpan.FromSeconds(30))), durations, HistorySource.None),
            Measure(PolicyKeys.Backoff, "capped exponential backoff (readiness: 15 s ×2 to 5 min, equal jitter)",
                PollingStrategy.Backoff("backoff", BackoffPolicy.Readiness, new SeededRandomSource(options.Seed + 1)), durations, HistorySource.None),
            Measure(PolicyKeys.OursWithoutHistory, "ours, no history", oursStrategy, durations, HistorySource.None),
            Measure(PolicyKeys.OursTenKnown, "ours, 10 earlier updates known", oursStrategy, durations,
                HistorySource.FreshClusters(oursStrategy, model, new Random(options.Seed + 2), earlier: 10)),
            Measure(PolicyKeys.OursSteadyState, $"ours, {ours.MaxHistory} earlier updates known (steady state)", oursStrategy, durations,
                HistorySource.SteadyState(oursStrategy, model, new Random(options.Seed + 3), ours.MaxHistory)),
        };
        return new PollingReport(options, durations, rows);
    }

    /// <summary>One update polled to completion: the calls made and the second of the poll that saw ACTIVE.</summary>
    public static (int Calls, int DetectedAt) Simulate(IPoller poller, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(poller);
        var deadline = Origin + Deadline;
        var elapsed = 0;
        for (var attempt = 0; ; attempt++)
        {
            var wait = poller.NextWaitSeconds(attempt, elapsed, Origin.AddSeconds(elapsed), deadline);
            if (wait < 1)
            {
                throw new InvalidOperationException($"a wait of {wait} s: Wait states need whole seconds of at least 1");
            }

            elapsed += wait;
            if (elapsed >= durationSeconds)
            {
                return (attempt + 1, elapsed);
            }
        }
    }

    private static PollingRow Measure(string key, string name, PollingStrategy strategy, double[] durations, HistorySource history)
    {
        var calls = new int[durations.Length];
        var lags = new double[durations.Length];
        for (var i = 0; i < durations.Length; i++)
        {
            var (made, detectedAt) = Simulate(strategy.Start(history.Next()), durations[i]);
            history.Detected(detectedAt);
            calls[i] = made;
            lags[i] = detectedAt - durations[i];
        }

        Array.Sort(lags);
        var meanCalls = calls.Average();
        var p95 = Percentile(lags, 0.95);
        var transitions = OtherTransitions + (TransitionsPerPoll * meanCalls);
        var late = lags.Count(l => l > PollingReport.LagTargetSeconds) / (double)lags.Length;
        return new PollingRow(key, name, meanCalls, Percentile(lags, 0.5), p95, lags[^1], late, transitions,
            transitions * DollarsPerTransition * 1000, PollBound.Compute(durations, p95));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
