namespace PcsOrchestrator.Aws.EventBridgeScheduler;

/// <summary>
/// The EventBridge Scheduler operations the project uses (one schedule per maintenance window). Errors are
/// <see cref="SchedulerException"/> or one of its typed subclasses. A null group is the <c>default</c> group.
/// </summary>
public interface ISchedulerClient
{
    /// <summary>CreateSchedule; returns the schedule's ARN. A name that exists in the group is a <see cref="SchedulerConflictException"/>.</summary>
    Task<string> CreateScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken);

    /// <summary>UpdateSchedule: replaces the whole definition; returns the ARN. A missing schedule is a <see cref="SchedulerResourceNotFoundException"/>.</summary>
    Task<string> UpdateScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken);

    Task<Schedule> GetScheduleAsync(string name, string? groupName, CancellationToken cancellationToken);

    Task DeleteScheduleAsync(string name, string? groupName, CancellationToken cancellationToken);

    /// <summary>ListSchedules through every page (<paramref name="pageSize"/> is MaxResults, 1 to 100).</summary>
    Task<IReadOnlyList<ScheduleSummary>> ListSchedulesAsync(ScheduleFilter? filter, CancellationToken cancellationToken, int? pageSize = null);
}
