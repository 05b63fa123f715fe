using System.Globalization;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Windows;

/// <summary>
/// Whether an accepted request starts now or waits in its cluster's queue for the next maintenance window, and why.
/// <see cref="Window"/> is set for a queued change (the window that will apply it) and, for information, when a
/// cluster with a window gets a change applied now. <see cref="Refusal"/> is set when the request asked for the next
/// window of a cluster that has none.
/// </summary>
public sealed record AdmissionDecision(ApplyMode Apply, string? Window, string Reason, string? Refusal = null)
{
    public bool Refused => Refusal is not null;
}

/// <summary>
/// The admission rule, pure: an explicit <c>apply</c> wins; a request that carries its own maintenance window
/// applies now (within that window); otherwise a cluster with a window follows the window's <c>defaultApply</c>,
/// else the stack's default (template parameter <c>DefaultApply</c>, by default <c>next-window</c>); a cluster without
/// a window applies now.
/// </summary>
public static class Admission
{
    public static AdmissionDecision Decide(UpdateRequest request, WindowDefinition? window, ApplyMode stackDefault, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Apply == ApplyMode.NextWindow)
        {
            return window is null
                ? new AdmissionDecision(ApplyMode.NextWindow, null, "the request asked for the next maintenance window",
                    $"cluster {request.ClusterIdentifier} has no maintenance window: define one that covers it (pcs-orchestrator window set), or send the change with apply 'now'")
                : Queue(window, now, "the request asked for the next maintenance window");
        }

        if (request.Apply == ApplyMode.Now)
        {
            return new AdmissionDecision(ApplyMode.Now, window?.Name, window is null ? "applied now" : $"applied now, outside maintenance window {window.Name}, as the request asked");
        }

        if (request.MaintenanceWindow is not null)
        {
            return new AdmissionDecision(ApplyMode.Now, window?.Name, "applied now, within the maintenance window the request gives");
        }

        if (window is null)
        {
            return new AdmissionDecision(ApplyMode.Now, null, "applied now: the cluster has no maintenance window");
        }

        return (window.DefaultApply ?? stackDefault) == ApplyMode.NextWindow
            ? Queue(window, now, window.DefaultApply is null ? "the stack's default for clusters with a window" : $"window {window.Name}'s default")
            : new AdmissionDecision(ApplyMode.Now, window.Name, window.DefaultApply is null
                ? $"applied now: the stack's default for clusters with a window is 'now' (window {window.Name})"
                : $"applied now: window {window.Name}'s default is 'now'");
    }

    private static AdmissionDecision Queue(WindowDefinition window, DateTimeOffset now, string why)
    {
        var next = window.Schedule.Occurrences(now, 2).FirstOrDefault(w => w.Start > now);
        var when = next?.Start is { } start
            ? $"; it opens next at {start.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
            : "; the window has no further occurrence";
        return new AdmissionDecision(ApplyMode.NextWindow, window.Name, $"queued for maintenance window {window.Name} ({why}){when}");
    }
}
