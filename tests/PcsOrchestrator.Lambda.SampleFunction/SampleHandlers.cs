using System.Text.Json;
using PcsOrchestrator.Lambda.Runtime;

namespace PcsOrchestrator.Lambda.SampleFunction;

/// <summary>The sample handlers, by name.</summary>
public static class SampleHandlers
{
    public const string InitFailVariable = "SAMPLE_INIT_FAIL";

    public static IReadOnlyDictionary<string, Func<ILambdaHandler>> Registry(IEnvironment environment) =>
        new Dictionary<string, Func<ILambdaHandler>>(StringComparer.Ordinal)
        {
            ["echo"] = () => Create(environment, () => new Echo()),
            ["fail"] = () => Create(environment, () => new Fail()),
            ["sleep"] = () => Create(environment, () => new Sleep()),
            ["crash"] = () => Create(environment, () => new Crash()),
            ["context"] = () => Create(environment, () => new ContextReport(environment)),
        };

    private static ILambdaHandler Create(IEnvironment environment, Func<ILambdaHandler> create) =>
        environment.Get(InitFailVariable) == "1"
            ? throw new SampleInitException($"{InitFailVariable}=1: refusing to start")
            : create();

    /// <summary>Returns the payload unchanged.</summary>
    private sealed class Echo : ILambdaHandler
    {
        public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            Task.FromResult(payload);
    }

    /// <summary><c>{"errorType":"X","message":"m"}</c> throws an error of type X; without errorType, an InvalidOperationException.</summary>
    private sealed class Fail : ILambdaHandler
    {
        public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            using var document = JsonDocument.Parse(payload);
            var message = String(document, "message") ?? "sample failure";
            var type = String(document, "errorType");
            throw type is null ? new InvalidOperationException(message) : new SampleFailureException(type, message);
        }
    }

    /// <summary><c>{"ms":N,"ignoreCancellation":bool}</c> waits N ms (honouring the token unless told not to), then returns <c>{"slept":N}</c>.</summary>
    private sealed class Sleep : ILambdaHandler
    {
        public async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            using var document = JsonDocument.Parse(payload);
            var ms = document.RootElement.GetProperty("ms").GetInt32();
            var ignore = document.RootElement.TryGetProperty("ignoreCancellation", out var flag) && flag.GetBoolean();
            await Task.Delay(ms, ignore ? CancellationToken.None : cancellationToken);
            return Json(w => w.WriteNumber("slept", ms));
        }
    }

    /// <summary><c>{"exitCode":N}</c> ends the process at once with that code (default 3), as a crash would.</summary>
    private sealed class Crash : ILambdaHandler
    {
        public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            using var document = JsonDocument.Parse(payload);
            var code = document.RootElement.TryGetProperty("exitCode", out var value) ? value.GetInt32() : 3;
            context.Logger.Error($"crashing with exit code {code}");
            Environment.Exit(code);
            return Task.FromResult(ReadOnlyMemory<byte>.Empty);
        }
    }

    /// <summary>Reports what the runtime gave this invocation, and the process id (to tell a fresh process from a reused one).</summary>
    private sealed class ContextReport(IEnvironment environment) : ILambdaHandler
    {
        public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            context.Logger.Info("reporting the context");
            return Task.FromResult(Json(w =>
            {
                w.WriteString("requestId", context.AwsRequestId);
                w.WriteString("functionArn", context.InvokedFunctionArn);
                w.WriteString("functionName", context.FunctionName);
                w.WriteNumber("memoryMb", context.MemoryLimitInMb);
                w.WriteNumber("remainingMs", (long)context.RemainingTime.TotalMilliseconds);
                w.WriteString("traceId", context.TraceId);
                w.WriteString("traceVariable", environment.Get(LambdaRuntime.TraceVariable));
                w.WriteString("region", environment.Get("AWS_REGION"));
                w.WriteString("custom", environment.Get("SAMPLE_SETTING"));
                w.WriteNumber("processId", Environment.ProcessId);
            }));
        }
    }

    private static string? String(JsonDocument document, string name) =>
        document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static ReadOnlyMemory<byte> Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>A failure whose error type the caller chooses.</summary>
public sealed class SampleFailureException : Exception, ILambdaReportedError
{
    public SampleFailureException(string errorType, string message)
        : base(message) => ErrorType = errorType;

    public SampleFailureException()
        : this("SampleFailure", "sample failure")
    {
    }

    public SampleFailureException(string message)
        : this("SampleFailure", message)
    {
    }

    public SampleFailureException(string message, Exception innerException)
        : base(message, innerException) => ErrorType = "SampleFailure";

    public string ErrorType { get; }
}

/// <summary>Thrown by every factory when <c>SAMPLE_INIT_FAIL=1</c>.</summary>
public sealed class SampleInitException : Exception, ILambdaReportedError
{
    public SampleInitException()
    {
    }

    public SampleInitException(string message)
        : base(message)
    {
    }

    public SampleInitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string ErrorType => "SampleInitFailed";
}
