namespace PcsOrchestrator.Domain.Timing;

/// <summary>
/// When to look at an updating cluster again. PCS publishes no completion event, so completion is detected by
/// polling GetCluster; the delay trades detection lag against calls and state transitions. Without history
/// the policy polls every <see cref="Interval"/> (30 s); it never waits past the deadline.
/// </summary>
public sealed record UpdatePollPolicy(TimeSpan Interval)
{
    public static UpdatePollPolicy Default { get; } = new(TimeSpan.FromSeconds(30));

    /// <summary>The wait before poll number <paramref name="attempt"/> (0 = the first poll after UpdateCluster).</summary>
    public BackoffDecision Next(int attempt, DateTimeOffset now, DateTimeOffset deadline)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var remaining = deadline - now;
        if (remaining <= TimeSpan.Zero)
        {
            return BackoffDecision.Stop("the deadline has passed");
        }

        return BackoffDecision.Wait(Interval < remaining ? Interval : remaining);
    }
}
