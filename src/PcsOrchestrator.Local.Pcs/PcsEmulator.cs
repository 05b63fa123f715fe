using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>
/// The PCS emulator: the service's AWS JSON 1.0 protocol at <c>POST /</c> on 127.0.0.1 (X-Amz-Target
/// <c>AWSParallelComputingService.&lt;Operation&gt;</c>, SigV4 Authorization header required), and a control API at
/// <c>/_emulator/</c> for fault injection and call counts. Start it in process with <see cref="StartAsync"/>, or
/// standalone with <see cref="RunAsync"/>.
/// </summary>
public sealed class PcsEmulator : IAsyncDisposable
{
    public const string ControlPrefix = "/_emulator";

    private readonly WebApplication _app;
    private readonly PcsService _service;
    private readonly FaultBook _faults = new();
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task>> _before = new(StringComparer.Ordinal);
    private readonly PcsEmulatorOptions _options;

    private PcsEmulator(WebApplication app, PcsService service, PcsEmulatorOptions options)
    {
        _app = app;
        _service = service;
        _options = options;
    }

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    public int CallCount(string operation) => _calls.Count(c => c.Operation == operation);

    public void ClearCalls() => _calls.Clear();

    public void Arm(Fault fault) => _faults.Arm(fault);

    public void ClearFaults() => _faults.Clear();

    /// <summary>
    /// Races a call: <paramref name="action"/> runs once, just before the next <paramref name="operation"/> is served
    /// (for example another client's UpdateCluster landing between a readiness check and the caller's own update).
    /// </summary>
    public void BeforeNext(string operation, Func<CancellationToken, Task> action) => _before[operation] = action;

    /// <summary>How many UpdateCluster calls changed the cluster: a replayed client token or a refused call does not count.</summary>
    public int AppliedUpdates(string clusterId) => _service.AppliedUpdates(clusterId);

    /// <summary>The next UpdateCluster of the cluster ends in UPDATE_FAILED with this errorInfo, its configuration unchanged.</summary>
    public void FailNextUpdate(string clusterIdentifier, string code = "SlurmConfigurationError", string message = "The Slurm controller rejected the new configuration.") =>
        _service.FailNextUpdate(clusterIdentifier, code, message);

    /// <summary>Reports a status for a cluster ("cluster"), a queue ("queue") or a node group ("computeNodeGroup") for a while.</summary>
    public void Hold(string resourceType, string clusterIdentifier, string? childIdentifier, string status, TimeSpan duration) =>
        _service.Hold(resourceType, clusterIdentifier, childIdentifier, status, duration);

    public static async Task<PcsEmulator> StartAsync(PcsEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var emulator = new PcsEmulator(app, new PcsService(options), options);
        emulator.Map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return emulator;
    }

