namespace PcsOrchestrator.Domain.Timing;

/// <summary>A source of uniform doubles in [0, 1): <see cref="SeededRandomSource"/> in tests, <see cref="SharedRandomSource"/> in production.</summary>
public interface IRandomSource
{
    double NextDouble();
}

public sealed class SeededRandomSource(int seed) : IRandomSource
{
#pragma warning disable CA5394 // Jitter is not security sensitive.
    private readonly Random _random = new(seed);

    public double NextDouble() => _random.NextDouble();
}

public sealed class SharedRandomSource : IRandomSource
{
    public static SharedRandomSource Instance { get; } = new();

    public double NextDouble() => Random.Shared.NextDouble();
#pragma warning restore CA5394
}

/// <summary>What the backoff says: wait this long, or give up because the deadline would be passed.</summary>
public readonly record struct BackoffDecision(bool GiveUp, TimeSpan Delay, string? Reason)
{
    public static BackoffDecision Wait(TimeSpan delay) => new(false, delay, null);

    public static BackoffDecision Stop(string reason) => new(true, TimeSpan.Zero, reason);

    /// <summary>The delay in whole seconds, rounded up, as a Step Functions Wait state's SecondsPath needs it.</summary>
    public int WholeSeconds => (int)Math.Ceiling(Delay.TotalSeconds);
}

/// <summary>How a backoff delay is drawn below its ceiling.</summary>
public enum JitterMode
{
    /// <summary>Exactly the ceiling.</summary>
    None,

    /// <summary><c>random(0, ceiling)</c>: best for spreading retries of contending clients.</summary>
    Full,

    /// <summary>
    /// <c>ceiling/2 + random(0, ceiling/2)</c>: still spread, but never shorter than half the ceiling, which bounds
    /// how many Wait-loop iterations (and Step Functions history events) a long wait can take.
    /// </summary>
    Equal,
}

/// <summary>
/// Capped exponential backoff with jitter ("Exponential Backoff And Jitter", AWS Architecture Blog):
/// <c>ceiling = min(cap, base * multiplier^attempt)</c>, the delay drawn below it by <see cref="Jitter"/> (full jitter
/// by default), raised to at least <see cref="MinDelay"/> and to any floor the service asked for (a
/// ThrottlingException's retryAfterSeconds), and never past the deadline: when even the floor would end after the
/// deadline, the decision is to give up.
/// </summary>
public sealed record BackoffPolicy(TimeSpan BaseDelay, TimeSpan MaxDelay, double Multiplier = 2.0, JitterMode Jitter = JitterMode.Full)
{
    /// <summary>Step Functions waits in whole seconds; nothing shorter than a second is useful.</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Waiting for readiness in the state machine: 15 s growing to 5 min, equal jitter.</summary>
    public static BackoffPolicy Readiness { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5), Jitter: JitterMode.Equal);

    /// <summary>Waiting behind another update of the same cluster or key: 30 s growing to 5 min, equal jitter.</summary>
    public static BackoffPolicy Contention { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), Jitter: JitterMode.Equal);

    /// <summary>The ceiling of attempt <paramref name="attempt"/> (0-based) before jitter.</summary>
    public TimeSpan Ceiling(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var seconds = BaseDelay.TotalSeconds * Math.Pow(Multiplier, Math.Min(attempt, 62));
        return seconds >= MaxDelay.TotalSeconds || double.IsInfinity(seconds) ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    public BackoffDecision Next(int attempt, IRandomSource random, DateTimeOffset now, DateTimeOffset? deadline, TimeSpan? floor = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var ceiling = Ceiling(attempt);
        var delay = Jitter switch
        {
            JitterMode.Full => TimeSpan.FromTicks((long)(ceiling.Ticks * random.NextDouble())),
            JitterMode.Equal => TimeSpan.FromTicks((ceiling.Ticks / 2) + (long)(ceiling.Ticks / 2 * random.NextDouble())),
            _ => ceiling,
        };
        var lowest = floor is { } f && f > MinDelay ? f : MinDelay;
        if (delay < lowest)
        {
            delay = lowest;
        }

        if (deadline is { } end)
        {
            var remaining = end - now;
            if (remaining < lowest)
            {
                return BackoffDecision.Stop(floor is { } asked && asked > MinDelay && asked > remaining
                    ? $"the service asked to wait {asked.TotalSeconds:0} s but the deadline is {Math.Max(0, remaining.TotalSeconds):0} s away"
                    : "the deadline has passed");
            }

            if (delay > remaining)
            {
                delay = remaining;
            }
        }

        return BackoffDecision.Wait(delay);
    }
}
