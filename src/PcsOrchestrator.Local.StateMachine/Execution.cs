using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PcsOrchestrator.Local.StateMachine;

/// <summary>
/// One running execution of a definition: the state loop with the ASL input/output processing order
/// (InputPath → Parameters → task → ResultSelector → ResultPath → OutputPath), Retry and Catch, Wait on the runner's
/// TimeProvider, and a history in the shape of GetExecutionHistory. A state transition is counted for every state
/// entered and for every retry attempt, as Step Functions bills them.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The stop source has no timer; it lives as long as the execution's handle.")]
public sealed class Execution
{
    private readonly StateMachineDefinition _definition;
    private readonly ITaskInvoker _invoker;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly List<HistoryEvent> _history = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private (string Error, string? Cause)? _abort;
    private int _transitions;

    internal Execution(StateMachineDefinition definition, ITaskInvoker invoker, TimeProvider time, Func<double> random, string stateMachineArn, string name, JsonNode? input)
    {
        _definition = definition;
        _invoker = invoker;
        _time = time;
        _random = random;
        Name = name;
        ExecutionArn = stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name;
        StateMachineArn = stateMachineArn;
        Input = input?.DeepClone();
        StartDate = time.GetUtcNow();
        Completion = Task.Run(RunAsync);
    }

    public string Name { get; }

    public string ExecutionArn { get; }

    public string StateMachineArn { get; }

    public JsonNode? Input { get; }

    public DateTimeOffset StartDate { get; }

    public string? CurrentState { get; private set; }

    public Task<ExecutionResult> Completion { get; }

    public IReadOnlyList<HistoryEvent> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>StopExecution: the execution ends ABORTED with this error and cause.</summary>
    public void Stop(string? error = null, string? cause = null)
    {
        _abort = (error ?? "States.Aborted", cause);
        _stop.Cancel();
    }

