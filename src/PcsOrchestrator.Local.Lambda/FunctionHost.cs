using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PcsOrchestrator.Local.Lambda;

/// <summary>
/// One function: its Runtime API listener (the process's <c>AWS_LAMBDA_RUNTIME_API</c>) and at most one execution
/// environment (process), started on demand. Invocations are serialized, as in one Lambda execution environment.
/// A process that exits during an invocation, posts an init error, or passes its timeout is killed (with its tree)
/// and the next invocation starts a fresh one.
/// </summary>
internal sealed class FunctionHost : IAsyncDisposable
{
    internal const int MaxResponseBytes = 6 * 1024 * 1024;
    private const string RuntimePrefix = "/2018-06-01/runtime";

    private readonly LambdaFunctionOptions _function;
    private readonly LambdaEmulatorOptions _options;
    private readonly WebApplication _api;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _outputGate = new();
    private readonly Queue<string> _recentOutput = new();
    private ExecutionEnvironment? _environment;
    private PendingInvocation? _current;
    private int _generation;
    private bool _disposed;

    private FunctionHost(LambdaFunctionOptions function, LambdaEmulatorOptions options, WebApplication api)
    {
        _function = function;
        _options = options;
        _api = api;
    }

    public string Name => _function.Name;

    public string FunctionArn => $"arn:aws:lambda:{_options.Region}:{_options.AccountId}:function:{_function.Name}";

    /// <summary>host:port of this function's Runtime API.</summary>
    public string RuntimeApiAddress { get; private set; } = string.Empty;

    /// <summary>The id of the running process, if one is running.</summary>
    public int? ProcessId => _environment is { Exited.IsCompleted: false } environment ? environment.ProcessId : null;

