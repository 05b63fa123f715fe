using System.Text;
using System.Text.Json.Nodes;
using PcsOrchestrator.Lambda.Runtime;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Local;

/// <summary>
/// Runs the state machine's Task states against the real handlers in this process, the way Lambda would: the payload
/// goes in as UTF-8 JSON, a handler's failure comes back with its errorType and the Lambda error document as cause.
/// </summary>
public sealed class InProcessFunctions(IReadOnlyDictionary<string, ILambdaHandler> handlersByFunction, TimeProvider time, JsonLogger logger, EmbeddedMetrics metrics) : ITaskInvoker
{
    private long _invocations;

    public long Invocations => Interlocked.Read(ref _invocations);

    /// <summary>
    /// Fault injection: called after a handler answered; true loses the answer, as when the execution environment dies
    /// after the work is done (Step Functions sees Lambda.Unknown and may retry the Task: the step runs again).
    /// </summary>
    public Func<TaskInvocation, bool>? LoseAnswer { get; init; }

    public async Task<JsonNode?> InvokeAsync(TaskInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var function = ResourceRouter.FunctionName(invocation.Resource) ?? invocation.Resource;
        if (!handlersByFunction.TryGetValue(function, out var handler))
        {
            throw new TaskFailedException("Lambda.ResourceNotFoundException", $"Function not found: {invocation.Resource}");
        }

        Interlocked.Increment(ref _invocations);
        var payload = Encoding.UTF8.GetBytes(invocation.Input?.ToJsonString() ?? "null");
        var context = new Context(invocation.Resource, function, time.GetUtcNow().AddSeconds(60), time, logger, metrics);
        try
        {
            var response = await handler.InvokeAsync(payload, context, cancellationToken);
            if (LoseAnswer?.Invoke(invocation) == true)
            {
                throw new TaskFailedException("Lambda.Unknown", """{"errorType":"Runtime.ExitError","errorMessage":"the execution environment exited after the handler answered (fault injected)"}""");
            }

            return JsonNode.Parse(response.Span);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or TaskFailedException))
        {
            var type = RuntimeErrors.TypeOf(ex);
            var document = Encoding.UTF8.GetString(RuntimeApiClient.ErrorDocument(new LambdaError(type, ex.Message)));
            throw new TaskFailedException(type, document);
        }
    }

    private sealed class Context(string arn, string function, DateTimeOffset deadline, TimeProvider time, JsonLogger logger, EmbeddedMetrics metrics) : ILambdaContext
    {
        public string AwsRequestId { get; } = Guid.NewGuid().ToString();

        public string InvokedFunctionArn => arn;

        public string FunctionName => function;

        public int MemoryLimitInMb => 256;

        public DateTimeOffset Deadline => deadline;

        public TimeSpan RemainingTime => deadline - time.GetUtcNow() is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

        public string? TraceId => null;

        public JsonLogger Logger => logger;

        public EmbeddedMetrics Metrics => metrics;
    }
}
