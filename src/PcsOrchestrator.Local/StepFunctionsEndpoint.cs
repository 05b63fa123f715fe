using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Local;

/// <summary>
/// A local Step Functions endpoint backed by the runner of the real definition: StartExecution, DescribeExecution,
/// GetExecutionHistory, ListExecutions and StopExecution in the AWS JSON 1.0 protocol on loopback, so
/// <c>aws stepfunctions ... --endpoint-url</c> and the project's own client work against it. One state machine.
/// </summary>
public sealed class StepFunctionsEndpoint : IAsyncDisposable
{
    /// <summary>Step Functions refuses execution input over 256 KB.</summary>
    public const int MaxInputBytes = 256 * 1024;

    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    private readonly WebApplication _app;
    private readonly StateMachineRunner _runner;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);
    private readonly Lock _startGate = new();

    private StepFunctionsEndpoint(WebApplication app, StateMachineRunner runner, TimeProvider time)
    {
        _app = app;
        _runner = runner;
        _time = time;
    }

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public string StateMachineArn => _runner.StateMachineArn;

    public IReadOnlyCollection<Execution> Executions => [.. _executions.Values];

    public static async Task<StepFunctionsEndpoint> StartAsync(StateMachineRunner runner, TimeProvider time, int port = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var endpoint = new StepFunctionsEndpoint(app, runner, time);
        app.MapPost("/", endpoint.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>Stops every running execution (ABORTED), then the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var execution in _executions.Values.Where(e => !e.Completion.IsCompleted))
        {
            execution.Stop("States.Aborted", "the local stack stopped");
        }

        await ((Task)Task.WhenAll(_executions.Values.Select(e => e.Completion)).WaitAsync(TimeSpan.FromSeconds(30))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(StepFunctionsClient.TargetPrefix + ".", StringComparison.Ordinal) ? target[(StepFunctionsClient.TargetPrefix.Length + 1)..] : target;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        context.Response.ContentType = "application/x-amz-json-1.0";
        JsonNode answer;
        try
        {
            if (string.IsNullOrEmpty(context.Request.Headers.Authorization.ToString()))
            {
                throw new Fault("MissingAuthenticationTokenException", "Missing Authentication Token");
            }

            JsonObject request;
            try
            {
                request = JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject ?? throw new Fault("SerializationException", "the request body must be a JSON object");
            }
            catch (JsonException ex)
            {
                throw new Fault("SerializationException", $"the request body is not JSON: {ex.Message}");
            }

            answer = operation switch
            {
                "StartExecution" => Start(request),
                "DescribeExecution" => Describe(request),
                "GetExecutionHistory" => History(request),
                "ListExecutions" => List(request),
                "StopExecution" => await StopAsync(request),
                _ => throw new Fault("UnknownOperationException", $"'{target}' is not an operation of this endpoint"),
            };
        }
        catch (Fault fault)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers["x-amzn-ErrorType"] = fault.Code;
            answer = new JsonObject { ["__type"] = fault.Code, ["message"] = fault.Message };
        }

        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private JsonObject Start(JsonObject request)
    {
        RequireStateMachine(request);
        var name = Text(request, "name") ?? Guid.NewGuid().ToString();
        ValidateName(name);
        var inputText = Text(request, "input") ?? "{}";
        if (Encoding.UTF8.GetByteCount(inputText) > MaxInputBytes)
        {
            throw new Fault("InvalidExecutionInput", $"the input is {Encoding.UTF8.GetByteCount(inputText)} bytes; at most {MaxInputBytes} bytes are accepted");
        }

        JsonNode? input;
        try
        {
            input = JsonNode.Parse(inputText);
        }
        catch (JsonException ex)
        {
            throw new Fault("InvalidExecutionInput", $"the input is not valid JSON: {ex.Message}");
        }

        Execution execution;
        lock (_startGate)
        {
            var arn = ExecutionArnOf(name);
            if (_executions.TryGetValue(arn, out var existing))
            {
                // Step Functions answers a repeated StartExecution of a running execution with the same input as the
                // first one, and refuses any other reuse of the name.
                if (existing.Completion.IsCompleted || !JsonNode.DeepEquals(existing.Input, input))
                {
                    throw new Fault("ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'");
                }

                execution = existing;
            }
            else
            {
                execution = _runner.StartExecution(name, input);
                _executions[execution.ExecutionArn] = execution;
            }
        }

        return new JsonObject { ["executionArn"] = execution.ExecutionArn, ["startDate"] = Epoch(execution.StartDate) };
    }

    private JsonObject Describe(JsonObject request)
    {
        var execution = Find(request);
        var answer = new JsonObject
        {
            ["executionArn"] = execution.ExecutionArn,
            ["stateMachineArn"] = execution.StateMachineArn,
            ["name"] = execution.Name,
            ["status"] = Status(execution),
            ["startDate"] = Epoch(execution.StartDate),
            ["input"] = execution.Input?.ToJsonString() ?? "null",
        };
        if (execution.Completion.IsCompletedSuccessfully)
        {
            var result = execution.Completion.Result;
            answer["stopDate"] = Epoch(result.StopDate);
            if (result.Status == ExecutionStatus.Succeeded)
            {
                answer["output"] = result.Output?.ToJsonString() ?? "null";
            }

            if (result.Error is not null)
            {
                answer["error"] = result.Error;
            }

            if (result.Cause is not null)
            {
                answer["cause"] = result.Cause;
            }
        }

        return answer;
    }

    private JsonObject History(JsonObject request)
    {
        var execution = Find(request);
        var events = execution.History;
        var reverse = request["reverseOrder"]?.GetValue<bool>() ?? false;
        var includeData = request["includeExecutionData"]?.GetValue<bool>() ?? true;
        var ordered = reverse ? events.Reverse().ToList() : events.ToList();
        var (offset, size) = Page(request, ordered.Count);
        var page = new JsonArray();
        foreach (var e in ordered.Skip(offset).Take(size))
        {
            var item = new JsonObject { ["timestamp"] = Epoch(e.Timestamp), ["type"] = e.Type, ["id"] = e.Id, ["previousEventId"] = e.PreviousEventId };
            if (e.Details is { } details)
            {
                var copy = (JsonObject)details.DeepClone();
                if (!includeData)
                {
                    copy.Remove("input");
                    copy.Remove("output");
                }

                item[DetailsMember(e.Type)] = copy;
            }

            page.Add(item);
        }

        return WithNextToken(new JsonObject { ["events"] = page }, offset + size, ordered.Count);
    }

    private JsonObject List(JsonObject request)
    {
        RequireStateMachine(request);
        var filter = Text(request, "statusFilter");
        var matching = _executions.Values
            .Where(e => filter is null || Status(e) == filter)
            .OrderByDescending(e => e.StartDate).ThenByDescending(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var (offset, size) = Page(request, matching.Count);
        var page = new JsonArray();
        foreach (var e in matching.Skip(offset).Take(size))
        {
            var item = new JsonObject
            {
                ["executionArn"] = e.ExecutionArn,
                ["stateMachineArn"] = e.StateMachineArn,
                ["name"] = e.Name,
                ["status"] = Status(e),
                ["startDate"] = Epoch(e.StartDate),
            };
            if (e.Completion.IsCompletedSuccessfully)
            {
                item["stopDate"] = Epoch(e.Completion.Result.StopDate);
            }

            page.Add(item);
        }

        return WithNextToken(new JsonObject { ["executions"] = page }, offset + size, matching.Count);
    }

    private async Task<JsonObject> StopAsync(JsonObject request)
    {
        var execution = Find(request);
        if (!execution.Completion.IsCompleted)
        {
            execution.Stop(Text(request, "error"), Text(request, "cause"));
            await ((Task)execution.Completion.WaitAsync(TimeSpan.FromSeconds(30))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var stopped = execution.Completion.IsCompletedSuccessfully ? execution.Completion.Result.StopDate : _time.GetUtcNow();
        return new JsonObject { ["stopDate"] = Epoch(stopped) };
    }

    private void RequireStateMachine(JsonObject request)
    {
        var arn = Text(request, "stateMachineArn") ?? throw new Fault("ValidationException", "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null");
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw new Fault("InvalidArn", $"Invalid Arn: '{arn}'");
        }

        if (arn != _runner.StateMachineArn)
        {
            throw new Fault("StateMachineDoesNotExist", $"State Machine Does Not Exist: '{arn}'");
        }
    }

    private Execution Find(JsonObject request)
    {
        var arn = Text(request, "executionArn") ?? throw new Fault("ValidationException", "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null");
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw new Fault("InvalidArn", $"Invalid Arn: '{arn}'");
        }

        return _executions.TryGetValue(arn, out var execution) ? execution : throw new Fault("ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");
    }

    private string ExecutionArnOf(string name) => _runner.StateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name;

    /// <summary>Names: 1 to 80 characters, no white space, brackets, wildcards, special or control characters.</summary>
    private static void ValidateName(string name)
    {
        if (name.Length is 0 or > 80 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || "<>{}[]?*\"#%\\^|~`$&,;:/".Contains(c, StringComparison.Ordinal)))
        {
            throw new Fault("InvalidName", $"Invalid Name: '{(name.Length > 100 ? name[..100] + "..." : name)}'");
        }
    }

    private static (int Offset, int Size) Page(JsonObject request, int count)
    {
        var size = request["maxResults"]?.GetValue<int>() is { } asked and > 0 ? Math.Min(asked, MaxPageSize) : DefaultPageSize;
        var offset = 0;
        if (Text(request, "nextToken") is { } token && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > count))
        {
            throw new Fault("InvalidToken", $"Invalid Token: '{token}'");
        }

        return (offset, size);
    }

    private static JsonObject WithNextToken(JsonObject answer, int next, int count)
    {
        if (next < count)
        {
            answer["nextToken"] = next.ToString(CultureInfo.InvariantCulture);
        }

        return answer;
    }

    private static string Status(Execution execution) => !execution.Completion.IsCompletedSuccessfully ? ExecutionStatuses.Running : execution.Completion.Result.Status switch
    {
        ExecutionStatus.Succeeded => ExecutionStatuses.Succeeded,
        ExecutionStatus.Failed => ExecutionStatuses.Failed,
        ExecutionStatus.TimedOut => ExecutionStatuses.TimedOut,
        ExecutionStatus.Aborted => ExecutionStatuses.Aborted,
        _ => ExecutionStatuses.Running,
    };

    /// <summary>The history event member that holds an event type's details, as GetExecutionHistory names it.</summary>
    private static string DetailsMember(string type) =>
        type.EndsWith("StateEntered", StringComparison.Ordinal) ? "stateEnteredEventDetails"
        : type.EndsWith("StateExited", StringComparison.Ordinal) ? "stateExitedEventDetails"
        : char.ToLowerInvariant(type[0]) + type[1..] + "EventDetails";

    private static double Epoch(DateTimeOffset instant) => Math.Round((instant - DateTimeOffset.UnixEpoch).TotalSeconds, 3);

    private static string? Text(JsonObject request, string member) =>
        request[member] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private sealed class Fault(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
