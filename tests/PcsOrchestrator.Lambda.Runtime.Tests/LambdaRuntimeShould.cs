using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace PcsOrchestrator.Lambda.Runtime.Tests;

public sealed class LambdaRuntimeShould : IDisposable
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:PrepareFunction";
    private const string Trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";

    private readonly CancellationTokenSource _stop = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly MemoryStream _stdout = new();
    private readonly FakeRuntimeApi _api;
    private readonly FakeEnvironment _environment;
    private readonly LambdaRuntime _runtime;

    public LambdaRuntimeShould()
    {
        _api = new FakeRuntimeApi(_stop);
        _environment = new FakeEnvironment(new()
        {
            ["_HANDLER"] = "Echo",
            ["AWS_LAMBDA_FUNCTION_NAME"] = "PrepareFunction",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        });
        var output = new JsonLineWriter(_stdout);
        _runtime = new LambdaRuntime(
            _api,
            _environment,
            _time,
            JsonLogger.ForEnvironment(output, _time, _environment),
            new EmbeddedMetrics(output, _time, "Test"),
            new LambdaRuntimeOptions { DeadlineMargin = TimeSpan.FromMilliseconds(500) });
    }

    public void Dispose()
    {
        _stop.Dispose();
        _stdout.Dispose();
    }

    [Fact]
    public async Task PostTheHandlersResponse_ForEachInvocation()
    {
        Enqueue("r1", """{"a":1}""");
        Enqueue("r2", """{"b":2}""");

        var exit = await _runtime.RunAsync(Handlers(("Echo", () => new DelegateHandler((p, _, _) => Task.FromResult(p)))), _stop.Token);

        exit.Should().Be(0);
        _api.Calls.Should().Equal("next", "response r1", "next", "response r2", "next");
        _api.Responses.Should().BeEquivalentTo(new Dictionary<string, string> { ["r1"] = """{"a":1}""", ["r2"] = """{"b":2}""" });
        _api.Errors.Should().BeEmpty();
        _api.InitErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task CreateTheHandlerOnce_AtInit()
    {
        Enqueue("r1", "{}");
        Enqueue("r2", "{}");
        var created = 0;

        await _runtime.RunAsync(
            Handlers(("Echo", () =>
            {
                created++;
                return new DelegateHandler((p, _, _) => Task.FromResult(p));
            })),
            _stop.Token);

        created.Should().Be(1);
        _api.Responses.Keys.Should().BeEquivalentTo(["r1", "r2"]);
    }

    [Fact]
    public async Task GiveTheHandlerTheInvocationsContext_AndSetTheTraceVariable()
    {
        _api.Enqueue(new Invocation("r1", "{}"u8.ToArray(), _time.GetUtcNow().AddSeconds(30), Arn, Trace));
        ILambdaContext? seen = null;
        TimeSpan remaining = default;

        await _runtime.RunAsync(
            Handlers(("Echo", () => new DelegateHandler((p, context, _) =>
            {
                seen = context;
                _time.Advance(TimeSpan.FromSeconds(4));
                remaining = context.RemainingTime;
                return Task.FromResult(p);
            }))),
            _stop.Token);

        seen.Should().NotBeNull();
        seen!.AwsRequestId.Should().Be("r1");
        seen.InvokedFunctionArn.Should().Be(Arn);
        seen.TraceId.Should().Be(Trace);
        seen.FunctionName.Should().Be("PrepareFunction");
        seen.MemoryLimitInMb.Should().Be(256);
        seen.Deadline.Should().Be(new DateTimeOffset(2026, 11, 24, 12, 0, 30, TimeSpan.Zero));
        remaining.Should().Be(TimeSpan.FromSeconds(26));
        _environment.Writes.Should().Equal(("_X_AMZN_TRACE_ID", Trace));
    }

    [Fact]
    public async Task ReportTheErrorTypeThatTheExceptionNames()
    {
        Enqueue("r1", "{}");

        await _runtime.RunAsync(Handlers(("Echo", () => new DelegateHandler((_, _, _) => throw new ThrottledException("PCS said slow down")))), _stop.Token);

        _api.Calls.Should().Equal("next", "error r1", "next");
        _api.Errors["r1"].Should().Be(new LambdaError("PcsThrottled", "PCS said slow down"));
        _api.Responses.Should().BeEmpty();
    }

    [Fact]
    public async Task ReportTheShortTypeName_OfAnyOtherException_AndKeepServing()
    {
        Enqueue("r1", "{}");
        Enqueue("r2", """{"ok":true}""");
        var calls = 0;

        await _runtime.RunAsync(
            Handlers(("Echo", () => new DelegateHandler(async (p, _, _) =>
            {
                await Task.Yield();
                return ++calls == 1 ? throw new InvalidOperationException("broken") : p;
            }))),
            _stop.Token);

        _api.Errors.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, LambdaError>("r1", new LambdaError("InvalidOperationException", "broken")));
        _api.Responses.Should().BeEquivalentTo(new Dictionary<string, string> { ["r2"] = """{"ok":true}""" });
    }

    [Fact]
    public async Task NeverPostASecret_InAnErrorMessage()
    {
        Enqueue("r1", "{}");

        await _runtime.RunAsync(Handlers(("Echo", () => new DelegateHandler((_, _, _) => throw new InvalidOperationException("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked")))), _stop.Token);

        _api.Errors["r1"].ErrorMessage.Should().Be("key [redacted] leaked");
        Encoding.UTF8.GetString(_stdout.ToArray()).Should().NotContain("wJalrXUtnFEMI");
    }

    [Fact]
    public async Task CancelTheHandler_TheMarginBeforeTheDeadline_AndReportATimeout()
    {
        _api.Enqueue(new Invocation("r1", "{}"u8.ToArray(), _time.GetUtcNow().AddSeconds(10), Arn, null));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAt = DateTimeOffset.MinValue;
        var run = _runtime.RunAsync(
            Handlers(("Echo", () => new DelegateHandler(async (_, _, token) =>
            {
                using var registration = token.Register(() => cancelledAt = _time.GetUtcNow());
                started.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return ReadOnlyMemory<byte>.Empty;
            }))),
            _stop.Token);
        await started.Task;

        _time.Advance(TimeSpan.FromMilliseconds(9499));
        cancelledAt.Should().Be(DateTimeOffset.MinValue, "the token must stay live until 500 ms before the deadline");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await run;

        cancelledAt.Should().Be(new DateTimeOffset(2026, 11, 24, 12, 0, 9, 500, TimeSpan.Zero));
        _api.Errors["r1"].ErrorType.Should().Be(RuntimeErrors.Timeout);
        _api.Errors["r1"].ErrorMessage.Should().Be("the handler was cancelled 500 ms before the invocation's deadline (2026-11-24T12:00:10.000Z) and stopped");
        _api.Responses.Should().BeEmpty();
    }

    [Fact]
    public async Task StillRespond_WhenTheHandlerFinishesDespiteTheCancelledToken()
    {
        _api.Enqueue(new Invocation("r1", "{}"u8.ToArray(), _time.GetUtcNow().AddMilliseconds(200), Arn, null));

        await _runtime.RunAsync(
            Handlers(("Echo", () => new DelegateHandler((_, _, token) =>
                Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($$"""{"cancelled":{{(token.IsCancellationRequested ? "true" : "false")}}}"""))))),
            _stop.Token);

        _api.Responses["r1"].Should().Be("""{"cancelled":true}""", "200 ms left is already inside the 500 ms margin");
    }

    [Fact]
    public async Task ReportAnInitError_WhenNoHandlerHasTheName()
    {
        _environment.Set("_HANDLER", "Nope");
        Enqueue("r1", "{}");

        var exit = await _runtime.RunAsync(Handlers(("Echo", () => throw new InvalidOperationException("must not be built")), ("Apply", () => throw new InvalidOperationException("must not be built"))), _stop.Token);

        exit.Should().Be(1);
        _api.Calls.Should().Equal("init error");
        _api.InitErrors.Should().Equal(new LambdaError(RuntimeErrors.HandlerNotFound, "no handler named 'Nope'; this executable hosts: Apply, Echo"));
    }

    [Fact]
    public async Task ReportAnInitError_WhenTheHandlerVariableIsMissing()
    {
        _environment.Set("_HANDLER", null);

        var exit = await _runtime.RunAsync(Handlers(("Echo", () => new DelegateHandler((p, _, _) => Task.FromResult(p)))), _stop.Token);

        exit.Should().Be(1);
        _api.InitErrors.Should().Equal(new LambdaError(RuntimeErrors.HandlerNotFound, "_HANDLER is not set; this executable hosts: Echo"));
    }

    [Fact]
    public async Task ReportAnInitError_WhenTheFactoryThrows()
    {
        Enqueue("r1", "{}");

        var exit = await _runtime.RunAsync(Handlers(("Echo", () => throw new ThrottledException("DynamoDB table missing"))), _stop.Token);

        exit.Should().Be(1);
        _api.Calls.Should().Equal("init error");
        _api.InitErrors.Should().Equal(new LambdaError("PcsThrottled", "handler 'Echo' failed to start: DynamoDB table missing"));
    }

    [Fact]
    public async Task ReportAnInitError_WhenBuildingEveryHandlerAtOnceThrows()
    {
        var exit = await _runtime.RunAsync(() => throw new FileNotFoundException("config.json"), _stop.Token);

        exit.Should().Be(1);
        _api.InitErrors.Should().Equal(new LambdaError("FileNotFoundException", "handler 'Echo' failed to start: config.json"));
    }

    [Fact]
    public async Task ServeFromAPrebuiltSetOfHandlers()
    {
        Enqueue("r1", "[1]");
        var builds = 0;

        var exit = await _runtime.RunAsync(
            () =>
            {
                builds++;
                return new Dictionary<string, ILambdaHandler> { ["Echo"] = new DelegateHandler((p, _, _) => Task.FromResult(p)) };
            },
            _stop.Token);

        exit.Should().Be(0);
        builds.Should().Be(1);
        _api.Responses.Should().BeEquivalentTo(new Dictionary<string, string> { ["r1"] = "[1]" });
    }

    [Fact]
    public async Task LogErrorsAsJsonLines_WithTheInvocationsRequestIdAndTraceId()
    {
        _api.Enqueue(new Invocation("r1", "{}"u8.ToArray(), _time.GetUtcNow().AddSeconds(30), Arn, Trace));

        await _runtime.RunAsync(
            Handlers(("Echo", () => new DelegateHandler((_, context, _) =>
            {
                using (context.Logger.BeginScope(execution: "exec-1", cluster: "pcs_abc"))
                {
                    context.Logger.Info("planning");
                }

                throw new ThrottledException("slow down");
            }))),
            _stop.Token);

        var lines = Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        using var first = JsonDocument.Parse(lines[0]);
        Members(first).Should().Equal(
            ("timestamp", "2026-11-24T12:00:00.000Z"), ("level", "INFO"), ("message", "planning"), ("requestId", "r1"), ("traceId", Trace), ("execution", "exec-1"), ("cluster", "pcs_abc"));
        using var second = JsonDocument.Parse(lines[1]);
        Members(second).Should().Equal(
            ("timestamp", "2026-11-24T12:00:00.000Z"), ("level", "ERROR"), ("message", "slow down"), ("requestId", "r1"), ("traceId", Trace), ("errorType", "PcsThrottled"));
    }

    internal static List<(string, string)> Members(JsonDocument document) =>
        document.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)).ToList();

    private void Enqueue(string requestId, string payload) =>
        _api.Enqueue(new Invocation(requestId, Encoding.UTF8.GetBytes(payload), _time.GetUtcNow().AddMinutes(1), Arn, null));

    private static Dictionary<string, Func<ILambdaHandler>> Handlers(params (string Name, Func<ILambdaHandler> Factory)[] handlers) =>
        handlers.ToDictionary(h => h.Name, h => h.Factory, StringComparer.Ordinal);
}
