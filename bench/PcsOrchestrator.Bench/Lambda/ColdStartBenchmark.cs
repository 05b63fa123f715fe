using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace PcsOrchestrator.Bench.Lambda;

/// <summary>One cold start: init (process start to its first GET next), first response (process start to
/// CheckReadiness's answer) and the process's peak resident set at that answer.</summary>
public readonly record struct ColdStart(double InitMs, double FirstResponseMs, long PeakRssBytes);

/// <summary>
/// Cold starts of the AOT bootstrap and of the same code under the JIT, side by side: each run starts a fresh
/// execution environment of each build (in alternating order) and sends it the CheckReadiness sample event, which
/// renews the cluster lock in DynamoDB Local and reads the cluster, its queues and node groups from the PCS emulator.
/// </summary>
public static class ColdStartBenchmark
{
    public const string Step = "CheckReadiness";

    /// <summary>Targets of issue 8: AOT init median at most 30 ms, AOT first response at least 5 times faster, package at most 10 MB zipped.</summary>
    public const double InitTargetMs = 30;
    public const double SpeedupTarget = 5;
    public const long PackageTargetBytes = 10L * 1024 * 1024;

    public static async Task<string> RunAsync(int runs, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var aot = FunctionBuild.Aot(await Artifacts.AotBootstrapAsync(log, cancellationToken));
        var jit = FunctionBuild.Jit(Artifacts.JitDll);
        await using var world = await FunctionWorld.StartAsync(cancellationToken);
        var payload = Encoding.UTF8.GetBytes(Resources.SampleEvent(Step + "Function"));
        var results = new Dictionary<FunctionBuild, List<ColdStart>> { [aot] = [], [jit] = [] };

        // One unmeasured start of each warms the file cache and the emulators, as a deployed function's image is warm.
        await MeasureAsync(world, aot, payload, cancellationToken);
        await MeasureAsync(world, jit, payload, cancellationToken);
        for (var run = 0; run < runs; run++)
        {
            foreach (var build in run % 2 == 0 ? new[] { aot, jit } : [jit, aot])
            {
                results[build].Add(await MeasureAsync(world, build, payload, cancellationToken));
            }
        }

        return Report(runs, results[aot], results[jit], await ZippedSizeAsync(aot.Command, cancellationToken), new FileInfo(aot.Command).Length);
    }

    private static async Task<ColdStart> MeasureAsync(FunctionWorld world, FunctionBuild build, byte[] payload, CancellationToken cancellationToken)
    {
        await using var lambda = await world.EmulatorAsync(build, [Step], cancellationToken);
        var result = await lambda.InvokeAsync(Step + "Function", payload, cancellationToken);
        if (result.IsError || result.Report?.InitDuration is not { } init)
        {
            throw new InvalidOperationException($"{build.Name} {Step} failed: {result.ErrorType}: {result.ErrorMessage}");
        }

        return new ColdStart(init.TotalMilliseconds, (init + result.Report.Duration).TotalMilliseconds, result.Report.MaxMemoryUsedBytes ?? 0);
    }

    /// <summary>The deployment package as <c>sam deploy</c> uploads it: a zip holding the bootstrap.</summary>
    private static async Task<long> ZippedSizeAsync(string bootstrap, CancellationToken cancellationToken)
    {
        using var zipped = new MemoryStream();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            await zip.CreateEntryFromFileAsync(bootstrap, "bootstrap", CompressionLevel.Optimal, cancellationToken);
        }

        return zipped.Length;
    }

    private static string Report(int runs, List<ColdStart> aot, List<ColdStart> jit, long zipBytes, long binaryBytes)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Cold start: {runs} runs of each build, alternating; CheckReadiness sample event (lock renewal in DynamoDB Local, GetCluster + ListQueues + ListComputeNodeGroups on the PCS emulator).");
        sb.AppendLine();
        sb.AppendLine("| build | init p50 (ms) | init p95 (ms) | first response p50 (ms) | first response p95 (ms) | peak RSS p50 (MiB) |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|");
        foreach (var (name, sample) in new[] { ("Native AOT", aot), ("JIT", jit) })
        {
            var init = new Stats(sample.Select(s => s.InitMs));
            var first = new Stats(sample.Select(s => s.FirstResponseMs));
            var rss = new Stats(sample.Select(s => (double)s.PeakRssBytes));
            sb.AppendLine(c, $"| {name} | {Stats.Ms(init.Median)} | {Stats.Ms(init.P95)} | {Stats.Ms(first.Median)} | {Stats.Ms(first.P95)} | {Stats.MiB(rss.Median)} |");
        }

        var aotInit = new Stats(aot.Select(s => s.InitMs)).Median;
        var speedup = new Stats(jit.Select(s => s.FirstResponseMs)).Median / new Stats(aot.Select(s => s.FirstResponseMs)).Median;
        sb.AppendLine();
        sb.AppendLine(c, $"JIT ÷ AOT, first response p50: {Stats.Ratio(speedup)}. Package: bootstrap {Stats.MiB(binaryBytes)} MiB, zipped {Stats.MiB(zipBytes)} MiB ({zipBytes:N0} bytes).");
        sb.AppendLine(c, $"Targets: AOT init p50 ≤ {InitTargetMs:0} ms: {Verdict(aotInit <= InitTargetMs)} ({Stats.Ms(aotInit)} ms); first response ≥ {SpeedupTarget:0}× faster: {Verdict(speedup >= SpeedupTarget)} ({Stats.Ratio(speedup)}); package ≤ 10 MB zipped: {Verdict(zipBytes <= PackageTargetBytes)}.");
        return sb.ToString();
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";
}