    /// <summary>Runs until cancelled, after writing one JSON line with the endpoint once it listens.</summary>
    public static async Task RunAsync(PcsEmulatorOptions options, TextWriter output, CancellationToken cancellationToken, Func<PcsEmulator, CancellationToken, Task>? seed = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var emulator = await StartAsync(options, cancellationToken);
        if (seed is not null)
        {
            await seed(emulator, cancellationToken);
        }

        await output.WriteLineAsync(JsonSerializer.Serialize(
            new ListeningLine { Endpoint = emulator.Endpoint.ToString(), Control = new Uri(emulator.Endpoint, ControlPrefix.TrimStart('/') + "/").ToString() },
            ControlJsonContext.Default.ListeningLine));
        await output.FlushAsync(cancellationToken);

        // The web host's console lifetime takes SIGTERM and Ctrl-C for itself (the process-exit path that
        // would cancel the caller's token never runs), so stopping follows either signal.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, emulator._app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the normal end of a standalone run.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/", HandleAsync);
        app.MapGet($"{ControlPrefix}/calls", () => Results.Text(JsonSerializer.Serialize(new CallsResponse
        {
            Counts = _calls.GroupBy(c => c.Operation).ToDictionary(g => g.Key, g => g.Count()),
            Calls = [.. _calls],
        }, ControlJsonContext.Default.CallsResponse), "application/json"));
        app.MapDelete($"{ControlPrefix}/calls", () =>
        {
            ClearCalls();
            return Results.NoContent();
        });
        app.MapPost($"{ControlPrefix}/faults", async (HttpContext context) =>
        {
            var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ControlJsonContext.Default.FaultRequest, context.RequestAborted);
            if (request is null || !Enum.TryParse<FaultKind>(request.Kind, ignoreCase: true, out var kind) || request.Count < 1)
            {
                return Results.BadRequest("kind must be Throttle, ServerError, Delay, Drop or DropAfter, and count 1 or more");
            }

            Arm(new Fault(kind, request.Count, request.Operation, request.RetryAfterSeconds, request.DelayMilliseconds));
            return Results.NoContent();
        });
        app.MapDelete($"{ControlPrefix}/faults", () =>
        {
            ClearFaults();
            return Results.NoContent();
        });
        app.MapPost($"{ControlPrefix}/fail-next-update", async (HttpContext context) =>
        {
            var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ControlJsonContext.Default.FailNextUpdateRequest, context.RequestAborted);
            FailNextUpdate(request!.ClusterIdentifier, request.Code, request.Message);
            return Results.NoContent();
        });
        app.MapPost($"{ControlPrefix}/hold", async (HttpContext context) =>
        {
            var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ControlJsonContext.Default.HoldRequest, context.RequestAborted);
            Hold(request!.ResourceType, request.ClusterIdentifier, request.ChildIdentifier, request.Status, TimeSpan.FromSeconds(request.Seconds));
            return Results.NoContent();
        });
    }

    private async Task HandleAsync(HttpContext context)
    {
        byte[] raw;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            raw = buffer.ToArray();
        }

        var body = Encoding.UTF8.GetString(raw);

        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(PcsClient.TargetPrefix + ".", StringComparison.Ordinal) ? target[(PcsClient.TargetPrefix.Length + 1)..] : target;
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        int status;
        string answer;
        try
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            Authenticate(authorization);
            if (_options.Strict is { } strict)
            {
                SigV4Verifier.Verify(context.Request, raw, authorization, strict, _options.Time.GetUtcNow());
            }

            if (_before.TryRemove(operation, out var race))
            {
                await race(context.RequestAborted);
            }

            var fault = _faults.Take(operation);
            switch (fault)
            {
                case { Kind: FaultKind.Throttle } throttle:
                    throw PcsServiceFault.Throttled(throttle.RetryAfterSeconds);
                case { Kind: FaultKind.ServerError }:
                    throw PcsServiceFault.Internal("An internal error occurred (injected).");
                case { Kind: FaultKind.Drop }:
                    _calls.Enqueue(new RecordedCall(operation, body, _options.Time.GetUtcNow(), 0));
                    context.Abort();
                    return;
                case { Kind: FaultKind.Delay } delay:
                    await Task.Delay(delay.DelayMilliseconds, context.RequestAborted);
                    break;
            }

            answer = _service.Handle(operation, body);
            status = StatusCodes.Status200OK;
            if (fault is { Kind: FaultKind.DropAfter })
            {
                _calls.Enqueue(new RecordedCall(operation, body, _options.Time.GetUtcNow(), 0));
                context.Abort();
                return;
            }
        }
        catch (PcsServiceFault fault)
        {
            status = (int)fault.Status;
            answer = JsonSerializer.Serialize(fault.Body, PcsJsonContext.Default.ErrorBody);
            context.Response.Headers["x-amzn-ErrorType"] = fault.Body.Type;
        }

        _calls.Enqueue(new RecordedCall(operation, body, _options.Time.GetUtcNow(), status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    /// <summary>A SigV4 Authorization header scoped to the <c>pcs</c> service is required, as the service requires one.</summary>
    private static void Authenticate(string authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            throw PcsServiceFault.Auth("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) || !authorization.Contains("Signature=", StringComparison.Ordinal))
        {
            throw PcsServiceFault.Auth("IncompleteSignatureException", "Authorization header requires a SigV4 Credential, SignedHeaders and Signature.");
        }

        var credential = authorization.Split(["Credential="], StringSplitOptions.None).ElementAtOrDefault(1)?.Split(',')[0] ?? string.Empty;
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[3] != PcsClient.SigningName || scope[4] != "aws4_request")
        {
            throw PcsServiceFault.Auth("InvalidSignatureException", $"Credential should be scoped to correct service: '{PcsClient.SigningName}'.");
        }
    }
}