    public static async Task<FunctionHost> StartAsync(LambdaFunctionOptions function, LambdaEmulatorOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = 4L * MaxResponseBytes;
        });
        var app = builder.Build();
        var host = new FunctionHost(function, options, app);
        app.MapGet(RuntimePrefix + "/invocation/next", host.NextAsync);
        app.MapPost(RuntimePrefix + "/invocation/{requestId}/response", host.ResponseAsync);
        app.MapPost(RuntimePrefix + "/invocation/{requestId}/error", host.ErrorAsync);
        app.MapPost(RuntimePrefix + "/init/error", host.InitErrorAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        host.RuntimeApiAddress = new Uri(address).Authority;
        return host;
    }

    public IReadOnlyList<string> RecentOutput()
    {
        lock (_outputGate)
        {
            return [.. _recentOutput];
        }
    }

    public async Task<LambdaInvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, string? traceId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ExecutionEnvironment environment;
            try
            {
                environment = await EnsureEnvironmentAsync();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                // Lambda's answer when the bootstrap is missing or not executable.
                return new LambdaInvocationResult(Guid.NewGuid().ToString(), Error("Runtime.InvalidEntrypoint", $"cannot start {_function.Command}: {ex.Message}"), LambdaInvocationResult.Unhandled);
            }

            var invocation = new PendingInvocation(Guid.NewGuid().ToString(), payload, traceId ?? NewTraceId(_options.Time));
            Volatile.Write(ref _current, invocation);
            environment.Next.Writer.TryWrite(invocation);
            try
            {
                var outcome = await AwaitOutcomeAsync(environment, invocation, cancellationToken);
                var report = invocation.Report(environment);
                if (report is not null)
                {
                    // The line Lambda writes to the function's log stream after every invocation.
                    Output(string.Create(CultureInfo.InvariantCulture,
                        $"REPORT RequestId: {invocation.RequestId}\tDuration: {report.Duration.TotalMilliseconds:0.00} ms\t{(report.InitDuration is { } init ? $"Init Duration: {init.TotalMilliseconds:0.00} ms\t" : string.Empty)}Memory Size: {_function.MemoryMb} MB\tMax Memory Used: {(report.MaxMemoryUsedBytes ?? 0) / (1024 * 1024)} MB"));
                }

                return new LambdaInvocationResult(invocation.RequestId, outcome.Body, outcome.IsError ? LambdaInvocationResult.Unhandled : null)
                {
                    Report = report,
                };
            }
            finally
            {
                Volatile.Write(ref _current, null);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Refuses new invocations and kills the running process (an invocation in flight fails as Runtime.ExitError).</summary>
    public async Task ShutdownAsync()
    {
        _disposed = true;
        if (Volatile.Read(ref _environment) is { } environment)
        {
            await environment.KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync();
        await _gate.WaitAsync();
        try
        {
            if (_environment is { } environment)
            {
                await environment.KillAsync();
                _environment = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        await _api.StopAsync();
        await _api.DisposeAsync();
    }

    private async Task<Outcome> AwaitOutcomeAsync(ExecutionEnvironment environment, PendingInvocation invocation, CancellationToken cancellationToken)
    {
        var time = _options.Time;
        using var waits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // Init: the process must ask for the invocation (GET next) within the init timeout, or fail trying.
            var initTimeout = Task.Delay(_options.InitTimeout, time, waits.Token);
            await Task.WhenAny(invocation.Dispatched.Task, invocation.Completed.Task, environment.Exited, initTimeout);
            if (!invocation.Dispatched.Task.IsCompleted && !invocation.Completed.Task.IsCompleted)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return await FailAsync(environment, invocation, environment.Exited.IsCompleted
                    ? ExitError(invocation, environment)
                    : Error("Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: Init timed out after {Seconds(_options.InitTimeout)} seconds"));
            }

            // Invoke: the response or error must arrive before the deadline.
            var left = invocation.Deadline - time.GetUtcNow();
            var timeout = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, waits.Token);
            await Task.WhenAny(invocation.Completed.Task, environment.Exited, timeout);
            if (invocation.Completed.Task.IsCompleted)
            {
                var outcome = await invocation.Completed.Task;
                if (environment.InitFailed)
                {
                    // Lambda discards an environment whose init failed; the next invocation initializes a new one.
                    await RetireAsync(environment);
                }

                return outcome;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return await FailAsync(environment, invocation, environment.Exited.IsCompleted
                ? ExitError(invocation, environment)
                : Error("Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: Task timed out after {Seconds(_function.Timeout)} seconds"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: this environment is still busy with the invocation, so replace it.
            await RetireAsync(environment);
            throw;
        }
        finally
        {
            await waits.CancelAsync();
        }
    }

    private async Task<Outcome> FailAsync(ExecutionEnvironment environment, PendingInvocation invocation, byte[] error)
    {
        invocation.Completed.TrySetResult(new Outcome(true, error));
        await RetireAsync(environment);
        return new Outcome(true, error);
    }

    private async Task RetireAsync(ExecutionEnvironment environment)
    {
        await environment.KillAsync();
        if (ReferenceEquals(_environment, environment))
        {
            _environment = null;
        }
    }

    private static byte[] ExitError(PendingInvocation invocation, ExecutionEnvironment environment) =>
        Error("Runtime.ExitError", $"RequestId: {invocation.RequestId} Error: Runtime exited with error: {ExitDescription(environment.ExitCode)}");

    private async Task<ExecutionEnvironment> EnsureEnvironmentAsync()
    {
        if (_environment is { } current)
        {
            if (!current.Exited.IsCompleted)
            {
                return current;
            }

            await current.KillAsync();
        }

        _environment = null;
        _generation++;
        var environment = new ExecutionEnvironment(CreateProcess(), _generation);
        _environment = environment;
        try
        {
            environment.Start();
        }
        catch
        {
            _environment = null;
            environment.Process.Dispose();
            throw;
        }

        return environment;
    }

    private Process CreateProcess()
    {
        var start = new ProcessStartInfo(_function.Command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = _function.WorkingDirectory ?? Path.GetDirectoryName(Path.GetFullPath(_function.Command)) ?? Environment.CurrentDirectory,
        };
        foreach (var argument in _function.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var name in _options.InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in _function.Environment)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in ReservedVariables(start.WorkingDirectory))
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Output(e.Data);
        process.ErrorDataReceived += (_, e) => Output(e.Data);
        return process;
    }

    private Dictionary<string, string> ReservedVariables(string taskRoot) => new(StringComparer.Ordinal)
    {
        ["AWS_LAMBDA_RUNTIME_API"] = RuntimeApiAddress,
        ["_HANDLER"] = _function.Handler ?? _function.Name,
        ["AWS_LAMBDA_FUNCTION_NAME"] = _function.Name,
        ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
        ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = _function.MemoryMb.ToString(CultureInfo.InvariantCulture),
        ["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{_function.Name}",
        ["AWS_LAMBDA_LOG_STREAM_NAME"] = $"local/[$LATEST]{_generation}",
        ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
        ["AWS_EXECUTION_ENV"] = "AWS_Lambda_provided.al2023",
        ["AWS_REGION"] = _options.Region,
        ["AWS_DEFAULT_REGION"] = _options.Region,
        ["AWS_ACCESS_KEY_ID"] = _options.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = _options.SecretAccessKey,
        ["AWS_SESSION_TOKEN"] = _options.SessionToken,
        ["LAMBDA_TASK_ROOT"] = taskRoot,
        ["LAMBDA_RUNTIME_DIR"] = taskRoot,
        ["TZ"] = ":UTC",
    };

    private void Output(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            _recentOutput.Enqueue(line);
            while (_recentOutput.Count > 200)
            {
                _recentOutput.Dequeue();
            }
        }

        _options.OnFunctionOutput?.Invoke(_function.Name, line);
    }

    // ---- the Runtime API, as the function process sees it ----
    private async Task NextAsync(HttpContext http)
    {
        var environment = _environment;
        if (environment is null)
        {
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        PendingInvocation invocation;
        try
        {
            invocation = await environment.Next.Reader.ReadAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            http.Abort();
            return;
        }

        invocation.Deadline = _options.Time.GetUtcNow() + _function.Timeout;
        invocation.DispatchedAt = Stopwatch.GetTimestamp();
        if (environment.FirstNextAt == 0)
        {
            environment.FirstNextAt = invocation.DispatchedAt;
            invocation.StartedEnvironment = true;
        }

        invocation.Dispatched.TrySetResult();
        var headers = http.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = invocation.Payload.Length;
        await http.Response.Body.WriteAsync(invocation.Payload, http.RequestAborted);
    }

    private async Task ResponseAsync(HttpContext http, string requestId)
    {
        if (!TryCurrent(requestId, out var invocation))
        {
            await WriteRuntimeErrorAsync(http, StatusCodes.Status400BadRequest, "InvalidRequestID", $"no invocation {requestId} is in progress");
            return;
        }

        var body = await ReadBodyAsync(http.Request, MaxResponseBytes);
        if (body is null)
        {
            invocation.Completed.TrySetResult(new Outcome(true, Error(
                "Function.ResponseSizeTooLarge",
                $"Response payload size exceeded maximum allowed payload size ({MaxResponseBytes} bytes).")));
            await WriteRuntimeErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).");
            return;
        }

        invocation.Answered(_environment);
        invocation.Completed.TrySetResult(new Outcome(false, body));
        await WriteAcceptedAsync(http);
    }

    private async Task ErrorAsync(HttpContext http, string requestId)
    {
        if (!TryCurrent(requestId, out var invocation))
        {
            await WriteRuntimeErrorAsync(http, StatusCodes.Status400BadRequest, "InvalidRequestID", $"no invocation {requestId} is in progress");
            return;
        }

        var error = await ReadErrorDocumentAsync(http);
        invocation.Answered(_environment);
        invocation.Completed.TrySetResult(new Outcome(true, error));
        await WriteAcceptedAsync(http);
    }

    private async Task InitErrorAsync(HttpContext http)
    {
        var error = await ReadErrorDocumentAsync(http);
        if (_environment is { } environment)
        {
            environment.InitFailed = true;
        }

        Volatile.Read(ref _current)?.Completed.TrySetResult(new Outcome(true, error));
        await WriteAcceptedAsync(http);
    }

    private bool TryCurrent(string requestId, out PendingInvocation invocation)
    {
        invocation = Volatile.Read(ref _current)!;
        return invocation is not null && invocation.RequestId == requestId && invocation.Dispatched.Task.IsCompleted;
    }

    /// <summary>The error document as posted, or one built from the header and the text when the body is not a JSON object.</summary>
    private static async Task<byte[]> ReadErrorDocumentAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http.Request, MaxResponseBytes) ?? [];
        var type = http.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return body;
            }
        }
        catch (JsonException)
        {
        }

        return Error(string.IsNullOrEmpty(type) ? "Runtime.Unknown" : type, Encoding.UTF8.GetString(body));
    }

    /// <summary>Reads the body, or returns null when it is longer than <paramref name="limit"/> (the rest is drained).</summary>
    internal static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            await request.Body.CopyToAsync(Stream.Null);
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await request.Body.CopyToAsync(Stream.Null);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Task WriteAcceptedAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status202Accepted;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync("{\"status\":\"OK\"}");
    }

    private static Task WriteRuntimeErrorAsync(HttpContext http, int status, string type, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(Error(type, message)).AsTask();
    }

    /// <summary>A Lambda error document: <c>{"errorMessage":..,"errorType":..}</c>.</summary>
    internal static byte[] Error(string type, string message)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("errorMessage", message);
            w.WriteString("errorType", type);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>How Lambda words a runtime's exit: <c>exit status 3</c>, or <c>signal: killed</c> for a signal (128 + n).</summary>
    internal static string ExitDescription(int exitCode) => exitCode switch
    {
        134 => "signal: aborted (core dumped)",
        137 => "signal: killed",
        139 => "signal: segmentation fault",
        143 => "signal: terminated",
        _ => $"exit status {exitCode}",
    };

    /// <summary>An X-Ray trace header: Root=1-{epoch seconds hex}-{96 random bits};Parent={64 random bits};Sampled=0.</summary>
    private static string NewTraceId(TimeProvider time) =>
        string.Create(CultureInfo.InvariantCulture, $"Root=1-{time.GetUtcNow().ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))};Parent={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))};Sampled=0");

    private readonly record struct Outcome(bool IsError, byte[] Body);

    private sealed class PendingInvocation(string requestId, ReadOnlyMemory<byte> payload, string traceId)
    {
        public string RequestId { get; } = requestId;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public string TraceId { get; } = traceId;

        public DateTimeOffset Deadline { get; set; }

        /// <summary>Stopwatch timestamps: when GET next handed the event over, and when the answer came back.</summary>
        public long DispatchedAt { get; set; }

        public long AnsweredAt { get; private set; }

        public long PeakRssBytes { get; private set; }

        /// <summary>Whether this invocation's GET next was its environment's first (a cold start).</summary>
        public bool StartedEnvironment { get; set; }

        /// <summary>The answer arrived: note the time and the process's peak resident set so far (Lambda's Max Memory Used).</summary>
        public void Answered(ExecutionEnvironment? environment)
        {
            AnsweredAt = Stopwatch.GetTimestamp();
            PeakRssBytes = environment?.PeakRssBytes() ?? 0;
        }

        public InvocationReport? Report(ExecutionEnvironment environment) => AnsweredAt == 0 ? null : new InvocationReport(
            Stopwatch.GetElapsedTime(DispatchedAt, AnsweredAt),
            StartedEnvironment ? Stopwatch.GetElapsedTime(environment.StartedAt, environment.FirstNextAt) : null,
            PeakRssBytes == 0 ? null : PeakRssBytes);

        public TaskCompletionSource Dispatched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Outcome> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One process and the queue its GET next reads; a new process gets a new queue, so a dying process never takes the next one's invocation.</summary>
    private sealed class ExecutionEnvironment
    {
        private int _killed;

        public ExecutionEnvironment(Process process, int generation)
        {
            Process = process;
            Generation = generation;
        }

        public Process Process { get; }

        public int Generation { get; }

        public int ProcessId { get; private set; }

        public Channel<PendingInvocation> Next { get; } = Channel.CreateUnbounded<PendingInvocation>();

        public Task Exited { get; private set; } = Task.CompletedTask;

        /// <summary>Stopwatch timestamps of the process start and of its first GET next (0 until then): the init.</summary>
        public long StartedAt { get; private set; }

        public long FirstNextAt { get; set; }

        public void Start()
        {
            StartedAt = Stopwatch.GetTimestamp();
            Process.Start();
            ProcessId = Process.Id;
            Exited = RecordExitAsync();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public bool InitFailed { get; set; }

        /// <summary>The process's peak resident set size (VmHWM in /proc) in bytes, or 0 where that is not readable.</summary>
        public long PeakRssBytes()
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                        return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // Not Linux, or the process is gone.
            }

            return 0;
        }

        /// <summary>The exit code, once <see cref="Exited"/> has completed.</summary>
        public int ExitCode { get; private set; }

        private async Task RecordExitAsync()
        {
            await Process.WaitForExitAsync();
            ExitCode = Process.ExitCode;
        }

        /// <summary>Kills the process and everything it started, and waits for it to be gone.</summary>
        public async Task KillAsync()
        {
            if (Interlocked.Exchange(ref _killed, 1) == 1)
            {
                await Exited.WaitAsync(TimeSpan.FromSeconds(30));
                return;
            }

            Next.Writer.TryComplete();
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }

            await Exited.WaitAsync(TimeSpan.FromSeconds(30));
            Process.Dispose();
        }
    }
}
