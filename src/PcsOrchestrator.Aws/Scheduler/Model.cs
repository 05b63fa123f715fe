using System.Text.Json.Serialization;
using PcsOrchestrator.Aws.Pcs;

// The namespace is not PcsOrchestrator.Aws.Scheduler: code in the PcsOrchestrator.Aws.* namespaces would then see a
// namespace where it means PCS's Scheduler shape (new Scheduler { Type = "SLURM" }).
namespace PcsOrchestrator.Aws.EventBridgeScheduler;

/// <summary>ScheduleState as EventBridge Scheduler names it.</summary>
public static class ScheduleStates
{
    public const string Enabled = "ENABLED";
    public const string Disabled = "DISABLED";
}

/// <summary>FlexibleTimeWindowMode: OFF invokes at the scheduled time, FLEXIBLE within MaximumWindowInMinutes after it.</summary>
public static class FlexibleTimeWindowModes
{
    public const string Off = "OFF";
    public const string Flexible = "FLEXIBLE";
}

/// <summary>ActionAfterCompletion: DELETE removes the schedule once it has invoked its target for the last time.</summary>
public static class ActionsAfterCompletion
{
    public const string None = "NONE";
    public const string Delete = "DELETE";
}

public sealed class FlexibleTimeWindow
{
    public string Mode { get; set; } = FlexibleTimeWindowModes.Off;

    /// <summary>1 to 1440; required with FLEXIBLE.</summary>
    public int? MaximumWindowInMinutes { get; set; }
}

public sealed class RetryPolicy
{
    /// <summary>60 to 86400 (the service's default is 86400).</summary>
    public int? MaximumEventAgeInSeconds { get; set; }

    /// <summary>0 to 185 (the service's default is 185).</summary>
    public int? MaximumRetryAttempts { get; set; }
}

public sealed class DeadLetterConfig
{
    /// <summary>The SQS queue that receives events that could not be delivered.</summary>
    public string? Arn { get; set; }
}

/// <summary>A schedule's target: for this project the state machine (StartExecution), with the role Scheduler assumes.</summary>
public sealed class Target
{
    public string Arn { get; set; } = string.Empty;

    public string RoleArn { get; set; } = string.Empty;

    /// <summary>Text or JSON passed to the target; <c>&lt;aws.scheduler.scheduled-time&gt;</c> and the other context attributes are substituted.</summary>
    public string? Input { get; set; }

    public RetryPolicy? RetryPolicy { get; set; }

    public DeadLetterConfig? DeadLetterConfig { get; set; }
}

/// <summary>
/// CreateSchedule's and UpdateSchedule's input (the two are the same shape). UpdateSchedule replaces the whole
/// schedule: a member left out goes back to its default, as in the service.
/// </summary>
public sealed class ScheduleRequest
{
    /// <summary>The URI label (<c>/schedules/{Name}</c>), not a body member.</summary>
    [JsonIgnore]
    public string Name { get; set; } = string.Empty;

    /// <summary>The schedule group; the service uses <c>default</c> when it is left out.</summary>
    public string? GroupName { get; set; }

    /// <summary><c>cron(minutes hours day-of-month month day-of-week year)</c>, <c>rate(value unit)</c> or <c>at(yyyy-mm-ddThh:mm:ss)</c>.</summary>
    public string ScheduleExpression { get; set; } = string.Empty;

    /// <summary>The IANA time zone the expression is evaluated in (UTC when left out).</summary>
    public string? ScheduleExpressionTimezone { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StartDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? EndDate { get; set; }

    public string? Description { get; set; }

    /// <summary>ENABLED (the default) or DISABLED.</summary>
    public string? State { get; set; }

    public FlexibleTimeWindow FlexibleTimeWindow { get; set; } = new();

    /// <summary>NONE (the default) or DELETE.</summary>
    public string? ActionAfterCompletion { get; set; }

    /// <summary>Idempotency token; the client makes one per call when it is left out, so its own retries are idempotent.</summary>
    public string? ClientToken { get; set; }

    public string? KmsKeyArn { get; set; }

    public Target Target { get; set; } = new();

    internal ScheduleRequest WithClientToken(string token)
    {
        var copy = (ScheduleRequest)MemberwiseClone();
        copy.ClientToken = token;
        return copy;
    }
}

/// <summary>CreateSchedule's and UpdateSchedule's output.</summary>
public sealed class ScheduleArnResponse
{
    public string ScheduleArn { get; set; } = string.Empty;
}

/// <summary>GetSchedule's output: the whole definition plus its ARN and dates.</summary>
public sealed class Schedule
{
    public string Arn { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string? GroupName { get; set; }

    public string ScheduleExpression { get; set; } = string.Empty;

    public string? ScheduleExpressionTimezone { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StartDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? EndDate { get; set; }

    public string? Description { get; set; }

    public string? State { get; set; }

    public FlexibleTimeWindow? FlexibleTimeWindow { get; set; }

    public string? ActionAfterCompletion { get; set; }

    public string? KmsKeyArn { get; set; }

    public Target? Target { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? CreationDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? LastModificationDate { get; set; }
}

/// <summary>Which schedules ListSchedules returns: all of them when every member is null.</summary>
public sealed class ScheduleFilter
{
    /// <summary>Only schedules of this group (the query member <c>ScheduleGroup</c>).</summary>
    public string? GroupName { get; set; }

    public string? NamePrefix { get; set; }

    /// <summary>ENABLED or DISABLED.</summary>
    public string? State { get; set; }
}

public sealed class TargetSummary
{
    public string Arn { get; set; } = string.Empty;
}

public sealed class ScheduleSummary
{
    public string Arn { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string? GroupName { get; set; }

    public string? State { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? CreationDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? LastModificationDate { get; set; }

    public TargetSummary? Target { get; set; }
}

public sealed class ListSchedulesResponse
{
    public List<ScheduleSummary> Schedules { get; set; } = [];

    public string? NextToken { get; set; }
}

/// <summary>DeleteSchedule's output has no members.</summary>
public sealed class EmptyResponse;

/// <summary>A REST-JSON error body: the type may be in <c>__type</c> or <c>code</c> (else only in the x-amzn-ErrorType header).</summary>
public sealed class SchedulerErrorBody
{
    [JsonPropertyName("__type")]
    public string? Type { get; set; }

    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("Message")]
    public string? Message { get; set; }

    [JsonPropertyName("message")]
    public string? MessageLower { get; set; }
}

/// <summary>Source-generated JSON for every EventBridge Scheduler wire shape the project uses (AOT-safe). Member names as the model spells them.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScheduleRequest))]
[JsonSerializable(typeof(ScheduleArnResponse))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(ListSchedulesResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(SchedulerErrorBody))]
public sealed partial class SchedulerJsonContext : JsonSerializerContext;
