namespace PcsOrchestrator.Local.StateMachine;

/// <summary>
/// Virtual time that jumps forward by a timer's due time the moment the timer is created, and fires it at once:
/// a workflow that waits hours runs in milliseconds. Timers of a day or more (effectively "never") stay real.
/// </summary>
public sealed class JumpingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward without a timer (e.g. to let an emulated update finish).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime < TimeSpan.FromDays(1))
        {
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
