using System.Diagnostics;

namespace PcsOrchestrator.Bench.Windows;

/// <summary>
/// Real time with every wait skipped: like <see cref="Local.StateMachine.JumpingTimeProvider"/>, a timer shorter than a
/// day moves the clock forward by its due time the moment it is created and fires at once (so a workflow that waits
/// hours runs in milliseconds), but between jumps the clock also moves with real time. Every jump is logged with the
/// instant it happened at, so any span between two readings of this clock (two history events, say) splits into the
/// time skipped and the wall time that really passed: a Task state's wall time can be read from an execution's
/// history, whichever execution jumped meanwhile.
/// </summary>
public sealed class SkippingClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, TimeSpan By)> _jumps = [];
    private TimeSpan _skipped;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return start + _skipped + Stopwatch.GetElapsedTime(_started);
        }
    }

    /// <summary>Moves the clock forward by <paramref name="by"/> (e.g. to a window's opening), as a logged jump.</summary>
    public void Advance(TimeSpan by)
    {
        if (by <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            _jumps.Add((start + _skipped + Stopwatch.GetElapsedTime(_started), by));
            _skipped += by;
        }
    }

    /// <summary>The time skipped by jumps that happened at or after <paramref name="from"/> and before <paramref name="to"/>.</summary>
    public TimeSpan Skipped(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return _jumps.Where(j => j.At >= from && j.At < to).Aggregate(TimeSpan.Zero, (sum, j) => sum + j.By);
        }
    }

    /// <summary>The wall time that passed between two readings of this clock: the span less the jumps within it.</summary>
    public TimeSpan Wall(DateTimeOffset from, DateTimeOffset to) => to - from - Skipped(from, to);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime < TimeSpan.FromDays(1))
        {
            Advance(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
