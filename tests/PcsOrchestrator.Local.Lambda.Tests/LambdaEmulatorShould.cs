using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PcsOrchestrator.Local.Lambda.Tests;

[Trait("Category", "Integration")]
public sealed class LambdaEmulatorShould(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = fixture.Emulator.InvokeEndpoint, Timeout = TimeSpan.FromSeconds(60) };

    private LambdaEmulator Emulator => fixture.Emulator;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ReturnThePayload_With200_ForASuccessfulInvocation()
    {
        using var response = await PostAsync("EchoFunction", """{"hello":"world"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Token)).Should().Be("""{"hello":"world"}""");
        response.Headers.Contains("X-Amz-Function-Error").Should().BeFalse();
        response.Headers.GetValues("X-Amz-Executed-Version").Should().Equal("$LATEST");
        Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _).Should().BeTrue();
    }

    [Fact]
    public async Task ReuseOneProcess_AndServeConcurrentInvocationsOneAtATime()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Emulator.InvokeAsync("SerialFunction", "{}"u8.ToArray(), Token)));

        results.Should().OnlyContain(r => !r.IsError);
        var documents = results.Select(r => JsonDocument.Parse(r.Payload)).ToList();
        documents.Select(d => d.RootElement.GetProperty("processId").GetInt32()).Distinct().Should().Equal(Emulator.ProcessIdOf("SerialFunction")!.Value);
        documents.Select(d => d.RootElement.GetProperty("requestId").GetString()).Should().Equal(results.Select(r => r.RequestId));
        results.Select(r => r.RequestId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task ReportInitDurationOnTheColdStartOnly_AndDurationAndMemoryEveryTime()
    {
        var cold = await Emulator.InvokeAsync("ReportFunction", "{}"u8.ToArray(), Token);
        var warm = await Emulator.InvokeAsync("ReportFunction", "{}"u8.ToArray(), Token);

        cold.Report!.InitDuration.Should().BePositive("the process started for this invocation");
        warm.Report!.InitDuration.Should().BeNull("the same process answered");
        warm.Report.Duration.Should().BePositive();
        if (OperatingSystem.IsLinux())
        {
            warm.Report.MaxMemoryUsedBytes.Should().BeGreaterThan(1024 * 1024);
        }

        var reports = Emulator.RecentOutputOf("ReportFunction").Where(l => l.StartsWith("REPORT RequestId: ", StringComparison.Ordinal)).ToList();
        reports.Should().HaveCount(2);
        reports[0].Should().Contain(cold.RequestId).And.Contain("Init Duration: ").And.Contain("Max Memory Used: ");
        reports[1].Should().Contain(warm.RequestId).And.NotContain("Init Duration");
    }

    [Fact]
    public async Task GiveTheProcessTheLambdaEnvironmentAndInvocationHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "2015-03-31/functions/ContextFunction/invocations") { Content = new StringContent("{}") };
        request.Headers.Add("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678;Parent=0123456789abcdef;Sampled=1");

        using var response = await _http.SendAsync(request, Token);

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        var root = document.RootElement;
        root.GetProperty("requestId").GetString().Should().Be(response.Headers.GetValues("x-amzn-RequestId").Single());
        root.GetProperty("functionArn").GetString().Should().Be("arn:aws:lambda:us-east-1:123456789012:function:ContextFunction");
        root.GetProperty("functionName").GetString().Should().Be("ContextFunction");
        root.GetProperty("memoryMb").GetInt32().Should().Be(256);
        root.GetProperty("traceId").GetString().Should().Be("Root=1-67891233-abcdef012345678912345678;Parent=0123456789abcdef;Sampled=1");
        root.GetProperty("traceVariable").GetString().Should().Be(root.GetProperty("traceId").GetString());
        root.GetProperty("region").GetString().Should().Be("us-east-1", "AWS_REGION is reserved: the emulator's value wins over the function's");
        root.GetProperty("custom").GetString().Should().Be("from-template");
        root.GetProperty("remainingMs").GetInt64().Should().BeInRange(1, 10_000);
        var logLine = Emulator.RecentOutputOf("ContextFunction").Single(line => line.Contains("reporting the context", StringComparison.Ordinal));
        using var log = JsonDocument.Parse(logLine);
        log.RootElement.GetProperty("requestId").GetString().Should().Be(root.GetProperty("requestId").GetString());
        log.RootElement.GetProperty("level").GetString().Should().Be("INFO");
    }

    [Fact]
    public async Task ReturnTheErrorDocument_WithUnhandled_ForAFunctionError()
    {
        using var response = await PostAsync("FailFunction", """{"errorType":"PcsConflict","message":"cluster pcs_1 is UPDATING"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("X-Amz-Function-Error").Should().Equal("Unhandled");
        (await response.Content.ReadAsStringAsync(Token)).Should().Be("""{"errorMessage":"cluster pcs_1 is UPDATING","errorType":"PcsConflict","stackTrace":[]}""");
    }

    [Fact]
    public async Task ReportTheExceptionsTypeName_WhenItNamesNoErrorType()
    {
        var result = await Emulator.InvokeAsync("FailFunction", """{"message":"plain"}"""u8.ToArray(), Token);

        result.FunctionError.Should().Be("Unhandled");
        result.ErrorType.Should().Be("InvalidOperationException");
        result.ErrorMessage.Should().Be("plain");
    }

    [Fact]
    public async Task Answer404ResourceNotFound_ForAnUnknownFunction()
    {
        using var response = await PostAsync("NoSuchFunction", "{}");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Headers.GetValues("x-amzn-ErrorType").Should().Equal("ResourceNotFoundException");
        (await response.Content.ReadAsStringAsync(Token)).Should().Be("""{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction"}""");
        var act = () => Emulator.InvokeAsync("NoSuchFunction", "{}"u8.ToArray(), Token);
        await act.Should().ThrowAsync<LambdaFunctionNotFoundException>();
    }

    [Fact]
    public async Task AcceptAFunctionArn_InPlaceOfTheName()
    {
        using var response = await PostAsync("arn:aws:lambda:us-east-1:123456789012:function:EchoFunction:$LATEST", "[1,2]");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Token)).Should().Be("[1,2]");
    }

    [Fact]
    public async Task Answer413_ForAPayloadOver6MB()
    {
        var payload = "\"" + new string('x', LambdaEmulator.MaxPayloadBytes - 1) + "\"";

        using var response = await PostAsync("EchoFunction", payload);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.Headers.GetValues("x-amzn-ErrorType").Should().Equal("RequestTooLargeException");
        var act = () => Emulator.InvokeAsync("EchoFunction", Encoding.UTF8.GetBytes(payload), Token);
        await act.Should().ThrowAsync<LambdaRequestTooLargeException>();
    }

    [Fact]
    public async Task Answer400_ForAPayloadThatIsNotJson()
    {
        using var response = await PostAsync("EchoFunction", "{not json");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Headers.GetValues("x-amzn-ErrorType").Should().Equal("InvalidRequestContentException");
    }

    [Fact]
    public async Task FailTheInvocationAsRuntimeExitError_WhenTheProcessCrashes_ThenStartAFreshOne()
    {
        var crashed = await Emulator.InvokeAsync("CrashFunction", """{"exitCode":3}"""u8.ToArray(), Token);

        crashed.FunctionError.Should().Be("Unhandled");
        crashed.ErrorType.Should().Be("Runtime.ExitError");
        crashed.ErrorMessage.Should().Be($"RequestId: {crashed.RequestId} Error: Runtime exited with error: exit status 3");
        Emulator.ProcessIdOf("CrashFunction").Should().BeNull();

        var again = await Emulator.InvokeAsync("CrashFunction", """{"exitCode":7}"""u8.ToArray(), Token);

        again.ErrorMessage.Should().Be($"RequestId: {again.RequestId} Error: Runtime exited with error: exit status 7", "a fresh process ran the second invocation");
    }

    [Fact]
    public async Task KillAndReplaceAProcessThatPassesItsTimeout()
    {
        var first = await Emulator.InvokeAsync("HangFunction", """{"ms":1}"""u8.ToArray(), Token);
        var hung = Emulator.ProcessIdOf("HangFunction")!.Value;

        var timedOut = await Emulator.InvokeAsync("HangFunction", """{"ms":60000,"ignoreCancellation":true}"""u8.ToArray(), Token);

        first.IsError.Should().BeFalse();
        timedOut.ErrorType.Should().Be("Sandbox.Timedout");
        timedOut.ErrorMessage.Should().Be($"RequestId: {timedOut.RequestId} Error: Task timed out after 2.00 seconds");
        SampleFunction.IsRunning(hung).Should().BeFalse();
        Emulator.ProcessIdOf("HangFunction").Should().BeNull();

        var next = await Emulator.InvokeAsync("HangFunction", """{"ms":1}"""u8.ToArray(), Token);

        Encoding.UTF8.GetString(next.Payload.Span).Should().Be("""{"slept":1}""");
        Emulator.ProcessIdOf("HangFunction").Should().NotBe(hung);
    }

    [Fact]
    public async Task KeepTheProcess_WhenTheRuntimeCancelsTheHandlerBeforeTheDeadline()
    {
        var timedOut = await Emulator.InvokeAsync("CancelFunction", """{"ms":60000}"""u8.ToArray(), Token);
        var process = Emulator.ProcessIdOf("CancelFunction");

        timedOut.ErrorType.Should().Be("Sandbox.Timedout");
        timedOut.ErrorMessage.Should().StartWith("the handler was cancelled 500 ms before the invocation's deadline");
        process.Should().NotBeNull();

        var next = await Emulator.InvokeAsync("CancelFunction", """{"ms":1}"""u8.ToArray(), Token);

        next.IsError.Should().BeFalse();
        Emulator.ProcessIdOf("CancelFunction").Should().Be(process);
    }

    [Fact]
    public async Task ReportTheInitError_AndRetryInitOnTheNextInvocation()
    {
        var first = await Emulator.InvokeAsync("InitFailFunction", "{}"u8.ToArray(), Token);
        var second = await Emulator.InvokeAsync("InitFailFunction", "{}"u8.ToArray(), Token);

        foreach (var result in new[] { first, second })
        {
            result.FunctionError.Should().Be("Unhandled");
            result.ErrorType.Should().Be("SampleInitFailed");
            result.ErrorMessage.Should().Be("handler 'echo' failed to start: SAMPLE_INIT_FAIL=1: refusing to start");
        }

        fixture.Output.Count(line => line.StartsWith("InitFailFunction: ", StringComparison.Ordinal) && line.Contains("\"phase\":\"init\"", StringComparison.Ordinal)).Should().Be(2);
    }

    [Fact]
    public async Task ReportHandlerNotFound_ForAnUnknownHandlerName()
    {
        var result = await Emulator.InvokeAsync("UnknownHandlerFunction", "{}"u8.ToArray(), Token);

        result.ErrorType.Should().Be("Runtime.HandlerNotFound");
        result.ErrorMessage.Should().Be("no handler named 'no-such-handler'; this executable hosts: context, crash, echo, fail, sleep");
    }

    [Fact]
    public async Task ReportInvalidEntrypoint_WhenTheCommandCannotStart()
    {
        var result = await Emulator.InvokeAsync("MissingBinaryFunction", "{}"u8.ToArray(), Token);

        result.ErrorType.Should().Be("Runtime.InvalidEntrypoint");
    }

    private async Task<HttpResponseMessage> PostAsync(string function, string payload)
    {
        using var content = new StringContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await _http.PostAsync(new Uri($"2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations", UriKind.Relative), content, Token);
    }
}
