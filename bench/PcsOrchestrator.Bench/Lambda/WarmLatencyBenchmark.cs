using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PcsOrchestrator.Bench.Lambda;

/// <summary>
/// Warm invocations of every handler through the Lambda emulator and the AOT bootstrap: each step's sample event
/// (events/*Function.json) sent <c>n</c> times to one warm environment, after one unmeasured cold start. The handler
/// time is the REPORT line's Duration (GET next to the answer, what Lambda bills); the round trip adds the emulator's
/// Invoke API and the Runtime API hops.
/// </summary>
public static class WarmLatencyBenchmark
{
    /// <summary>The steps in workflow order; each sample event is valid again and again against the same world.</summary>
    public static readonly string[] Steps = ["Prepare", "Claim", "CheckReadiness", "Plan", "Apply", "Poll", "Verify", "Rollback", "Finalize", "RecordFailure"];

    /// <summary>Target of issue 8: CheckReadiness p50 at most 5 ms against the local emulator.</summary>
    public const double CheckReadinessTargetMs = 5;

    public static async Task<string> RunAsync(int invocations, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var aot = FunctionBuild.Aot(await Artifacts.AotBootstrapAsync(log, cancellationToken));
        await using var world = await FunctionWorld.StartAsync(cancellationToken);
        await using var lambda = await world.EmulatorAsync(aot, Steps, cancellationToken);
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Warm latency: {invocations:N0} invocations of each handler, Native AOT bootstrap through the Lambda emulator, against DynamoDB Local and the PCS emulator.");
        sb.AppendLine();
        sb.AppendLine("| handler | what it calls | handler p50 (ms) | handler p99 (ms) | round trip p50 (ms) | round trip p99 (ms) | errors |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|");
        double checkReadinessP50 = double.NaN;
        foreach (var step in Steps)
        {
            var function = step + "Function";
            var payload = Encoding.UTF8.GetBytes(Resources.SampleEvent(function));
            await lambda.InvokeAsync(function, payload, cancellationToken);
            var handler = new List<double>(invocations);
            var roundTrip = new List<double>(invocations);
            var errors = 0;
            for (var i = 0; i < invocations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await lambda.InvokeAsync(function, payload, cancellationToken);
                roundTrip.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                errors += result.IsError ? 1 : 0;
                if (result.Report is { } report)
                {
                    handler.Add(report.Duration.TotalMilliseconds);
                }
            }

            var h = new Stats(handler);
            var r = new Stats(roundTrip);
            if (step == "CheckReadiness")
            {
                checkReadinessP50 = h.Median;
            }

            sb.AppendLine(c, $"| {step} | {Calls(step)} | {Stats.Ms(h.Median)} | {Stats.Ms(h.P99)} | {Stats.Ms(r.Median)} | {Stats.Ms(r.P99)} | {errors} |");
        }

        sb.AppendLine();
        sb.AppendLine(c, $"Target: CheckReadiness p50 ≤ {CheckReadinessTargetMs:0} ms: {(checkReadinessP50 <= CheckReadinessTargetMs ? "met" : "NOT met")} ({Stats.Ms(checkReadinessP50)} ms).");
        return sb.ToString();
    }

    private static string Calls(string step) => step switch
    {
        "Prepare" => "nothing (parse, validate, derive keys)",
        "Claim" => "DynamoDB: window membership, key, lock, audit",
        "CheckReadiness" => "DynamoDB: lock renewal; PCS: GetCluster, ListQueues, ListComputeNodeGroups",
        "Plan" => "PCS: GetCluster; DynamoDB: audit",
        "Apply" => "DynamoDB: audit history, audit; PCS: UpdateCluster (replayed token)",
        "Poll" => "DynamoDB: lock renewal; PCS: GetCluster",
        "Verify" => "PCS: GetCluster",
        "Rollback" => "PCS: UpdateCluster (replayed token); DynamoDB: audit",
        "Finalize" => "DynamoDB: key, audit, lock",
        "RecordFailure" => "DynamoDB: audit, key, lock",
        _ => string.Empty,
    };
}
