using System.Text;

namespace PcsOrchestrator.Local.Lambda.Tests;

[Trait("Category", "Integration")]
public sealed class LifecycleShould
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartNoProcess_BeforeTheFirstInvoke()
    {
        await using var emulator = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions { Functions = [SampleFunction.Function("EchoFunction", "echo")] }, Token);

        emulator.ProcessIdOf("EchoFunction").Should().BeNull();
        emulator.FunctionNames.Should().Equal("EchoFunction");
    }

    [Fact]
    public async Task LeaveNoProcessBehind_WhenDisposed_EvenWithAnInvocationInFlight()
    {
        var emulator = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions
        {
            Functions =
            [
                SampleFunction.Function("IdleFunction", "echo"),
                SampleFunction.Function("BusyFunction", "sleep", timeout: TimeSpan.FromMinutes(5)),
            ],
        }, Token);
        int idle;
        int busy;
        Task<LambdaInvocationResult> inFlight;
        try
        {
            (await emulator.InvokeAsync("IdleFunction", "{}"u8.ToArray(), Token)).IsError.Should().BeFalse();
            idle = emulator.ProcessIdOf("IdleFunction")!.Value;
            inFlight = emulator.InvokeAsync("BusyFunction", """{"ms":300000,"ignoreCancellation":true}"""u8.ToArray(), Token);
            while (emulator.ProcessIdOf("BusyFunction") is null)
            {
                await Task.Delay(20, Token);
            }

            busy = emulator.ProcessIdOf("BusyFunction")!.Value;
            SampleFunction.IsRunning(idle).Should().BeTrue();
            SampleFunction.IsRunning(busy).Should().BeTrue();
        }
        finally
        {
            await emulator.DisposeAsync();
        }

        SampleFunction.IsRunning(idle).Should().BeFalse();
        SampleFunction.IsRunning(busy).Should().BeFalse();
        var interrupted = await inFlight;
        interrupted.ErrorType.Should().Be("Runtime.ExitError");
        interrupted.ErrorMessage.Should().EndWith("Runtime exited with error: signal: killed");
        var act = () => emulator.InvokeAsync("IdleFunction", "{}"u8.ToArray(), Token);
        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task RefuseEventInvocations_Honestly()
    {
        await using var emulator = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions { Functions = [SampleFunction.Function("EchoFunction", "echo")] }, Token);
        using var http = new HttpClient { BaseAddress = emulator.InvokeEndpoint };
        using var request = new HttpRequestMessage(HttpMethod.Post, "2015-03-31/functions/EchoFunction/invocations") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Amz-Invocation-Type", "Event");

        using var response = await http.SendAsync(request, Token);

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        response.Headers.GetValues("x-amzn-ErrorType").Should().Equal("InvalidParameterValueException");
        emulator.ProcessIdOf("EchoFunction").Should().BeNull();
    }
}
