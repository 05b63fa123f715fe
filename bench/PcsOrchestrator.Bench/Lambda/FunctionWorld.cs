using System.Text.Json.Nodes;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Lambda;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Bench.Lambda;

/// <summary>Which build of the functions' program runs: the Native AOT <c>bootstrap</c> or the same code under the JIT.</summary>
public sealed record FunctionBuild(string Name, string Command, IReadOnlyList<string> Arguments)
{
    public static FunctionBuild Aot(string bootstrap) => new("Native AOT", bootstrap, []);

    public static FunctionBuild Jit(string bootstrapDll) => new("JIT", "dotnet", [bootstrapDll]);
}

/// <summary>
/// What the functions talk to while they are measured: DynamoDB Local with fresh tables, the PCS emulator with the
/// demo cluster (every change visible on the next read), and the cluster lock held by the sample events' execution,
/// so the sample events (events/*Function.json) run as they would in the middle of a real run.
/// </summary>
public sealed class FunctionWorld : IAsyncDisposable
{
    private FunctionWorld(LocalDeployment local, IReadOnlyDictionary<string, string> environment)
    {
        Local = local;
        Environment = environment;
    }

    public LocalDeployment Local { get; }

    /// <summary>The functions' environment (endpoints, table names), as template.yaml gives it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public static async Task<FunctionWorld> StartAsync(CancellationToken cancellationToken)
    {
        var local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = Resources.Definition,
            TablePrefix = "bench" + Guid.NewGuid().ToString("N")[..8],
            Durations = new EmulatorDurations(),
            // The sample events are dated 2026-11-24: DynamoDB Local's TTL would reap their records by today's clock.
            TimeToLive = false,
        }, cancellationToken);
        try
        {
            await local.CreateDemoClusterAsync("demo-cluster", cancellationToken);
            var execution = JsonNode.Parse(Resources.SampleEvent("CheckReadinessFunction"))!["run"]!["executionId"]!.GetValue<string>();
            var lease = await new ClusterLock(local.Dynamo, local.Tables.Lock, TimeProvider.System).AcquireAsync("demo-cluster", execution, TimeSpan.FromHours(2), cancellationToken);
            if (lease.Lease?.FencingToken != 1)
            {
                throw new InvalidOperationException("the sample events expect fencing token 1 on fresh tables");
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL_PCS"] = local.Pcs.Endpoint.ToString(),
                ["AWS_ENDPOINT_URL_DYNAMODB"] = local.DynamoEndpoint.ToString(),
                ["IDEMPOTENCY_TABLE_NAME"] = local.Tables.Idempotency,
                ["LOCK_TABLE_NAME"] = local.Tables.Lock,
                ["AUDIT_TABLE_NAME"] = local.Tables.Audit,
                ["MAINTENANCE_TABLE_NAME"] = local.Tables.Maintenance,
                ["LOCK_LEASE_SECONDS"] = "7200",
                ["LOG_LEVEL"] = "Warning",
            };
            return new FunctionWorld(local, environment);
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    /// <summary>A Lambda emulator hosting the given steps (function names <c>{step}Function</c>) on one build.</summary>
    public Task<LambdaEmulator> EmulatorAsync(FunctionBuild build, IEnumerable<string> steps, CancellationToken cancellationToken) =>
        LambdaEmulator.StartAsync(new LambdaEmulatorOptions
        {
            Functions = [.. steps.Select(step => new LambdaFunctionOptions
            {
                Name = step + "Function",
                Handler = step,
                Command = build.Command,
                Arguments = build.Arguments,
                Environment = Environment,
                Timeout = TimeSpan.FromSeconds(30),
                MemoryMb = 256,
            })],
            InitTimeout = TimeSpan.FromSeconds(30),
        }, cancellationToken);

    public ValueTask DisposeAsync() => Local.DisposeAsync();
}
