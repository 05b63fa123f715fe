namespace PcsOrchestrator.Local.Lambda.Tests;

/// <summary>One emulator for a test class, hosting the sample function under several logical names (one per behaviour, so tests do not share a process).</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public LambdaEmulator Emulator { get; private set; } = null!;

    public List<string> Output { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Emulator = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions
        {
            Functions =
            [
                SampleFunction.Function("EchoFunction", "echo"),
                SampleFunction.Function("CliFunction", "echo"),
                SampleFunction.Function("CliFailFunction", "fail"),
                SampleFunction.Function("FailFunction", "fail"),
                SampleFunction.Function("ContextFunction", "context", environment: new Dictionary<string, string> { ["SAMPLE_SETTING"] = "from-template", ["AWS_REGION"] = "eu-west-3" }),
                SampleFunction.Function("SerialFunction", "context"),
                SampleFunction.Function("ReportFunction", "echo"),
                SampleFunction.Function("CrashFunction", "crash"),
                SampleFunction.Function("HangFunction", "sleep", timeout: TimeSpan.FromSeconds(2)),
                SampleFunction.Function("CancelFunction", "sleep", timeout: TimeSpan.FromSeconds(2)),
                SampleFunction.Function("InitFailFunction", "echo", environment: new Dictionary<string, string> { ["SAMPLE_INIT_FAIL"] = "1" }),
                SampleFunction.Function("UnknownHandlerFunction", "no-such-handler"),
                new LambdaFunctionOptions { Name = "MissingBinaryFunction", Command = "/nonexistent/bootstrap" },
            ],
            OnFunctionOutput = (name, line) =>
            {
                lock (Output)
                {
                    Output.Add($"{name}: {line}");
                }
            },
        });
    }

    public async ValueTask DisposeAsync() => await Emulator.DisposeAsync();
}
