using System.Net;
using System.Text.Json;
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
/// A local stand-in for Lambda: the Invoke API (<c>POST /2015-03-31/functions/{name}/invocations</c>) on 127.0.0.1,
/// and for every function a Runtime API listener that its real <c>bootstrap</c> process talks to, as in Lambda. Start
/// it with <see cref="StartAsync"/>; disposing it kills every process it started.
/// </summary>
public sealed class LambdaEmulator : IAsyncDisposable
{
    /// <summary>Lambda's limit on a synchronous invocation's request and response payloads: 6 MB.</summary>
    public const int MaxPayloadBytes = FunctionHost.MaxResponseBytes;

    private readonly Dictionary<string, FunctionHost> _functions;
    private readonly LambdaEmulatorOptions _options;
    private WebApplication? _invokeApi;
    private int _disposed;

    private LambdaEmulator(LambdaEmulatorOptions options, Dictionary<string, FunctionHost> functions)
    {
        _options = options;
        _functions = functions;
    }

    /// <summary>The Invoke API's base address, e.g. <c>http://127.0.0.1:40123/</c> (the AWS CLI's <c>--endpoint-url</c>).</summary>
    public Uri InvokeEndpoint { get; private set; } = null!;

    public IReadOnlyCollection<string> FunctionNames => _functions.Keys;

