namespace PcsOrchestrator.Domain.Timing;

/// <summary>
/// When to look at an updating cluster again. PCS publishes no completion event, so completion is detected by polling
/// GetCluster; every poll costs a call and three state transitions (Wait, Poll, Choice), and the gap between the moment
/// the cluster is ACTIVE again and the poll that sees it (the detection lag) holds the cluster lock for nothing.
/// <para>
/// Without enough history the policy polls every <see cref="Interval"/> (30 s), exactly as fixed polling does. With
/// the durations of at least <see cref="MinHistory"/> earlier successful updates of the same cluster, it fits a
/// lognormal distribution to them (mean and standard deviation of the log durations) and builds a
/// <see cref="PollSchedule"/>: no poll before the lower prediction bound at <see cref="EarlyMissProbability"/> (plus
/// one interval, and never later than the fastest recorded update), a poll every <see cref="Interval"/> up to the
/// upper prediction bound at <see cref="DenseCoverage"/>, then growing gaps up to <see cref="MaxInterval"/>. The bounds
/// are Student-t prediction bounds (<c>mean ± t(n-1) · sd · √(1 + 1/n)</c> in log space), so a short history widens
/// the window instead of trusting a few samples. See docs/benchmarks.md for the measured effect.
/// </para>
/// </summary>
public sealed record UpdatePollPolicy
{
    /// <summary>The interval of fixed polling and of the dense window.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fewer earlier durations than this: fixed polling.</summary>
    public int MinHistory { get; init; } = 5;

    /// <summary>At most this many of the most recent durations are used (and read from the audit log).</summary>
    public int MaxHistory { get; init; } = 20;

    /// <summary>The share of updates (if durations stay lognormal) allowed to finish before the sparse phase ends.</summary>
    public double EarlyMissProbability { get; init; } = 0.02;

    /// <summary>The share of updates expected to finish inside the dense window.</summary>
    public double DenseCoverage { get; init; } = 0.995;

    /// <summary>
    /// The longest wait between two looks, in the sparse phase and in the tail: under half the default 15-minute lock
    /// lease, so with the defaults no wait needs shortening for the lock.
    /// </summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(7);

    /// <summary>
    /// The least spread assumed in log space (0.1 is about ±10 %): a history of identical durations does not make the
    /// policy trust the next one to the second.
    /// </summary>
    public double MinLogSpread { get; init; } = 0.1;

    /// <summary>Durations further than this many robust standard deviations from the median are left out of the fit.</summary>
    public double OutlierLimit { get; init; } = double.PositiveInfinity;

    public bool CapAtFastest { get; init; } = true;

    /// <summary>The product's policy.</summary>
    public static UpdatePollPolicy Default { get; } = new();

    /// <summary>Fixed-interval polling that ignores history (the baseline the benchmark compares against).</summary>
    public static UpdatePollPolicy Fixed(TimeSpan interval) => new() { Interval = interval, MinHistory = int.MaxValue };

    private int IntervalSeconds => Math.Max(1, (int)Math.Ceiling(Interval.TotalSeconds));

    /// <summary>
    /// The schedule for the next update of a cluster, from the durations in seconds of its earlier successful updates,
    /// most recent first (non-positive and non-finite values are ignored).
    /// </summary>
    public PollSchedule Schedule(IReadOnlyList<double> recentDurationsSeconds)
    {
        ArgumentNullException.ThrowIfNull(recentDurationsSeconds);
        var interval = IntervalSeconds;
        var logs = recentDurationsSeconds
            .Where(d => double.IsFinite(d) && d > 0)
            .Take(Math.Max(0, MaxHistory))
            .Select(d => Math.Log(d))
            .ToArray();
        if (logs.Length < Math.Max(2, MinHistory))
        {
            return PollSchedule.Fixed(interval);
        }

        var typical = WithoutOutliers(logs);
        var n = typical.Length;
        var mean = typical.Average();
        var spread = Math.Max(MinLogSpread, Math.Sqrt(typical.Sum(y => (y - mean) * (y - mean)) / (n - 1)));
        var width = spread * Math.Sqrt(1 + (1.0 / n));
        var low = Math.Exp(mean - (Quantiles.StudentT(1 - EarlyMissProbability, n - 1) * width));
        var high = Math.Exp(mean + (Quantiles.StudentT(DenseCoverage, n - 1) * width));
        var fastest = CapAtFastest ? Math.Exp(typical.Min()) : double.PositiveInfinity;

        var first = (int)Math.Clamp(Math.Floor(Math.Min(low + interval, fastest)), interval, int.MaxValue / 2);
        var denseUntil = (int)Math.Clamp(Math.Ceiling(high), first, int.MaxValue / 2);
        var maxInterval = Math.Max(interval, (int)Math.Floor(MaxInterval.TotalSeconds));
        return new PollSchedule(first, interval, denseUntil, maxInterval, logs.Length);
    }

    /// <summary>
    /// The log durations within <see cref="OutlierLimit"/> robust standard deviations (1.4826 × the median absolute
    /// deviation) of their median (the Hampel identifier): a rare one-minute or one-hour update in the history does not
    /// stretch the window every later update pays for. Its kind stays possible; it just is not planned for.
    /// </summary>
    private double[] WithoutOutliers(double[] logs)
    {
        var median = Median(logs);
        var mad = 1.4826 * Median([.. logs.Select(y => Math.Abs(y - median))]);
        var limit = OutlierLimit * Math.Max(mad, MinLogSpread);
        var kept = logs.Where(y => Math.Abs(y - median) <= limit).ToArray();
        return kept.Length >= Math.Max(2, MinHistory) ? kept : logs;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
