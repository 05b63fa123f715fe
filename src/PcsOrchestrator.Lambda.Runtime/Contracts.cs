namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>
/// A Lambda handler: one JSON document in, one out. The runtime creates it once at init (so clients it holds are
/// created once) and reuses it for every invocation of the execution environment.
/// </summary>
public interface ILambdaHandler
{
    /// <param name="payload">The invocation's event, the UTF-8 JSON document the caller sent.</param>
    /// <param name="context">What the runtime knows about this invocation.</param>
    /// <param name="cancellationToken">Cancelled shortly before the invocation's deadline (see <see cref="LambdaRuntimeOptions.DeadlineMargin"/>).</param>
    /// <returns>The UTF-8 JSON document to return to the caller.</returns>
    Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);
}

/// <summary>What the runtime knows about the current invocation.</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }

    string InvokedFunctionArn { get; }

    string FunctionName { get; }

    int MemoryLimitInMb { get; }

    /// <summary>When Lambda stops the invocation (<c>Lambda-Runtime-Deadline-Ms</c>).</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>Time left before <see cref="Deadline"/>, read from the runtime's <see cref="TimeProvider"/>; never negative.</summary>
    TimeSpan RemainingTime { get; }

    /// <summary>The X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), also set as <c>_X_AMZN_TRACE_ID</c>.</summary>
    string? TraceId { get; }

    /// <summary>The JSON-lines logger, already scoped to this invocation's request id and trace id.</summary>
    JsonLogger Logger { get; }

    /// <summary>CloudWatch Embedded Metric Format writer (same stdout as the logger).</summary>
    EmbeddedMetrics Metrics { get; }
}

/// <summary>
/// An exception that names the error type Lambda reports (<c>Lambda-Runtime-Function-Error-Type</c> and the body's
/// <c>errorType</c>), which is what a Step Functions Retry or Catch matches. Any other exception reports its .NET
/// type's short name (<see cref="RuntimeErrors.TypeOf"/>).
/// </summary>
public interface ILambdaReportedError
{
    string ErrorType { get; }
}

/// <summary>An error as the Runtime API receives it: <c>{"errorMessage","errorType","stackTrace":[]}</c>.</summary>
public sealed record LambdaError(string ErrorType, string ErrorMessage);

/// <summary>One invocation as GET next returns it.</summary>
public sealed record Invocation(string RequestId, ReadOnlyMemory<byte> Payload, DateTimeOffset Deadline, string InvokedFunctionArn, string? TraceId);

/// <summary>The Lambda Runtime API (2018-06-01) as the loop uses it; <see cref="RuntimeApiClient"/> speaks HTTP.</summary>
public interface IRuntimeApiClient
{
    /// <summary>GET /runtime/invocation/next: waits (without a timeout) for the next event.</summary>
    Task<Invocation> NextAsync(CancellationToken cancellationToken);

    /// <summary>POST /runtime/invocation/{id}/response.</summary>
    Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken);

    /// <summary>POST /runtime/invocation/{id}/error with <c>Lambda-Runtime-Function-Error-Type</c>.</summary>
    Task ReportErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken);

    /// <summary>POST /runtime/init/error with <c>Lambda-Runtime-Function-Error-Type</c>.</summary>
    Task ReportInitErrorAsync(LambdaError error, CancellationToken cancellationToken);
}

/// <summary>The process environment, behind a seam so tests never read or mutate process-wide state.</summary>
public interface IEnvironment
{
    string? Get(string name);

    void Set(string name, string? value);
}

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    private ProcessEnvironment()
    {
    }

    public static ProcessEnvironment Instance { get; } = new();

    public string? Get(string name) => Environment.GetEnvironmentVariable(name);

    public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, value);
}
