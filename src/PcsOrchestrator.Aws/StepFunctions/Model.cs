using System.Text.Json.Serialization;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Aws.StepFunctions;

/// <summary>Execution statuses as Step Functions names them.</summary>
public static class ExecutionStatuses
{
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string TimedOut = "TIMED_OUT";
    public const string Aborted = "ABORTED";
}

public sealed class StartExecutionRequest
{
    public string StateMachineArn { get; set; } = string.Empty;

    public string? Name { get; set; }

    public string? Input { get; set; }
}

public sealed class StartExecutionResponse
{
    public string ExecutionArn { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset StartDate { get; set; }
}

public sealed class ExecutionRequest
{
    public string ExecutionArn { get; set; } = string.Empty;
}

public sealed class DescribeExecutionResponse
{
    public string ExecutionArn { get; set; } = string.Empty;

    public string StateMachineArn { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset StartDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StopDate { get; set; }

    public string? Input { get; set; }

    public string? Output { get; set; }

    public string? Error { get; set; }

    public string? Cause { get; set; }
}

public sealed class StopExecutionRequest
{
    public string ExecutionArn { get; set; } = string.Empty;

    public string? Error { get; set; }

    public string? Cause { get; set; }
}

public sealed class StopExecutionResponse
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset StopDate { get; set; }
}

public sealed class ListExecutionsRequest
{
    public string StateMachineArn { get; set; } = string.Empty;

    public string? StatusFilter { get; set; }

    public int? MaxResults { get; set; }

    public string? NextToken { get; set; }
}

public sealed class ExecutionListItem
{
    public string ExecutionArn { get; set; } = string.Empty;

    public string StateMachineArn { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset StartDate { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StopDate { get; set; }
}

public sealed class ListExecutionsResponse
{
    public List<ExecutionListItem> Executions { get; set; } = [];

    public string? NextToken { get; set; }
}

public sealed class GetExecutionHistoryRequest
{
    public string ExecutionArn { get; set; } = string.Empty;

    public int? MaxResults { get; set; }

    public bool? ReverseOrder { get; set; }

    public string? NextToken { get; set; }

    public bool? IncludeExecutionData { get; set; }
}

/// <summary>The details every event type shares one of; unknown detail members are ignored.</summary>
public sealed class EventDetails
{
    public string? Name { get; set; }

    public string? Input { get; set; }

    public string? Output { get; set; }

    public string? Resource { get; set; }

    public string? Error { get; set; }

    public string? Cause { get; set; }
}

public sealed class HistoryEvent
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset Timestamp { get; set; }

    public string Type { get; set; } = string.Empty;

    public long Id { get; set; }

    public long PreviousEventId { get; set; }

    public EventDetails? ExecutionStartedEventDetails { get; set; }

    public EventDetails? ExecutionSucceededEventDetails { get; set; }

    public EventDetails? ExecutionFailedEventDetails { get; set; }

    public EventDetails? ExecutionAbortedEventDetails { get; set; }

    public EventDetails? ExecutionTimedOutEventDetails { get; set; }

    public EventDetails? StateEnteredEventDetails { get; set; }

    public EventDetails? StateExitedEventDetails { get; set; }

    public EventDetails? LambdaFunctionScheduledEventDetails { get; set; }

    public EventDetails? LambdaFunctionSucceededEventDetails { get; set; }

    public EventDetails? LambdaFunctionFailedEventDetails { get; set; }

    public EventDetails? LambdaFunctionTimedOutEventDetails { get; set; }

    /// <summary>Whichever details the event carries.</summary>
    [JsonIgnore]
    public EventDetails? Details =>
        StateEnteredEventDetails ?? StateExitedEventDetails ?? LambdaFunctionScheduledEventDetails ?? LambdaFunctionSucceededEventDetails
        ?? LambdaFunctionFailedEventDetails ?? LambdaFunctionTimedOutEventDetails ?? ExecutionStartedEventDetails ?? ExecutionSucceededEventDetails
        ?? ExecutionFailedEventDetails ?? ExecutionAbortedEventDetails ?? ExecutionTimedOutEventDetails;
}

public sealed class GetExecutionHistoryResponse
{
    public List<HistoryEvent> Events { get; set; } = [];

    public string? NextToken { get; set; }
}

/// <summary>The error body of AWS JSON 1.0 (<c>__type</c> and <c>message</c>).</summary>
public sealed class StepFunctionsErrorBody
{
    [JsonPropertyName("__type")]
    public string? Type { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("Message")]
    public string? MessageUpper { get; set; }
}

/// <summary>Source-generated JSON for every Step Functions wire shape the project uses (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartExecutionRequest))]
[JsonSerializable(typeof(StartExecutionResponse))]
[JsonSerializable(typeof(ExecutionRequest))]
[JsonSerializable(typeof(DescribeExecutionResponse))]
[JsonSerializable(typeof(StopExecutionRequest))]
[JsonSerializable(typeof(StopExecutionResponse))]
[JsonSerializable(typeof(ListExecutionsRequest))]
[JsonSerializable(typeof(ListExecutionsResponse))]
[JsonSerializable(typeof(GetExecutionHistoryRequest))]
[JsonSerializable(typeof(GetExecutionHistoryResponse))]
[JsonSerializable(typeof(StepFunctionsErrorBody))]
public sealed partial class StepFunctionsJsonContext : JsonSerializerContext;