    private async Task<ExecutionResult> RunAsync()
    {
        Record("ExecutionStarted", new JsonObject { ["input"] = Json(Input), ["roleArn"] = "arn:aws:iam::123456789012:role/local" });
        using var timeout = _definition.TimeoutSeconds is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
        var state = _definition.StartAt;
        var data = Input?.DeepClone();
        try
        {
            while (true)
            {
                var (next, output, end) = await RunStateAsync(state, data, linked.Token);
                data = output;
                if (end)
                {
                    return Finish(ExecutionStatus.Succeeded, data, null, null, "ExecutionSucceeded", new JsonObject { ["output"] = Json(data) });
                }

                state = next!;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return Finish(ExecutionStatus.Aborted, null, _abort?.Error, _abort?.Cause, "ExecutionAborted", new JsonObject { ["error"] = _abort?.Error, ["cause"] = _abort?.Cause });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Finish(ExecutionStatus.TimedOut, null, "States.Timeout", "the execution's TimeoutSeconds passed", "ExecutionTimedOut", new JsonObject { ["error"] = "States.Timeout" });
        }
        catch (ExecutionFailed failed)
        {
            return Finish(ExecutionStatus.Failed, null, failed.Error, failed.Cause, "ExecutionFailed", new JsonObject { ["error"] = failed.Error, ["cause"] = failed.Cause });
        }
    }

    private ExecutionResult Finish(ExecutionStatus status, JsonNode? output, string? error, string? cause, string eventType, JsonObject details)
    {
        Record(eventType, details);
        CurrentState = null;
        return new ExecutionResult(ExecutionArn, Name, status, Input, output, error, cause, StartDate, _time.GetUtcNow(), History, Volatile.Read(ref _transitions));
    }

    private async Task<(string? Next, JsonNode? Output, bool End)> RunStateAsync(string name, JsonNode? rawInput, CancellationToken ct)
    {
        var state = _definition.States[name];
        var type = state["Type"]!.GetValue<string>();
        CurrentState = name;
        Interlocked.Increment(ref _transitions);
        var entered = _time.GetUtcNow();
        Record($"{type}StateEntered", new JsonObject { ["name"] = name, ["input"] = Json(rawInput) });
        var context = Context(name, entered, 0);
        try
        {
            var input = Select(state, "InputPath", rawInput, context);
            switch (type)
            {
                case "Pass":
                {
                    var result = state["Result"] is { } fixedResult ? fixedResult.DeepClone() : state["Parameters"] is { } p ? Template(p, input, context) : input;
                    return Exit(name, type, state, rawInput, result, context);
                }

                case "Wait":
                    await Task.Delay(WaitTime(state, input, context), _time, ct);
                    return Exit(name, type, state, rawInput, input, context, passThrough: true);
                case "Choice":
                {
                    foreach (var choice in state["Choices"]!.AsArray())
                    {
                        if (Matches(choice!.AsObject(), input, context))
                        {
                            Record("ChoiceStateExited", new JsonObject { ["name"] = name, ["output"] = Json(Select(state, "OutputPath", input, context)) });
                            return (choice["Next"]!.GetValue<string>(), Select(state, "OutputPath", input, context), false);
                        }
                    }

                    var fallback = state["Default"]?.GetValue<string>() ?? throw new ExecutionFailed("States.NoChoiceMatched", $"no choice rule of state '{name}' matched and it has no Default");
                    Record("ChoiceStateExited", new JsonObject { ["name"] = name, ["output"] = Json(Select(state, "OutputPath", input, context)) });
                    return (fallback, Select(state, "OutputPath", input, context), false);
                }

                case "Succeed":
                {
                    var output = Select(state, "OutputPath", input, context);
                    Record("SucceedStateExited", new JsonObject { ["name"] = name, ["output"] = Json(output) });
                    return (null, output, true);
                }

                case "Fail":
                {
                    var error = state["ErrorPath"] is { } ep ? Text(JsonPath.Get(ep.GetValue<string>(), input, context)) : state["Error"]?.GetValue<string>();
                    var cause = state["CausePath"] is { } cp ? Text(JsonPath.Get(cp.GetValue<string>(), input, context)) : state["Cause"]?.GetValue<string>();
                    throw new ExecutionFailed(error ?? "States.Failed", cause);
                }

                default:
                    return await RunTaskAsync(name, state, rawInput, input, ct);
            }
        }
        catch (StatesRuntimeException ex)
        {
            throw new ExecutionFailed("States.Runtime", $"An error occurred while executing the state '{name}': {ex.Message}");
        }
    }

    private async Task<(string? Next, JsonNode? Output, bool End)> RunTaskAsync(string name, JsonObject state, JsonNode? rawInput, JsonNode? input, CancellationToken ct)
    {
        var retriers = (state["Retry"] as JsonArray)?.Select(r => r!.AsObject()).ToList() ?? [];
        var attempts = new int[retriers.Count];
        var retryCount = 0;
        var resource = state["Resource"]!.GetValue<string>();
        var lambda = ResourceRouter.FunctionName(resource) is not null;
        while (true)
        {
            var context = Context(name, _time.GetUtcNow(), retryCount);
            var effective = state["Parameters"] is { } parameters ? Template(parameters, input, context) : input;
            Record(lambda ? "LambdaFunctionScheduled" : "TaskScheduled", new JsonObject { ["resource"] = resource, ["input"] = Json(effective), ["resourceType"] = lambda ? "lambda" : "task" });
            Record(lambda ? "LambdaFunctionStarted" : "TaskStarted", null);
            string error;
            string? cause;
            try
            {
                JsonNode? result;
                using (var timeout = state["TimeoutSeconds"] is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds.GetValue<int>()), _time) : new CancellationTokenSource())
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
                {
                    try
                    {
                        result = await _invoker.InvokeAsync(new TaskInvocation(resource, effective, name, context), linked.Token);
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        throw new TaskFailedException("States.Timeout", $"the task of state '{name}' ran longer than its TimeoutSeconds");
                    }
                }

                Record(lambda ? "LambdaFunctionSucceeded" : "TaskSucceeded", new JsonObject { ["output"] = Json(result) });
                if (state["ResultSelector"] is { } selector)
                {
                    result = Template(selector, result, context);
                }

                return Exit(name, "Task", state, rawInput, result, context);
            }
            catch (TaskFailedException ex)
            {
                (error, cause) = (ex.Error, ex.Cause);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not ExecutionFailed and not StatesRuntimeException)
            {
                (error, cause) = ("States.TaskFailed", ex.Message);
            }

            Record(lambda ? "LambdaFunctionFailed" : "TaskFailed", new JsonObject { ["error"] = error, ["cause"] = cause });
            var retrier = retriers.FindIndex(r => Matches(r["ErrorEquals"]!.AsArray(), error));
            if (retrier >= 0 && attempts[retrier] < (retriers[retrier]["MaxAttempts"]?.GetValue<int>() ?? 3))
            {
                var r = retriers[retrier];
                var interval = r["IntervalSeconds"]?.GetValue<double>() ?? 1;
                var rate = r["BackoffRate"]?.GetValue<double>() ?? 2.0;
                var delay = interval * Math.Pow(rate, attempts[retrier]);
                if (r["MaxDelaySeconds"] is { } max)
                {
                    delay = Math.Min(delay, Num(max));
                }

                if (r["JitterStrategy"]?.GetValue<string>() == "FULL")
                {
                    delay *= _random();
                }

                attempts[retrier]++;
                retryCount++;
                Interlocked.Increment(ref _transitions);
                await Task.Delay(TimeSpan.FromSeconds(delay), _time, ct);
                continue;
            }

            foreach (var catcher in (state["Catch"] as JsonArray)?.Select(c => c!.AsObject()) ?? [])
            {
                if (Matches(catcher["ErrorEquals"]!.AsArray(), error))
                {
                    var errorOutput = new JsonObject { ["Error"] = error, ["Cause"] = cause };
                    var output = catcher["ResultPath"] is JsonValue path ? JsonPath.Set(path.GetValue<string>(), rawInput, errorOutput)
                        : catcher.ContainsKey("ResultPath") ? rawInput?.DeepClone() : errorOutput;
                    Record("TaskStateExited", new JsonObject { ["name"] = name, ["output"] = Json(output) });
                    return (catcher["Next"]!.GetValue<string>(), output, false);
                }
            }

            throw new ExecutionFailed(error, cause);
        }
    }

    /// <summary>States.ALL matches everything; States.TaskFailed matches every error but States.Timeout.</summary>
    private static bool Matches(JsonArray errorEquals, string error) =>
        errorEquals.Select(e => e!.GetValue<string>()).Any(e => e == error || e == "States.ALL" || (e == "States.TaskFailed" && error != "States.Timeout"));

    private (string? Next, JsonNode? Output, bool End) Exit(string name, string type, JsonObject state, JsonNode? rawInput, JsonNode? result, JsonNode context, bool passThrough = false)
    {
        JsonNode? output;
        if (passThrough)
        {
            output = Select(state, "OutputPath", result, context);
        }
        else
        {
            var combined = state.ContainsKey("ResultPath")
                ? state["ResultPath"] is JsonValue path ? JsonPath.Set(path.GetValue<string>(), rawInput, result) : rawInput?.DeepClone()
                : result;
            output = Select(state, "OutputPath", combined, context);
        }

        Record($"{type}StateExited", new JsonObject { ["name"] = name, ["output"] = Json(output) });
        var end = state["End"]?.GetValue<bool>() ?? false;
        return (end ? null : state["Next"]!.GetValue<string>(), output, end);
    }

    private static JsonNode? Select(JsonObject state, string field, JsonNode? input, JsonNode context)
    {
        if (!state.ContainsKey(field))
        {
            return input;
        }

        return state[field] is JsonValue path ? JsonPath.Get(path.GetValue<string>(), input, context) : new JsonObject();
    }

    /// <summary>Parameters / ResultSelector: keys ending in ".$" take a path or an intrinsic; everything else is copied.</summary>
    private static JsonNode? Template(JsonNode template, JsonNode? input, JsonNode context)
    {
        switch (template)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key.EndsWith(".$", StringComparison.Ordinal))
                    {
                        var expression = value!.GetValue<string>();
                        result[key[..^2]] = Intrinsics.IsCall(expression) ? Intrinsics.Evaluate(expression, input, context) : JsonPath.Get(expression, input, context);
                    }
                    else
                    {
                        result[key] = value is null ? null : Template(value, input, context);
                    }
                }

                return result;
            }

            case JsonArray array:
                return new JsonArray([.. array.Select(item => item is null ? null : Template(item, input, context))]);
            default:
                return template.DeepClone();
        }
    }

    private TimeSpan WaitTime(JsonObject state, JsonNode? input, JsonNode context)
    {
        if (state["Seconds"] is { } seconds)
        {
            return TimeSpan.FromSeconds(Num(seconds));
        }

        if (state["SecondsPath"] is { } secondsPath)
        {
            var value = JsonPath.Get(secondsPath.GetValue<string>(), input, context);
            return value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Num(v) >= 0
                ? TimeSpan.FromSeconds(Num(v))
                : throw new StatesRuntimeException($"SecondsPath '{secondsPath}' does not select a non-negative number");
        }

        var timestamp = state["Timestamp"]?.GetValue<string>() ?? Text(JsonPath.Get(state["TimestampPath"]!.GetValue<string>(), input, context));
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
        {
            throw new StatesRuntimeException($"'{timestamp}' is not an ISO 8601 timestamp");
        }

        var delay = until - _time.GetUtcNow();
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    private static bool Matches(JsonObject rule, JsonNode? input, JsonNode context)
    {
        if (rule["And"] is JsonArray all)
        {
            return all.All(r => Matches(r!.AsObject(), input, context));
        }

        if (rule["Or"] is JsonArray any)
        {
            return any.Any(r => Matches(r!.AsObject(), input, context));
        }

        if (rule["Not"] is JsonObject not)
        {
            return !Matches(not, input, context);
        }

        var variable = rule["Variable"]!.GetValue<string>();
        var present = JsonPath.TryGet(variable, input, context, out var value);
        var (op, operand) = rule.First(kv => kv.Key is not ("Variable" or "Next" or "Comment"));
        if (op.EndsWith("Path", StringComparison.Ordinal) && op != "IsPresent")
        {
            operand = JsonPath.Get(operand!.GetValue<string>(), input, context);
            op = op[..^4];
        }

        if (op == "IsPresent")
        {
            return present == operand!.GetValue<bool>();
        }

        if (!present)
        {
            return false;
        }

        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        return op switch
        {
            "IsNull" => (kind == JsonValueKind.Null) == operand!.GetValue<bool>(),
            "IsString" => (kind == JsonValueKind.String) == operand!.GetValue<bool>(),
            "IsNumeric" => (kind == JsonValueKind.Number) == operand!.GetValue<bool>(),
            "IsBoolean" => (kind is JsonValueKind.True or JsonValueKind.False) == operand!.GetValue<bool>(),
            "IsTimestamp" => (kind == JsonValueKind.String && DateTimeOffset.TryParse(value!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) == operand!.GetValue<bool>(),
            "StringEquals" => kind == JsonValueKind.String && value!.GetValue<string>() == operand!.GetValue<string>(),
            "StringLessThan" => kind == JsonValueKind.String && string.CompareOrdinal(value!.GetValue<string>(), operand!.GetValue<string>()) < 0,
            "StringGreaterThan" => kind == JsonValueKind.String && string.CompareOrdinal(value!.GetValue<string>(), operand!.GetValue<string>()) > 0,
            "StringMatches" => kind == JsonValueKind.String && Regex.IsMatch(value!.GetValue<string>(), "^" + Regex.Escape(operand!.GetValue<string>()).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromSeconds(1)),
            "BooleanEquals" => kind is JsonValueKind.True or JsonValueKind.False && value!.GetValue<bool>() == operand!.GetValue<bool>(),
            "NumericEquals" => kind == JsonValueKind.Number && Num(value) == Num(operand),
            "NumericLessThan" => kind == JsonValueKind.Number && Num(value) < Num(operand),
            "NumericGreaterThan" => kind == JsonValueKind.Number && Num(value) > Num(operand),
            "NumericLessThanEquals" => kind == JsonValueKind.Number && Num(value) <= Num(operand),
            "NumericGreaterThanEquals" => kind == JsonValueKind.Number && Num(value) >= Num(operand),
            _ => CompareTimestamps(op, value, operand),
        };
    }

    private static bool CompareTimestamps(string op, JsonNode? value, JsonNode? operand)
    {
        if (value?.GetValueKind() != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var left)
            || !DateTimeOffset.TryParse(operand!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var right))
        {
            return false;
        }

        return op switch
        {
            "TimestampEquals" => left == right,
            "TimestampLessThan" => left < right,
            "TimestampGreaterThan" => left > right,
            "TimestampLessThanEquals" => left <= right,
            "TimestampGreaterThanEquals" => left >= right,
            _ => throw new StatesRuntimeException($"comparison {op} is not supported"),
        };
    }

#pragma warning disable CA1507 // These are the context object's field names, not this class's members.
    private JsonObject Context(string state, DateTimeOffset entered, int retryCount) => new()
    {
        ["Execution"] = new JsonObject
        {
            ["Id"] = ExecutionArn,
            ["Name"] = Name,
            ["StartTime"] = Timestamp(StartDate),
            ["Input"] = Input?.DeepClone(),
            ["RoleArn"] = "arn:aws:iam::123456789012:role/local",
        },
        ["State"] = new JsonObject { ["Name"] = state, ["EnteredTime"] = Timestamp(entered), ["RetryCount"] = retryCount },
        ["StateMachine"] = new JsonObject { ["Id"] = StateMachineArn, ["Name"] = StateMachineArn.Split(':')[^1] },
    };
#pragma warning restore CA1507

    private void Record(string type, JsonObject? details)
    {
        lock (_gate)
        {
            var id = _history.Count + 1;
            _history.Add(new HistoryEvent(id, id - 1, _time.GetUtcNow(), type, details));
        }
    }

    /// <summary>A JSON number as a double, whatever .NET type backs the node.</summary>
    private static double Num(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.Number ? double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture) : throw new StatesRuntimeException($"'{node?.ToJsonString()}' is not a number");

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString();

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string Timestamp(DateTimeOffset instant) => instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class ExecutionFailed(string error, string? cause) : Exception(cause)
    {
        public string Error { get; } = error;

        public string? Cause { get; } = cause;
    }
}

/// <summary>Runs executions of one definition on one TimeProvider; many at once.</summary>
public sealed class StateMachineRunner(StateMachineDefinition definition, ITaskInvoker invoker, TimeProvider time, Func<double>? random = null, string? stateMachineArn = null)
{
    public string StateMachineArn { get; } = stateMachineArn ?? "arn:aws:states:us-east-1:123456789012:stateMachine:local";

    public Execution StartExecution(string name, JsonNode? input) =>
        new(definition, invoker, time, random ?? Random.Shared.NextDouble, StateMachineArn, name, input);
}
