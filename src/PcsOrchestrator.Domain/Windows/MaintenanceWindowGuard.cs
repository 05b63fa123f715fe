using System.Globalization;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Windows;

public sealed record WindowDecision(bool Proceed, string? Reason)
{
    public static WindowDecision Go { get; } = new(true, null);
}

/// <summary>
/// Whether an update may start now inside its maintenance window: not before the window opens; as with SSM
/// Maintenance Windows, not after <c>end - cutoff</c>; and not when the expected duration would carry it past the end.
/// </summary>
public static class MaintenanceWindowGuard
{
    /// <summary>PCS documents updates as taking "minutes"; without a better figure assume 15.</summary>
    public static TimeSpan DefaultExpectedDuration { get; } = TimeSpan.FromMinutes(15);

    public static WindowDecision Evaluate(DateTimeOffset now, MaintenanceWindow? window, TimeSpan? expectedDuration)
    {
        if (window is null)
        {
            return WindowDecision.Go;
        }

        var expected = expectedDuration ?? DefaultExpectedDuration;
        if (window.Start is { } start && now < start)
        {
            return new WindowDecision(false, $"deferred: the maintenance window opens at {Format(start)}; it is {Format(now)}");
        }

        if (now > window.LatestStart)
        {
            return new WindowDecision(false,
                $"deferred: it is {Format(now)}, past the window's cutoff ({Format(window.LatestStart)}: end {Format(window.End)} minus {window.Cutoff.TotalMinutes:0} min)");
        }

        if (now + expected > window.End)
        {
            return new WindowDecision(false,
                $"deferred: an update expected to take {expected.TotalMinutes:0} min would not finish before the window ends at {Format(window.End)}");
        }

        return WindowDecision.Go;
    }

    private static string Format(DateTimeOffset instant) => instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