    public static async Task<LambdaEmulator> StartAsync(LambdaEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var functions = new Dictionary<string, FunctionHost>(StringComparer.Ordinal);
        var emulator = new LambdaEmulator(options, functions);
        try
        {
            foreach (var function in options.Functions)
            {
                functions.Add(function.Name, await FunctionHost.StartAsync(function, options, cancellationToken));
            }

            emulator._invokeApi = await StartInvokeApiAsync(emulator, options.InvokePort, cancellationToken);
            var address = emulator._invokeApi.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            emulator.InvokeEndpoint = new Uri(address.EndsWith('/') ? address : address + "/");
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Invokes a function synchronously (RequestResponse), as the Invoke API does, for in-process callers such as the
    /// local state-machine runner. A function error is a result with <see cref="LambdaInvocationResult.FunctionError"/> set.
    /// </summary>
    /// <exception cref="LambdaFunctionNotFoundException">No function of that name (or ARN) is configured.</exception>
    /// <exception cref="LambdaRequestTooLargeException">The payload is larger than 6 MB.</exception>
    /// <exception cref="LambdaInvalidRequestContentException">The payload is not JSON.</exception>
    public Task<LambdaInvocationResult> InvokeAsync(string functionName, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        InvokeAsync(functionName, payload, traceId: null, cancellationToken);

    /// <summary>The id of the function's running process, or null when none runs (none started yet, or it was replaced).</summary>
    public int? ProcessIdOf(string functionName) => Find(functionName).ProcessId;

    /// <summary>The last lines (up to 200) the function's processes wrote to stdout and stderr.</summary>
    public IReadOnlyList<string> RecentOutputOf(string functionName) => Find(functionName).RecentOutput();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Kill every process first, so invocations in flight end and the listeners can stop at once.
        foreach (var function in _functions.Values)
        {
            await function.ShutdownAsync();
        }

        if (_invokeApi is not null)
        {
            await _invokeApi.StopAsync();
            await _invokeApi.DisposeAsync();
        }

        foreach (var function in _functions.Values)
        {
            await function.DisposeAsync();
        }
    }

    private async Task<LambdaInvocationResult> InvokeAsync(string functionName, ReadOnlyMemory<byte> payload, string? traceId, CancellationToken cancellationToken)
    {
        var function = Find(functionName);
        if (payload.Length > MaxPayloadBytes)
        {
            throw new LambdaRequestTooLargeException($"Request must be smaller than {MaxPayloadBytes} bytes for the InvokeFunction operation");
        }

        if (!IsJson(payload.Span))
        {
            throw new LambdaInvalidRequestContentException("Could not parse request body into json: the payload is not a JSON document");
        }

        return await function.InvokeAsync(payload, traceId, cancellationToken);
    }

    private FunctionHost Find(string functionName)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return _functions.TryGetValue(NameOf(functionName), out var function)
            ? function
            : throw new LambdaFunctionNotFoundException($"Function not found: arn:aws:lambda:{_options.Region}:{_options.AccountId}:function:{functionName}");
    }

    /// <summary>The function name from a name, <c>name:qualifier</c>, partial ARN or full ARN.</summary>
    internal static string NameOf(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        var parts = functionName.Split(':');
        var at = Array.IndexOf(parts, "function");
        return at >= 0 && at + 1 < parts.Length ? parts[at + 1] : parts[0];
    }

    private static bool IsJson(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return true;
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Validate(LambdaEmulatorOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in options.Functions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(function.Name, nameof(options));
            ArgumentException.ThrowIfNullOrWhiteSpace(function.Command, nameof(options));
            if (!names.Add(function.Name))
            {
                throw new ArgumentException($"function '{function.Name}' is configured twice", nameof(options));
            }

            if (function.Timeout <= TimeSpan.Zero || function.Timeout > TimeSpan.FromMinutes(15))
            {
                throw new ArgumentException($"function '{function.Name}': the timeout must be within (0, 15 min]", nameof(options));
            }
        }
    }

    // ---- the Invoke API ----
    private static async Task<WebApplication> StartInvokeApiAsync(LambdaEmulator emulator, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Limits.MaxRequestBodySize = 4L * MaxPayloadBytes;
        });
        var app = builder.Build();
        app.MapPost("/2015-03-31/functions/{name}/invocations", emulator.HandleInvokeAsync);
        await app.StartAsync(cancellationToken);
        return app;
    }

    private async Task HandleInvokeAsync(HttpContext http, string name)
    {
        var response = http.Response;
        var requestId = Guid.NewGuid().ToString();
        FunctionHost function;
        try
        {
            function = Find(name);
        }
        catch (LambdaFunctionNotFoundException ex)
        {
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            await WriteServiceErrorAsync(http, StatusCodes.Status404NotFound, "ResourceNotFoundException", ex.Message, requestId);
            return;
        }

        var payload = await FunctionHost.ReadBodyAsync(http.Request, MaxPayloadBytes);
        if (payload is null)
        {
            await WriteServiceErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException", $"Request must be smaller than {MaxPayloadBytes} bytes for the InvokeFunction operation", requestId);
            return;
        }

        var invocationType = http.Request.Headers["X-Amz-Invocation-Type"].ToString();
        if (invocationType is "DryRun")
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers["x-amzn-RequestId"] = requestId;
            return;
        }

        if (invocationType is not ("" or "RequestResponse"))
        {
            await WriteServiceErrorAsync(http, StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"the local Lambda emulator runs RequestResponse and DryRun invocations, not {invocationType}", requestId);
            return;
        }

        LambdaInvocationResult result;
        try
        {
            var traceId = http.Request.Headers["X-Amzn-Trace-Id"].ToString();
            result = await InvokeAsync(function.Name, payload, string.IsNullOrEmpty(traceId) ? null : traceId, http.RequestAborted);
        }
        catch (LambdaInvalidRequestContentException ex)
        {
            await WriteServiceErrorAsync(http, StatusCodes.Status400BadRequest, "InvalidRequestContentException", ex.Message, requestId);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers["x-amzn-RequestId"] = result.RequestId;
        response.Headers["X-Amz-Executed-Version"] = "$LATEST";
        if (result.FunctionError is not null)
        {
            response.Headers["X-Amz-Function-Error"] = result.FunctionError;
        }

        response.ContentLength = result.Payload.Length;
        await response.Body.WriteAsync(result.Payload, http.RequestAborted);
    }

    /// <summary>A Lambda service error as botocore reads it: the code in <c>x-amzn-ErrorType</c>, the message in the body.</summary>
    private static async Task WriteServiceErrorAsync(HttpContext http, int status, string code, string message, string requestId)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["x-amzn-RequestId"] = requestId;
        response.Headers["x-amzn-ErrorType"] = code;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Type", "User");
            w.WriteString("Message", message);
            w.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }
}
