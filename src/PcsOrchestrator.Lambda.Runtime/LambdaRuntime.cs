namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>Options of the runtime loop.</summary>
public sealed record LambdaRuntimeOptions
{
    /// <summary>The handler's token is cancelled this long before the invocation's deadline.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Stop after this many invocations (tests); null runs until cancelled.</summary>
    public int? MaxInvocations { get; init; }
}

/// <summary>
/// The custom-runtime loop of the Lambda Runtime API: at init, select the handler named by <c>_HANDLER</c> (an
/// unknown name, or a factory that throws, is reported as an init error); then forever GET next, invoke with a
/// context whose token is cancelled shortly before the deadline, and POST the response or the error.
/// </summary>
public sealed class LambdaRuntime(IRuntimeApiClient api, IEnvironment environment, TimeProvider time, JsonLogger logger, LambdaRuntimeOptions? options = null)
{
    public const string TimeoutErrorType = "Sandbox.Timedout";
    public const string HandlerNotFoundErrorType = "Runtime.HandlerNotFound";
    public const string InitErrorType = "Runtime.InitError";

    private readonly LambdaRuntimeOptions _options = options ?? new LambdaRuntimeOptions();

    /// <summary>Runs the loop. Returns 1 after reporting an init error, 0 when stopped.</summary>
    public async Task<int> RunAsync(Func<IReadOnlyDictionary<string, ILambdaHandler>> createHandlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createHandlers);
        var name = environment.Get("_HANDLER");
        ILambdaHandler handler;
        try
        {
            var handlers = createHandlers();
            if (string.IsNullOrEmpty(name) || !handlers.TryGetValue(name, out var found))
            {
                var known = string.Join(", ", handlers.Keys.Order(StringComparer.Ordinal));
                await api.ReportInitErrorAsync(new LambdaError(HandlerNotFoundErrorType, $"no handler named '{name}'; this bootstrap hosts: {known}"), cancellationToken);
                return 1;
            }

            handler = found;
        }
#pragma warning disable CA1031 // Any failure at init must be reported to the Runtime API, whatever its type.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.Error($"init failed: {ex.GetType().Name}: {ex.Message}");
            await api.ReportInitErrorAsync(new LambdaError(InitErrorType, $"{ex.GetType().Name}: {ex.Message}"), cancellationToken);
            return 1;
        }

        var functionName = environment.Get("AWS_LAMBDA_FUNCTION_NAME") ?? name!;
        var memory = int.TryParse(environment.Get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var mb) ? mb : 0;
        var count = 0;
        while (!cancellationToken.IsCancellationRequested && (_options.MaxInvocations is null || count < _options.MaxInvocations))
        {
            Invocation invocation;
            try
            {
                invocation = await api.NextAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            count++;
            await InvokeAsync(handler, invocation, functionName, memory, cancellationToken);
        }

        return 0;
    }

    private async Task InvokeAsync(ILambdaHandler handler, Invocation invocation, string functionName, int memory, CancellationToken stopping)
    {
        environment.Set("_X_AMZN_TRACE_ID", invocation.TraceId);
        logger.RequestId = invocation.RequestId;
        logger.TraceId = invocation.TraceId;
        var context = new LambdaContext(invocation, functionName, memory, time, logger);
        var budget = invocation.Deadline == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : invocation.Deadline - time.GetUtcNow() - _options.DeadlineMargin;
        using var deadline = new CancellationTokenSource(budget < TimeSpan.Zero ? TimeSpan.Zero : budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        try
        {
            var response = await handler.InvokeAsync(invocation.Payload, context, linked.Token);
            await api.RespondAsync(invocation.RequestId, response, stopping);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            var message = $"Task timed out: the handler was cancelled {_options.DeadlineMargin.TotalMilliseconds:0} ms before the invocation's deadline";
            logger.Error(message);
            await api.ReportErrorAsync(invocation.RequestId, new LambdaError(TimeoutErrorType, message), stopping);
        }
#pragma warning disable CA1031 // A handler failure of any type is reported to the Runtime API; the loop goes on.
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
#pragma warning restore CA1031
        {
            var type = ex is ILambdaReportedError reported ? reported.ErrorType : ex.GetType().Name;
            logger.Log(LogLevel.Error, ex.Message, new Dictionary<string, string> { ["errorType"] = type });
            await api.ReportErrorAsync(invocation.RequestId, new LambdaError(type, ex.Message), stopping);
        }
        finally
        {
            logger.RequestId = null;
            logger.Execution = null;
            logger.Cluster = null;
        }
    }

    private sealed class LambdaContext(Invocation invocation, string functionName, int memory, TimeProvider time, JsonLogger logger) : ILambdaContext
    {
        public string AwsRequestId => invocation.RequestId;

        public string InvokedFunctionArn => invocation.InvokedFunctionArn;

        public string FunctionName => functionName;

        public int MemoryLimitInMb => memory;

        public DateTimeOffset Deadline => invocation.Deadline;

        public TimeSpan RemainingTime => invocation.Deadline - time.GetUtcNow();

        public string? TraceId => invocation.TraceId;

        public JsonLogger Logger => logger;
    }
}
