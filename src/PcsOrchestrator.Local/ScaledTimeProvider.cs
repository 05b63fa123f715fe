namespace PcsOrchestrator.Local;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than real time from a starting instant: waits and lifecycle
/// durations shrink by that factor, so an eight-minute update takes eight seconds at speed 60.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _start;
    private readonly long _realStart;

    public ScaledTimeProvider(double speed, DateTimeOffset? start = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1);
        Speed = speed;
        _start = start ?? System.GetUtcNow();
        _realStart = System.GetTimestamp();
    }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks((long)(System.GetElapsedTime(_realStart).Ticks * Speed));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / Speed)));
}
