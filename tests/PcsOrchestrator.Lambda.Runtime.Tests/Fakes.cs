using System.Collections.Concurrent;
using System.Text;

namespace PcsOrchestrator.Lambda.Runtime.Tests;

/// <summary>A Runtime API that serves queued invocations, records what the loop posted, and stops the loop when it runs dry.</summary>
internal sealed class FakeRuntimeApi(CancellationTokenSource stop) : IRuntimeApiClient
{
    private readonly Queue<Invocation> _pending = new();

    public List<string> Calls { get; } = [];

    public Dictionary<string, string> Responses { get; } = [];

    public Dictionary<string, LambdaError> Errors { get; } = [];

    public List<LambdaError> InitErrors { get; } = [];

    public void Enqueue(Invocation invocation) => _pending.Enqueue(invocation);

    public Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        Calls.Add("next");
        if (_pending.TryDequeue(out var invocation))
        {
            return Task.FromResult(invocation);
        }

        stop.Cancel();
        return Task.FromCanceled<Invocation>(stop.Token);
    }

    public Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        Calls.Add($"response {requestId}");
        Responses[requestId] = Encoding.UTF8.GetString(response.Span);
        return Task.CompletedTask;
    }

    public Task ReportErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken)
    {
        Calls.Add($"error {requestId}");
        Errors[requestId] = error;
        return Task.CompletedTask;
    }

    public Task ReportInitErrorAsync(LambdaError error, CancellationToken cancellationToken)
    {
        Calls.Add("init error");
        InitErrors.Add(error);
        return Task.CompletedTask;
    }
}

internal sealed class FakeEnvironment(Dictionary<string, string?> values) : IEnvironment
{
    public ConcurrentQueue<(string Name, string? Value)> Writes { get; } = new();

    public string? Get(string name) => values.GetValueOrDefault(name);

    public void Set(string name, string? value)
    {
        Writes.Enqueue((name, value));
        values[name] = value;
    }
}

/// <summary>A handler built from a delegate.</summary>
internal sealed class DelegateHandler(Func<ReadOnlyMemory<byte>, ILambdaContext, CancellationToken, Task<ReadOnlyMemory<byte>>> invoke) : ILambdaHandler
{
    public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
        invoke(payload, context, cancellationToken);
}

internal sealed class ThrottledException(string message) : Exception(message), ILambdaReportedError
{
    public ThrottledException()
        : this("throttled")
    {
    }

    public ThrottledException(string message, Exception inner)
        : this(message + inner.Message)
    {
    }

    public string ErrorType => "PcsThrottled";
}
