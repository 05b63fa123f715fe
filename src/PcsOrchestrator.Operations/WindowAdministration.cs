using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Aws.EventBridgeScheduler;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Operations;

/// <summary>
/// Where a window's schedule points: the state machine it starts, the role EventBridge Scheduler assumes to start it,
/// and the schedule group (the stack's outputs <c>StateMachineArn</c>, <c>SchedulerRoleArn</c> and
/// <c>ScheduleGroupName</c>; null: the <c>default</c> group).
/// </summary>
public sealed record ScheduleTarget(string StateMachineArn, string RoleArn, string? GroupName);

/// <summary>How a window's EventBridge Scheduler schedule compares with its definition.</summary>
public sealed record ScheduleCheck(bool Exists, bool Matches, string? Arn, string? State, IReadOnlyList<string> Differences);

/// <summary>A stored window with what an operator wants to see: its next occurrences, its schedule, and what is queued.</summary>
public sealed record WindowStatus(
    WindowDefinition Definition,
    WindowRecord Record,
    IReadOnlyList<MaintenanceWindow> Next,
    ScheduleCheck Schedule,
    IReadOnlyDictionary<string, int> PendingByCluster);

/// <summary>A window that cannot be deleted yet: changes are queued for its clusters.</summary>
public sealed class WindowInUseException(string window, IReadOnlyDictionary<string, int> pending)
    : Exception($"maintenance window '{window}' has queued changes ({string.Join(", ", pending.Where(p => p.Value > 0).Select(p => $"{p.Key}: {p.Value}"))}): cancel them, move the clusters to another window, or delete with --force (the changes then wait until a window covers their cluster again)")
{
    public string Window { get; } = window;

    public IReadOnlyDictionary<string, int> Pending { get; } = pending;
}

