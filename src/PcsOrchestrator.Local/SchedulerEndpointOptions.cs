using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local;

/// <summary>How a <see cref="SchedulerEndpoint"/> runs: where it listens, whose ARNs it makes, its clock, and what a schedule's target is.</summary>
public sealed record SchedulerEndpointOptions
{
    /// <summary>The loopback port; 0 takes any free one.</summary>
    public int Port { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string Account { get; init; } = "123456789012";

    /// <summary>The clock occurrences are due on; a FakeTimeProvider in tests, a scaled one for an accelerated local stack.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Invokes a schedule's target, once per attempt (the owner decides what the target ARN means: for this project,
    /// StartExecution on the local state machine). A throw is a failed attempt; it never stops the emulator.
    /// The default does nothing and succeeds.
    /// </summary>
    public Func<ScheduledInvocation, CancellationToken, Task> Invoke { get; init; } = (_, _) => Task.CompletedTask;
}

/// <summary>
/// One attempt to invoke a schedule's target for one occurrence. <see cref="Input"/> is the target's input with
/// EventBridge Scheduler's context attributes substituted (<c>&lt;aws.scheduler.scheduled-time&gt;</c>,
/// <c>&lt;aws.scheduler.schedule-arn&gt;</c>, <c>&lt;aws.scheduler.execution-id&gt;</c>,
/// <c>&lt;aws.scheduler.attempt-number&gt;</c>); null when the target has no input. Every attempt of an occurrence
/// has the same <see cref="ExecutionId"/>; the first is attempt 1.
/// </summary>
public sealed record ScheduledInvocation
{
    public required string ScheduleArn { get; init; }

    public required string ScheduleName { get; init; }

    public required string GroupName { get; init; }

    public required string TargetArn { get; init; }

    public required string RoleArn { get; init; }

    /// <summary>The occurrence (UTC), as <c>&lt;aws.scheduler.scheduled-time&gt;</c> gives it.</summary>
    public required DateTimeOffset ScheduledTime { get; init; }

    public required string? Input { get; init; }

    public required string ExecutionId { get; init; }

    public int AttemptNumber { get; init; } = 1;
}

/// <summary>What became of one occurrence: its first attempt, how many attempts were made, and the last failure if none succeeded.</summary>
public sealed record InvocationRecord(ScheduledInvocation Invocation, int Attempts, bool Succeeded, string? Error, DateTimeOffset CompletedAt);

/// <summary>A schedule the emulator holds: its definition as GetSchedule answers it, and its next occurrence (null when disabled or finished).</summary>
public sealed record EmulatedSchedule(Schedule Definition, DateTimeOffset? NextFireTime);

/// <summary>One request the endpoint answered: the operation, the status and the request id it sent.</summary>
public sealed record SchedulerCall(string Operation, int StatusCode, string RequestId);
