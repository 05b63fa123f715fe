using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Functions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Bench.Throughput;

/// <summary>
/// Many orchestrations at once, one per emulated cluster, through the local runner of the real definition with the
/// handlers in process, the PCS emulator and DynamoDB Local. The clock runs <see cref="Speed"/> times faster than
/// real time (a 2-minute update takes 1 s, a 30 s poll wait 0.25 s), so the figures measure the orchestrator's own
/// work, not the waits. Every orchestration is checked: succeeded, exactly one UpdateCluster applied to its cluster,
/// its cluster's audit chain intact.
/// </summary>
public static class ThroughputBenchmark
{
    public const double Speed = 120;

    /// <summary>Target of issue 8: at least 50 orchestrations per second on a 2-core machine.</summary>
    public const double TargetPerSecond = 50;

    public static async Task<string> RunAsync(int orchestrations, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var time = new ScaledTimeProvider(Speed);
        await using var dynamoLocal = await DynamoDbLocalProcess.StartAsync(cancellationToken);
        await using var local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = Resources.Definition,
            Time = time,
            DynamoEndpoint = dynamoLocal.Endpoint,
            TablePrefix = "tput" + Guid.NewGuid().ToString("N")[..8],
            Durations = new EmulatorDurations { Update = TimeSpan.FromMinutes(2) },
        }, cancellationToken);
        var clusters = new string[orchestrations];
        var ids = new string[orchestrations];
        await Parallel.ForAsync(0, orchestrations, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var cluster = await local.CreateDemoClusterAsync($"bench-{i:0000}", ct);
            (clusters[i], ids[i]) = (cluster.Name, cluster.Id);
        });
        await log.WriteLineAsync($"{orchestrations} clusters created");

        // Warm-up, not measured: a tenth as many orchestrations on clusters of their own, so the JVM behind DynamoDB
        // Local and the .NET JIT have compiled their hot paths, as they have in any process that has run for a while.
        var warmup = Math.Max(1, orchestrations / 10);
        var warm = await Task.WhenAll(Enumerable.Range(0, warmup).Select(async i =>
        {
            var cluster = await local.CreateDemoClusterAsync($"warmup-{i:0000}", cancellationToken);
            return await local.Start($"warmup-{i:0000}", Request(cluster.Name)).Completion;
        }));
        if (warm.Any(r => r.Status != ExecutionStatus.Succeeded))
        {
            throw new InvalidOperationException("a warm-up orchestration failed: " + warm.First(r => r.Status != ExecutionStatus.Succeeded).Cause);
        }

        await log.WriteLineAsync($"{warmup} warm-up orchestrations done");

        var dynamoRequests = 0L;
        var byOperation = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        ((AmazonServiceClient)local.Dynamo).BeforeRequestEvent += (_, e) =>
        {
            Interlocked.Increment(ref dynamoRequests);
            if (e is WebServiceRequestEventArgs w)
            {
                byOperation.AddOrUpdate(w.Request.GetType().Name, 1, (_, n) => n + 1);
            }
        };
        local.Pcs.ClearCalls();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var dynamoCpuBefore = ProcessCpu.OfTree(dynamoLocal.ProcessId);
        var started = Stopwatch.GetTimestamp();
        var executions = clusters.Select((cluster, i) => local.Start($"run-{i:0000}", Request(cluster))).ToList();
        var results = await Task.WhenAll(executions.Select(e => e.Completion));
        var wall = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var dynamoCpu = ProcessCpu.OfTree(dynamoLocal.ProcessId) - dynamoCpuBefore;
        var pcsRequests = local.Pcs.Calls.Count;
        var dynamo = Interlocked.Read(ref dynamoRequests);
        var operations = byOperation.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

        var failures = new List<string>();
        for (var i = 0; i < orchestrations; i++)
        {
            var result = results[i];
            if (result.Status != ExecutionStatus.Succeeded || result.Output?["outcome"]?.GetValue<string>() != "succeeded")
            {
                failures.Add($"{clusters[i]}: {result.Status} {result.Error} {result.Cause}");
                continue;
            }

            if (local.Pcs.AppliedUpdates(ids[i]) != 1)
            {
                failures.Add($"{clusters[i]}: {local.Pcs.AppliedUpdates(ids[i])} updates applied");
            }

            if (!(await local.Audit.VerifyAsync(clusters[i], cancellationToken)).Intact)
            {
                failures.Add($"{clusters[i]}: audit chain broken");
            }
        }

        var transitions = results.Sum(r => (long)r.StateTransitions);
        var perSecond = orchestrations / wall.TotalSeconds;
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Throughput: {orchestrations:N0} orchestrations on {orchestrations:N0} emulated clusters started together (after {Math.Max(1, orchestrations / 10):N0} unmeasured warm-up orchestrations); handlers in process, clock {Speed:0}× (2-minute updates), DynamoDB Local, PCS emulator.");
        sb.AppendLine();
        sb.AppendLine("| orchestrations | correct | wall (s) | orchestrations / s | state transitions / s | DynamoDB requests / orchestration | PCS requests / orchestration | CPU: orchestrator + PCS emulator (s) | CPU: DynamoDB Local (s) | peak working set (MiB) |");
        sb.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        sb.AppendLine(c, $"| {orchestrations:N0} | {orchestrations - failures.Count:N0} | {wall.TotalSeconds:0.0} | {perSecond:0.0} | {transitions / wall.TotalSeconds:0} | {(double)dynamo / orchestrations:0.0} | {(double)pcsRequests / orchestrations:0.0} | {cpu.TotalSeconds:0.0} | {dynamoCpu.TotalSeconds:0.0} | {Stats.MiB(process.PeakWorkingSet64)} |");
        sb.AppendLine();
        sb.AppendLine(c, $"DynamoDB requests by operation: {string.Join(", ", operations.OrderByDescending(kv => kv.Value).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Replace("Request", string.Empty, StringComparison.Ordinal)} {(double)kv.Value / orchestrations:0.0}")))} per orchestration.");
        sb.AppendLine(c, $"Target: ≥ {TargetPerSecond:0} orchestrations / s, every one correct: {(perSecond >= TargetPerSecond && failures.Count == 0 ? "met" : "NOT met")} ({perSecond:0.0} / s; {cpu.TotalSeconds + dynamoCpu.TotalSeconds:0.0} CPU-seconds of the {wall.TotalSeconds * Environment.ProcessorCount:0.0} the machine's {Environment.ProcessorCount} cores offered, {dynamoCpu.TotalSeconds / (cpu.TotalSeconds + dynamoCpu.TotalSeconds):0%} of them DynamoDB Local's).");
        foreach (var failure in failures.Take(5))
        {
            sb.AppendLine(c, $"- failed: {failure}");
        }

        return sb.ToString();
    }

    private static JsonObject Request(string cluster) => new()
    {
        ["clusterIdentifier"] = cluster,
        ["requestedBy"] = "bench",
        ["reason"] = "throughput benchmark",
        ["slurmConfiguration"] = new JsonObject
        {
            ["scaleDownIdleTimeInSeconds"] = 1800,
            ["slurmCustomSettings"] = new JsonArray(new JsonObject { ["parameterName"] = "MinJobAge", ["parameterValue"] = "600" }),
        },
    };
}