/// <summary>
/// Maintenance windows as operators manage them: each window is a definition in the maintenance table (with the
/// membership of its clusters) and one EventBridge Scheduler schedule, named after the window, that starts the
/// state machine with <c>{"window": name, "scheduledTime": ...}</c> at every occurrence, in the window's time zone.
/// The definition is written first and is the truth: the state machine reads it when the window opens, so a schedule
/// that was not updated (a failure between the two writes) starts nothing wrong, and <see cref="ShowAsync"/> reports
/// the mismatch until <see cref="SetAsync"/> runs again.
/// </summary>
public sealed class WindowAdministration(MaintenanceStore store, ISchedulerClient scheduler, ScheduleTarget target, TimeProvider time)
{
    /// <summary>
    /// The input every window schedule sends. EventBridge Scheduler substitutes the context attributes in the raw
    /// text, so their angle brackets must stay as they are (a default JSON writer escapes them to \u003C).
    /// </summary>
    public static string InputFor(string window) =>
        new JsonObject { ["window"] = window, ["scheduledTime"] = "<aws.scheduler.scheduled-time>", ["scheduleArn"] = "<aws.scheduler.schedule-arn>" }
            .ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The schedule of a window: its expression and zone, no flexible window, retried for an hour, enabled.</summary>
    public ScheduleRequest ScheduleFor(WindowDefinition window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return new ScheduleRequest
        {
            Name = window.Name,
            GroupName = target.GroupName,
            ScheduleExpression = window.Schedule.Expression,
            ScheduleExpressionTimezone = window.Schedule.Zone.Id,
            StartDate = window.Schedule.Anchor,
            Description = Describe(window),
            State = ScheduleStates.Enabled,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowModes.Off },
            Target = new Target
            {
                Arn = target.StateMachineArn,
                RoleArn = target.RoleArn,
                Input = InputFor(window.Name),
                RetryPolicy = new RetryPolicy { MaximumEventAgeInSeconds = 3600, MaximumRetryAttempts = 10 },
            },
        };
    }

    /// <summary>
    /// Stores the window (a cluster in another window is refused with nothing written; <paramref name="expectedVersion"/>
    /// guards against a concurrent edit) and creates or updates its schedule.
    /// </summary>
    public async Task<WindowRecord> SetAsync(WindowDefinition window, long? expectedVersion, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        var record = await store.PutWindowAsync(window.Name, window.ToJson(), window.Clusters, expectedVersion, actor, cancellationToken);
        var schedule = ScheduleFor(window);
        try
        {
            await scheduler.UpdateScheduleAsync(schedule, cancellationToken);
        }
        catch (SchedulerResourceNotFoundException)
        {
            try
            {
                await scheduler.CreateScheduleAsync(schedule, cancellationToken);
            }
            catch (SchedulerConflictException)
            {
                await scheduler.UpdateScheduleAsync(schedule, cancellationToken); // Created meanwhile by a concurrent set.
            }
        }

        return record;
    }

    /// <summary>The stored window, or null when there is none of that name.</summary>
    public Task<WindowRecord?> GetAsync(string name, CancellationToken cancellationToken) => store.GetWindowAsync(name, cancellationToken);

    public async Task<IReadOnlyList<WindowRecord>> ListAsync(CancellationToken cancellationToken) => await store.ListWindowsAsync(cancellationToken);

    /// <summary>The window, its next <paramref name="occurrences"/> occurrences, how its schedule compares and the queue per cluster; null when absent.</summary>
    public async Task<WindowStatus?> ShowAsync(string name, int occurrences, CancellationToken cancellationToken)
    {
        var record = await store.GetWindowAsync(name, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var definition = Read(record);
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var cluster in definition.Clusters)
        {
            pending[cluster] = (await store.ListChangesAsync(cluster, [QueuedChangeStatus.Pending], cancellationToken)).Count;
        }

        return new WindowStatus(definition, record, definition.Schedule.Occurrences(time.GetUtcNow(), occurrences), await CheckAsync(definition, cancellationToken), pending);
    }

    /// <summary>
    /// Deletes the schedule, then the window. Refused while changes are queued for its clusters, unless
    /// <paramref name="force"/>. False when the window does not exist.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, bool force, CancellationToken cancellationToken)
    {
        var status = await ShowAsync(name, 0, cancellationToken);
        if (status is null)
        {
            return false;
        }

        if (!force && status.PendingByCluster.Values.Any(p => p > 0))
        {
            throw new WindowInUseException(name, status.PendingByCluster);
        }

        try
        {
            await scheduler.DeleteScheduleAsync(name, target.GroupName, cancellationToken);
        }
        catch (SchedulerResourceNotFoundException)
        {
            // Already gone: the window is deleted all the same.
        }

        return await store.DeleteWindowAsync(name, status.Record.Version, cancellationToken);
    }

    public static WindowDefinition Read(WindowRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (definition, issues) = WindowDefinition.Parse(record.Definition);
        return definition ?? throw new InvalidOperationException($"maintenance window '{record.Name}' is stored in a form this version cannot read: {string.Join("; ", issues)}");
    }

    private async Task<ScheduleCheck> CheckAsync(WindowDefinition window, CancellationToken cancellationToken)
    {
        Schedule schedule;
        try
        {
            schedule = await scheduler.GetScheduleAsync(window.Name, target.GroupName, cancellationToken);
        }
        catch (SchedulerResourceNotFoundException)
        {
            return new ScheduleCheck(false, false, null, null, ["the window has no EventBridge Scheduler schedule: it never opens (window set NAME, with no other flag, writes it again)"]);
        }

        var expected = ScheduleFor(window);
        var differences = new List<string>();
        Compare(differences, "expression", expected.ScheduleExpression, schedule.ScheduleExpression);
        Compare(differences, "time zone", expected.ScheduleExpressionTimezone, schedule.ScheduleExpressionTimezone ?? "UTC");
        Compare(differences, "state", ScheduleStates.Enabled, schedule.State ?? ScheduleStates.Enabled);
        Compare(differences, "target", expected.Target.Arn, schedule.Target?.Arn);
        Compare(differences, "input", expected.Target.Input, schedule.Target?.Input);
        if (expected.StartDate != schedule.StartDate)
        {
            differences.Add($"start date is {schedule.StartDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}, the window's anchor {expected.StartDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}");
        }

        return new ScheduleCheck(true, differences.Count == 0, schedule.Arn, schedule.State, differences);
    }

    private static void Compare(List<string> differences, string what, string? expected, string? actual)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            differences.Add($"{what} is '{actual ?? "(none)"}', the window's is '{expected ?? "(none)"}'");
        }
    }

    private static string Describe(WindowDefinition window)
    {
        var text = $"PcsOrchestrator maintenance window {window.Name}: {(int)window.Schedule.Duration.TotalMinutes} min, cutoff {(int)window.Schedule.Cutoff.TotalMinutes} min, {window.Clusters.Count} cluster(s)";
        return text.Length <= 512 ? text : text[..512];
    }
}
