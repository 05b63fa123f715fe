using System.Globalization;

namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>Options of the runtime loop.</summary>
public sealed record LambdaRuntimeOptions
{
    /// <summary>The handler's token is cancelled this long before the invocation's deadline, so it can stop and the
    /// runtime can still report <see cref="RuntimeErrors.Timeout"/> before Lambda kills the process.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// The custom-runtime loop of the Lambda Runtime API. At init it selects the handler named by <c>_HANDLER</c> (a
/// missing or unknown name, or a factory that throws, is posted to <c>/runtime/init/error</c> and the loop ends);
/// then, until stopped: GET next, set <c>_X_AMZN_TRACE_ID</c>, invoke the handler with a context and a token that is
/// cancelled <see cref="LambdaRuntimeOptions.DeadlineMargin"/> before the deadline, and POST the response or the error.
/// </summary>
public sealed class LambdaRuntime
{
    public const string HandlerVariable = "_HANDLER";
    public const string TraceVariable = "_X_AMZN_TRACE_ID";

    private readonly IRuntimeApiClient _api;
    private readonly IEnvironment _environment;
    private readonly TimeProvider _time;
    private readonly JsonLogger _logger;
    private readonly EmbeddedMetrics _metrics;
    private readonly LambdaRuntimeOptions _options;

    public LambdaRuntime(IRuntimeApiClient api, IEnvironment environment, TimeProvider time, JsonLogger logger, EmbeddedMetrics metrics, LambdaRuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(metrics);
        _api = api;
        _environment = environment;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _options = options ?? new LambdaRuntimeOptions();
        if (_options.DeadlineMargin < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.DeadlineMargin, "the deadline margin cannot be negative");
        }
    }

    /// <summary>
    /// Runs the loop with a registry of handler factories; only the factory <c>_HANDLER</c> names runs, once, at init.
    /// Returns 1 after reporting an init error and 0 when <paramref name="cancellationToken"/> stops it. A failure of the
    /// Runtime API itself (it is unreachable, GET next fails) is thrown: the execution environment is broken.
    /// </summary>
    public Task<int> RunAsync(IReadOnlyDictionary<string, Func<ILambdaHandler>> handlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        return RunAsync(
            name => handlers.TryGetValue(name, out var factory) ? factory() : null,
            () => handlers.Keys,
            cancellationToken);
    }

