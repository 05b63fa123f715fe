using System.Text.Json.Nodes;

namespace PcsOrchestrator.Local.StateMachine;

/// <summary>One Task state's call: the resolved Resource, its effective input, the state and the context object.</summary>
public sealed record TaskInvocation(string Resource, JsonNode? Input, string StateName, JsonNode Context);

/// <summary>Runs Task states. Failures are <see cref="TaskFailedException"/>s whose error name Retry and Catch match.</summary>
public interface ITaskInvoker
{
    Task<JsonNode?> InvokeAsync(TaskInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>A task's failure: the error name (e.g. a Lambda function's errorType) and its cause.</summary>
public sealed class TaskFailedException(string error, string? cause) : Exception($"{error}: {cause}")
{
    public TaskFailedException()
        : this("States.TaskFailed", (string?)null)
    {
    }

    public TaskFailedException(string message)
        : this("States.TaskFailed", message)
    {
    }

    public TaskFailedException(string message, Exception inner)
        : this("States.TaskFailed", message + ": " + inner.Message)
    {
    }

    public string Error { get; } = error;

    public string? Cause { get; } = cause;
}

/// <summary>Maps Resource strings to delegates: Lambda function ARNs by function name, anything else exactly.</summary>
public sealed class ResourceRouter : ITaskInvoker
{
    private readonly Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> _routes = new(StringComparer.Ordinal);

    public ResourceRouter Route(string resourceOrFunctionName, Func<JsonNode?, CancellationToken, Task<JsonNode?>> handler)
    {
        _routes[resourceOrFunctionName] = handler;
        return this;
    }

    public Task<JsonNode?> InvokeAsync(TaskInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (_routes.TryGetValue(invocation.Resource, out var exact))
        {
            return exact(invocation.Input, cancellationToken);
        }

        var function = FunctionName(invocation.Resource);
        return function is not null && _routes.TryGetValue(function, out var byName)
            ? byName(invocation.Input, cancellationToken)
            : throw new TaskFailedException("States.Runtime", $"no local handler for resource '{invocation.Resource}'");
    }

    /// <summary><c>arn:aws:lambda:region:account:function:Name[:qualifier]</c> → Name.</summary>
    public static string? FunctionName(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var parts = resource.Split(':');
        return parts.Length >= 7 && parts[2] == "lambda" && parts[5] == "function" ? parts[6] : null;
    }
}

public enum ExecutionStatus
{
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

/// <summary>One history event in the shape of GetExecutionHistory.</summary>
public sealed record HistoryEvent(long Id, long PreviousEventId, DateTimeOffset Timestamp, string Type, JsonObject? Details);

public sealed record ExecutionResult(
    string ExecutionArn,
    string Name,
    ExecutionStatus Status,
    JsonNode? Input,
    JsonNode? Output,
    string? Error,
    string? Cause,
    DateTimeOffset StartDate,
    DateTimeOffset StopDate,
    IReadOnlyList<HistoryEvent> History,
    int StateTransitions);
