namespace PcsOrchestrator.Domain.Timing;

/// <summary>
/// When to look at one updating cluster, as a function of the time since UpdateCluster was called. Three phases:
/// <list type="number">
/// <item>Sparse: wait until <see cref="FirstSeconds"/> (in steps of at most <see cref="MaxIntervalSeconds"/>), when
/// completion starts to be likely.</item>
/// <item>Dense: every <see cref="IntervalSeconds"/> until <see cref="DenseUntilSeconds"/>, which bounds the detection
/// lag of every update that ends in the likely window.</item>
/// <item>Tail: a quarter of the overrun beyond the dense window, at least <see cref="IntervalSeconds"/>, at most
/// <see cref="MaxIntervalSeconds"/>: an update far slower than every earlier one costs few calls.</item>
/// </list>
/// Without a dense end (<see cref="DenseUntilSeconds"/> null) and with the first poll one interval after the update,
/// this is fixed-interval polling. Pure and deterministic; all delays are whole seconds of at least 1 and never end
/// after the deadline. <see cref="BasedOn"/> records how many earlier updates shaped it (0 for a fixed schedule).
/// </summary>
public sealed record PollSchedule(int FirstSeconds, int IntervalSeconds, int? DenseUntilSeconds, int MaxIntervalSeconds, int BasedOn)
{
    /// <summary>The tail waits this fraction of the time the update has run past the dense window.</summary>
    public const double TailFraction = 0.25;

    /// <summary>Fixed-interval polling: the first poll one interval after the update, then every interval.</summary>
    public static PollSchedule Fixed(int intervalSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSeconds, 1);
        return new(intervalSeconds, intervalSeconds, null, intervalSeconds, 0);
    }

    /// <summary>Whether this schedule is plain fixed-interval polling.</summary>
    public bool IsFixed => DenseUntilSeconds is null && FirstSeconds <= IntervalSeconds;

    /// <summary>
    /// The wait before the next poll, <paramref name="elapsed"/> after UpdateCluster was called (zero for the wait
    /// before the first poll); a decision to give up when less than a whole second remains before the deadline.
    /// </summary>
    public BackoffDecision Next(TimeSpan elapsed, DateTimeOffset now, DateTimeOffset deadline)
    {
        var remaining = Math.Floor((deadline - now).TotalSeconds);
        if (remaining < 1)
        {
            return BackoffDecision.Stop("the deadline has passed");
        }

        var seconds = Math.Min(DelaySeconds(Math.Max(0, elapsed.TotalSeconds)), remaining);
        return BackoffDecision.Wait(TimeSpan.FromSeconds(seconds));
    }

    /// <summary>The wait in whole seconds (at least 1) after a poll at <paramref name="elapsedSeconds"/>, without a deadline.</summary>
    public int DelaySeconds(double elapsedSeconds)
    {
        var interval = Math.Max(1, IntervalSeconds);
        double delay;
        if (elapsedSeconds < FirstSeconds - interval)
        {
            delay = FirstSeconds - elapsedSeconds;
        }
        else if (DenseUntilSeconds is not { } denseUntil || elapsedSeconds < denseUntil)
        {
            delay = interval;
        }
        else
        {
            delay = interval + ((elapsedSeconds - denseUntil) * TailFraction);
        }

        return (int)Math.Max(1, Math.Ceiling(Math.Min(delay, Math.Max(interval, MaxIntervalSeconds))));
    }
}