    /// <summary>
    /// Runs the loop with a function that builds every handler at once (sharing clients); it runs once, at init, and
    /// an exception it throws is an init error. Otherwise as <see cref="RunAsync(IReadOnlyDictionary{string, Func{ILambdaHandler}}, CancellationToken)"/>.
    /// </summary>
    public Task<int> RunAsync(Func<IReadOnlyDictionary<string, ILambdaHandler>> createHandlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createHandlers);
        IReadOnlyDictionary<string, ILambdaHandler>? built = null;
        return RunAsync(
            name => (built ??= createHandlers()).TryGetValue(name, out var handler) ? handler : null,
            () => built?.Keys ?? [],
            cancellationToken);
    }

    private async Task<int> RunAsync(Func<string, ILambdaHandler?> select, Func<IEnumerable<string>> known, CancellationToken cancellationToken)
    {
        var handler = await InitializeAsync(select, known, cancellationToken);
        if (handler is null)
        {
            return 1;
        }

        var functionName = _environment.Get("AWS_LAMBDA_FUNCTION_NAME") ?? _environment.Get(HandlerVariable) ?? string.Empty;
        var memory = int.TryParse(_environment.Get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var mb) ? mb : 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Invocation invocation;
            try
            {
                invocation = await _api.NextAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            await InvokeAsync(handler, invocation, functionName, memory, cancellationToken);
        }

        return 0;
    }

    private async Task<ILambdaHandler?> InitializeAsync(Func<string, ILambdaHandler?> select, Func<IEnumerable<string>> known, CancellationToken cancellationToken)
    {
        var name = _environment.Get(HandlerVariable);
        LambdaError error;
        try
        {
            var handler = string.IsNullOrWhiteSpace(name) ? null : select(name);
            if (handler is not null)
            {
                return handler;
            }

            var hosted = string.Join(", ", known().Order(StringComparer.Ordinal));
            error = new LambdaError(
                RuntimeErrors.HandlerNotFound,
                string.IsNullOrWhiteSpace(name) ? $"{HandlerVariable} is not set; this executable hosts: {hosted}" : $"no handler named '{name}'; this executable hosts: {hosted}");
        }
#pragma warning disable CA1031 // Any failure at init is reported to the Runtime API, whatever its type.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = new LambdaError(RuntimeErrors.TypeOf(ex), _logger.Redact($"handler '{name}' failed to start: {ex.Message}"));
        }

        _logger.Log(LogLevel.Error, error.ErrorMessage, new Dictionary<string, string> { ["errorType"] = error.ErrorType, ["phase"] = "init" });
        await _api.ReportInitErrorAsync(error, cancellationToken);
        return null;
    }

    private async Task InvokeAsync(ILambdaHandler handler, Invocation invocation, string functionName, int memory, CancellationToken stopping)
    {
        _environment.Set(TraceVariable, invocation.TraceId);
        using var scope = _logger.BeginScope(requestId: invocation.RequestId, traceId: invocation.TraceId);
        var context = new LambdaContext(invocation, functionName, memory, _time, _logger, _metrics);
        var budget = invocation.Deadline == DateTimeOffset.MaxValue
            ? Timeout.InfiniteTimeSpan
            : invocation.Deadline - _time.GetUtcNow() - _options.DeadlineMargin;
        using var deadline = new CancellationTokenSource(budget == Timeout.InfiniteTimeSpan || budget > TimeSpan.Zero ? budget : TimeSpan.Zero, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        var response = ReadOnlyMemory<byte>.Empty;
        LambdaError? error = null;
        try
        {
            response = await handler.InvokeAsync(invocation.Payload, context, linked.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The process is shutting down: Lambda no longer waits for this invocation.
            return;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            error = new LambdaError(
                RuntimeErrors.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"the handler was cancelled {_options.DeadlineMargin.TotalMilliseconds:0} ms before the invocation's deadline ({invocation.Deadline.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}) and stopped"));
        }
#pragma warning disable CA1031 // A handler failure of any type is reported to the Runtime API; the loop goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = new LambdaError(RuntimeErrors.TypeOf(ex), _logger.Redact(ex.Message));
        }

        try
        {
            if (error is null)
            {
                await _api.RespondAsync(invocation.RequestId, response, stopping);
                return;
            }

            _logger.Log(LogLevel.Error, error.ErrorMessage, new Dictionary<string, string> { ["errorType"] = error.ErrorType });
            await _api.ReportErrorAsync(invocation.RequestId, error, stopping);
        }
        catch (RuntimeApiException ex)
        {
            // The Runtime API refused the result (e.g. 413, a response over 6 MB): Lambda has already failed the
            // invocation, and the environment can take the next one.
            _logger.Log(LogLevel.Error, ex.Message, new Dictionary<string, string> { ["errorType"] = nameof(RuntimeApiException) });
        }
    }

    private sealed class LambdaContext(Invocation invocation, string functionName, int memory, TimeProvider time, JsonLogger logger, EmbeddedMetrics metrics) : ILambdaContext
    {
        public string AwsRequestId => invocation.RequestId;

        public string InvokedFunctionArn => invocation.InvokedFunctionArn;

        public string FunctionName => functionName;

        public int MemoryLimitInMb => memory;

        public DateTimeOffset Deadline => invocation.Deadline;

        public TimeSpan RemainingTime
        {
            get
            {
                if (invocation.Deadline == DateTimeOffset.MaxValue)
                {
                    return TimeSpan.MaxValue;
                }

                var left = invocation.Deadline - time.GetUtcNow();
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        public string? TraceId => invocation.TraceId;

        public JsonLogger Logger => logger;

        public EmbeddedMetrics Metrics => metrics;
    }
}
