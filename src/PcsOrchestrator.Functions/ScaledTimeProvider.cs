using System.Globalization;

namespace PcsOrchestrator.Functions;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than real time from an anchor instant: waits and lifecycle
/// durations shrink by that factor, so an eight-minute update takes eight seconds at speed 60. It is anchored on the
/// wall clock, so separate processes given the same speed and anchor (the local stack and the functions' bootstrap
/// processes it starts) read the same time. Local use only: in Lambda the variables are never set.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    /// <summary>The speed, when the functions run on the local stack's accelerated clock.</summary>
    public const string SpeedVariable = "PCS_ORCHESTRATOR_CLOCK_SPEED";

    /// <summary>The real instant (ISO 8601) at which the accelerated clock read the real time.</summary>
    public const string AnchorVariable = "PCS_ORCHESTRATOR_CLOCK_ANCHOR";

    private readonly DateTimeOffset _anchor;

    public ScaledTimeProvider(double speed, DateTimeOffset? anchor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1);
        Speed = speed;
        _anchor = anchor ?? System.GetUtcNow();
    }

    public double Speed { get; }

    public DateTimeOffset Anchor => _anchor;

    /// <summary>The accelerated clock the variables describe, or the system clock when they are absent.</summary>
    public static TimeProvider FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return double.TryParse(environment(SpeedVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var speed) && speed > 1
            && DateTimeOffset.TryParse(environment(AnchorVariable), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var anchor)
            ? new ScaledTimeProvider(speed, anchor)
            : System;
    }

    /// <summary>The variables that put another process on this clock.</summary>
    public IReadOnlyDictionary<string, string> Variables() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [SpeedVariable] = Speed.ToString(CultureInfo.InvariantCulture),
        [AnchorVariable] = _anchor.ToString("O", CultureInfo.InvariantCulture),
    };

    public override DateTimeOffset GetUtcNow() => _anchor + TimeSpan.FromTicks((long)((System.GetUtcNow() - _anchor).Ticks * Speed));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / Speed)));
}
