namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>A Lambda handler: one JSON document in, one out. Created once at init and reused for every invocation.</summary>
public interface ILambdaHandler
{
    Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);
}

/// <summary>What the runtime knows about the current invocation.</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }

    string InvokedFunctionArn { get; }

    string FunctionName { get; }

    int MemoryLimitInMb { get; }

    DateTimeOffset Deadline { get; }

    /// <summary>Time left before Lambda stops the invocation.</summary>
    TimeSpan RemainingTime { get; }

    string? TraceId { get; }

    JsonLogger Logger { get; }
}

/// <summary>
/// An exception that names the error type Lambda reports (<c>Lambda-Runtime-Function-Error-Type</c>), which is what a
/// Step Functions Retry or Catch matches. Any other exception reports its .NET type's short name.
/// </summary>
public interface ILambdaReportedError
{
    string ErrorType { get; }
}

/// <summary>An error as the Runtime API receives it.</summary>
public sealed record LambdaError(string ErrorType, string ErrorMessage);

/// <summary>One invocation as GET next returns it.</summary>
public sealed record Invocation(string RequestId, ReadOnlyMemory<byte> Payload, DateTimeOffset Deadline, string InvokedFunctionArn, string? TraceId);

/// <summary>The Lambda Runtime API (2018-06-01) as the loop uses it; <see cref="RuntimeApiClient"/> speaks HTTP.</summary>
public interface IRuntimeApiClient
{
    Task<Invocation> NextAsync(CancellationToken cancellationToken);

    Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken);

    Task ReportErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken);

    Task ReportInitErrorAsync(LambdaError error, CancellationToken cancellationToken);
}

/// <summary>The process environment, behind a seam so tests never mutate process-wide state.</summary>
public interface IEnvironment
{
    string? Get(string name);

    void Set(string name, string? value);
}

public sealed class ProcessEnvironment : IEnvironment
{
    public static ProcessEnvironment Instance { get; } = new();

    public string? Get(string name) => Environment.GetEnvironmentVariable(name);

    public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, value);
}
