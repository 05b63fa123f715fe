using System.Text.Json;

namespace PcsOrchestrator.Local.Lambda;

/// <summary>
/// The outcome of one RequestResponse invocation, as Lambda's Invoke returns it: the payload (the function's response,
/// or its error document) and, for a failed invocation, <c>FunctionError = "Unhandled"</c>.
/// </summary>
public sealed record LambdaInvocationResult(string RequestId, ReadOnlyMemory<byte> Payload, string? FunctionError)
{
    public const string Unhandled = "Unhandled";

    /// <summary>What Lambda's REPORT line says about the invocation (absent when the function never answered).</summary>
    public InvocationReport? Report { get; init; }

    public bool IsError => FunctionError is not null;

    /// <summary>The error document's <c>errorType</c> (what a Retry/Catch matches), or null for a success.</summary>
    public string? ErrorType => IsError ? ErrorMember("errorType") : null;

    /// <summary>The error document's <c>errorMessage</c>, or null for a success.</summary>
    public string? ErrorMessage => IsError ? ErrorMember("errorMessage") : null;

    private string? ErrorMember(string name)
    {
        try
        {
            using var document = JsonDocument.Parse(Payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// The figures of Lambda's REPORT log line: <see cref="Duration"/> from the event's hand-over (GET next) to the answer,
/// <see cref="InitDuration"/> from the process start to its first GET next (only on the invocation that started the
/// environment), and <see cref="MaxMemoryUsedBytes"/>, the process's peak resident set when it answered (Linux).
/// </summary>
public sealed record InvocationReport(TimeSpan Duration, TimeSpan? InitDuration, long? MaxMemoryUsedBytes);

/// <summary>No function of that name is configured (Invoke answers 404 ResourceNotFoundException).</summary>
public sealed class LambdaFunctionNotFoundException : Exception
{
    public LambdaFunctionNotFoundException()
    {
    }

    public LambdaFunctionNotFoundException(string message)
        : base(message)
    {
    }

    public LambdaFunctionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The payload is larger than Lambda's 6 MB synchronous limit (Invoke answers 413 RequestTooLargeException).</summary>
public sealed class LambdaRequestTooLargeException : Exception
{
    public LambdaRequestTooLargeException()
    {
    }

    public LambdaRequestTooLargeException(string message)
        : base(message)
    {
    }

    public LambdaRequestTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The payload is not JSON (Invoke answers 400 InvalidRequestContentException).</summary>
public sealed class LambdaInvalidRequestContentException : Exception
{
    public LambdaInvalidRequestContentException()
    {
    }

    public LambdaInvalidRequestContentException(string message)
        : base(message)
    {
    }

    public LambdaInvalidRequestContentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
