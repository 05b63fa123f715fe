namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>
/// The entry point of a <c>bootstrap</c> executable: wires the real process environment, the system clock, stdout
/// logging and metrics, and the HTTP Runtime API client at <c>AWS_LAMBDA_RUNTIME_API</c>, then runs
/// <see cref="LambdaRuntime"/> until SIGTERM. <c>Program.cs</c> is one line:
/// <code>return await LambdaBootstrap.RunAsync(registry);</code>
/// </summary>
public static class LambdaBootstrap
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>Exit code when the Runtime API is not configured or fails.</summary>
    public const int RuntimeApiFailure = 2;

    public static Task<int> RunAsync(IReadOnlyDictionary<string, Func<ILambdaHandler>> handlers, LambdaRuntimeOptions? options = null) =>
        RunAsync((runtime, token) => runtime.RunAsync(handlers, token), options);

    public static Task<int> RunAsync(Func<IReadOnlyDictionary<string, ILambdaHandler>> createHandlers, LambdaRuntimeOptions? options = null) =>
        RunAsync((runtime, token) => runtime.RunAsync(createHandlers, token), options);

    private static async Task<int> RunAsync(Func<LambdaRuntime, CancellationToken, Task<int>> run, LambdaRuntimeOptions? options)
    {
        var environment = ProcessEnvironment.Instance;
        var time = TimeProvider.System;
        using var stdout = Console.OpenStandardOutput();
        var output = new JsonLineWriter(stdout);
        var logger = JsonLogger.ForEnvironment(output, time, environment);
        var metrics = new EmbeddedMetrics(output, time, environment.Get("METRICS_NAMESPACE") is { Length: > 0 } ns ? ns : EmbeddedMetrics.DefaultNamespace);
        var endpoint = environment.Get(RuntimeApiVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            logger.Error($"{RuntimeApiVariable} is not set: this executable runs inside Lambda or the local Lambda emulator");
            return RuntimeApiFailure;
        }

        using var http = RuntimeApiClient.CreateHttpClient();
        using var stopping = new CancellationTokenSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        var runtime = new LambdaRuntime(new RuntimeApiClient(http, endpoint), environment, time, logger, metrics, options);
        try
        {
            return await run(runtime, stopping.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException)
        {
            logger.Log(LogLevel.Error, $"the Runtime API failed: {ex.Message}", new Dictionary<string, string> { ["errorType"] = ex.GetType().Name });
            return RuntimeApiFailure;
        }
    }
}
