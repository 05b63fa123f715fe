using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Bench.Windows;

/// <summary>How the N changes reach the cluster.</summary>
public enum WindowsMode
{
    /// <summary>(a) each change with <c>apply: now</c>, the next one submitted when the previous run has ended.</summary>
    OneAfterAnother,

    /// <summary>(b) each change with <c>apply: next-window</c>, then the window's schedule fires and one run applies them all.</summary>
    OneWindow,
}

/// <summary>What one repetition of one row measured; the counts do not depend on the machine's load, the walls do.</summary>
public sealed record WindowsCase(
    WindowsMode Mode,
    int Changes,
    int UpdateClusterCalls,
    long StateTransitions,
    IReadOnlyDictionary<string, int> DynamoRequests,
    int PcsRequests,
    TimeSpan InEffectAfter,
    TimeSpan WaitingForWindow,
    IReadOnlyList<double> PlanWallMs,
    double WorkflowWallMs,
    string FinalConfiguration)
{
    /// <summary>Everything that should be the same in every repetition (the counts), as one comparable string.</summary>
    public string Counts => string.Create(CultureInfo.InvariantCulture,
        $"{UpdateClusterCalls}|{StateTransitions}|{PcsRequests}|{string.Join(",", DynamoRequests.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))}");
}

/// <summary>Night after night of one window on one cluster: how its run polled, and what Apply learned from.</summary>
public sealed record WindowsNights(int Changes, int Nights, long AuditEntries, IReadOnlyList<int> Polls, IReadOnlyList<int> LearnedFrom, IReadOnlyList<int> Transitions);

/// <summary>
/// What batching changes into a maintenance window costs and saves, for N changes to one cluster: (a) the N changes
/// applied one after another with <c>apply: now</c>, (b) the N changes queued with <c>apply: next-window</c> and applied
/// by one window run (its EventBridge Scheduler schedule fired on the local scheduler; the opening starts the run,
/// which merges them into one UpdateCluster). Each row and repetition gets a deployment of its own (its own tables in
/// one DynamoDB Local, its own PCS emulator and clock) with the same window on the cluster, so the two sides differ
/// only in how the changes are applied. Every row is checked: the same final configuration both ways (the expected
/// one), every change succeeded or applied, N UpdateCluster calls or one, the audit chain intact.
/// </summary>
public static class WindowsBenchmark
{
    public const string Cluster = "bench-cluster";

    /// <summary>Step Functions Standard: $0.025 per 1,000 state transitions.</summary>
    public const double DollarsPerTransition = 0.025 / 1000;

    /// <summary>Tuesday 22:00 UTC: the changes are submitted four hours before the nightly window opens.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan UpdateDuration = TimeSpan.FromMinutes(8);

    public const string Window = $$"""{"name":"nightly","schedule":"cron(0 2 * * ? *)","timeZone":"UTC","durationMinutes":240,"cutoffMinutes":60,"clusters":["{{Cluster}}"]}""";

    private static readonly string[] PreferredOrder = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "TransactWriteItems"];

    public static async Task<string> RunAsync(IReadOnlyList<int> changes, int repetitions, int nights, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(log);
        var loadBefore = LoadAverage();
        await using var dynamoLocal = await DynamoDbLocalProcess.StartAsync(cancellationToken);

        // Warm-up, not measured: both ways once, so the JVM behind DynamoDB Local and the .NET JIT have compiled their hot paths.
        foreach (var mode in Enum.GetValues<WindowsMode>())
        {
            await RunCaseAsync(mode, 5, dynamoLocal.Endpoint, cancellationToken);
        }

        await log.WriteLineAsync("windows: warm-up done");
        var rows = new List<(int N, WindowsMode Mode, List<WindowsCase> Runs)>();
        foreach (var n in changes)
        {
            var byMode = new Dictionary<WindowsMode, List<WindowsCase>> { [WindowsMode.OneAfterAnother] = [], [WindowsMode.OneWindow] = [] };
            for (var repetition = 0; repetition < repetitions; repetition++)
            {
                // Alternating which side goes first, so neither always runs on a warmer (or busier) machine.
                foreach (var mode in repetition % 2 == 0 ? new[] { WindowsMode.OneAfterAnother, WindowsMode.OneWindow } : [WindowsMode.OneWindow, WindowsMode.OneAfterAnother])
                {
                    byMode[mode].Add(await RunCaseAsync(mode, n, dynamoLocal.Endpoint, cancellationToken));
                }

                var a = byMode[WindowsMode.OneAfterAnother][^1];
                var b = byMode[WindowsMode.OneWindow][^1];
                if (a.FinalConfiguration != b.FinalConfiguration)
                {
                    throw new InvalidOperationException($"{n} changes: the cluster's final configuration differs: one after another {a.FinalConfiguration}, in one window {b.FinalConfiguration}");
                }
            }

            await log.WriteLineAsync($"windows: {n} changes done ({repetitions} repetitions of each way)");
            rows.Add((n, WindowsMode.OneAfterAnother, byMode[WindowsMode.OneAfterAnother]));
            rows.Add((n, WindowsMode.OneWindow, byMode[WindowsMode.OneWindow]));
        }

        var steady = new List<WindowsNights>();
        foreach (var n in changes)
        {
            steady.Add(await RunNightsAsync(n, nights, dynamoLocal.Endpoint, cancellationToken));
            await log.WriteLineAsync($"windows: {nights} nights of {n} changes done");
        }

        return Report(rows, repetitions, loadBefore, LoadAverage()) + Environment.NewLine + NightsReport(steady);
    }

    /// <summary>One row's repetition on a deployment of its own; throws when anything ends other than as it must.</summary>
    public static async Task<WindowsCase> RunCaseAsync(WindowsMode mode, int n, Uri dynamoEndpoint, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var clock = new SkippingClock(Start);
        await using var local = await DeployAsync(clock, dynamoEndpoint, cancellationToken);
        var clusterId = (await local.PcsClient.GetClusterAsync(Cluster, cancellationToken)).Id;
        local.Pcs.ClearCalls();

        // The workflow's DynamoDB requests only: counted from the first change to the last run's end, not the window's
        // definition (set once, before) nor the checks below.
        var counting = true;
        var dynamo = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        ((AmazonServiceClient)local.Dynamo).BeforeRequestEvent += (_, e) =>
        {
            if (Volatile.Read(ref counting) && e is WebServiceRequestEventArgs w)
            {
                dynamo.AddOrUpdate(w.Request.GetType().Name.Replace("Request", string.Empty, StringComparison.Ordinal), 1, (_, c) => c + 1);
            }
        };

        DateTimeOffset? opening = null;
        for (var i = 0; i < n; i++)
        {
            var apply = mode == WindowsMode.OneAfterAnother ? "now" : "next-window";
            var result = await local.Start($"change-{i:000}", Change(i, apply)).Completion.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            var expected = mode == WindowsMode.OneAfterAnother ? "succeeded" : "queued";
            if (result.Status != ExecutionStatus.Succeeded || result.Output?["outcome"]?.GetValue<string>() != expected)
            {
                throw new InvalidOperationException($"{Describe(mode, n)}: change {i} ended {result.Status} {result.Output?["outcome"]} {result.Error} {result.Cause}, expected {expected}");
            }

            if (mode == WindowsMode.OneWindow)
            {
                // A second between submissions: the queue's order is the submission order, whatever the timestamps' resolution.
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        if (mode == WindowsMode.OneWindow)
        {
            opening = local.Scheduler.NextFireTime() ?? throw new InvalidOperationException("the window's schedule has no next occurrence");
            clock.Advance(opening.Value - clock.GetUtcNow());
            var fired = await local.Scheduler.FireDueAsync(cancellationToken);
            if (fired.Count != 1)
            {
                throw new InvalidOperationException($"{Describe(mode, n)}: {fired.Count} schedules fired, expected the window's one");
            }
        }

        var results = await local.Executions.WhenAllCompletedAsync(TimeSpan.FromMinutes(5), cancellationToken);
        Volatile.Write(ref counting, false);
        var calls = local.Pcs.Calls;

        var updates = calls.Where(c => c.Operation == "UpdateCluster" && c.Status == 200).ToList();
        var expectedUpdates = mode == WindowsMode.OneAfterAnother ? n : 1;
        if (updates.Count != expectedUpdates || local.Pcs.AppliedUpdates(clusterId) != expectedUpdates)
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: {updates.Count} UpdateCluster calls ({local.Pcs.AppliedUpdates(clusterId)} applied), expected {expectedUpdates}");
        }

        if (results.FirstOrDefault(r => r.Status != ExecutionStatus.Succeeded) is { } failed)
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: execution {failed.Name} ended {failed.Status}: {failed.Error} {failed.Cause}");
        }

        if (mode == WindowsMode.OneWindow)
        {
            await CheckWindowAsync(local, results, n, cancellationToken);
        }

        var audit = await local.Audit.VerifyAsync(Cluster, cancellationToken);
        if (!audit.Intact)
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: the audit chain is broken at {audit.BrokenAt}: {audit.Problem}");
        }

        var cluster = await local.PcsClient.GetClusterAsync(clusterId, cancellationToken);
        if (cluster.Status != "ACTIVE")
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: the cluster ended {cluster.Status}");
        }

        CheckExpected(mode, n, cluster.SlurmConfiguration);
        var first = results[0].StartDate;
        var planWall = results.SelectMany(r => StateWalls(r, "Plan", clock)).ToList();
        return new WindowsCase(
            mode,
            n,
            updates.Count,
            results.Sum(r => (long)r.StateTransitions),
            dynamo.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            calls.Count,
            updates[^1].At + UpdateDuration - first,
            opening is { } o ? o - first : TimeSpan.Zero,
            planWall,
            results.Sum(r => clock.Wall(r.StartDate, r.StopDate).TotalMilliseconds),
            Encoding.UTF8.GetString(RequestWriter.WriteConfiguration(PcsGateway.ToView(cluster).Configuration.ToFullChange())));
    }

    /// <summary>A deployment of its own on <paramref name="clock"/>: the demo cluster, covered by the nightly window.</summary>
    private static async Task<LocalDeployment> DeployAsync(SkippingClock clock, Uri dynamoEndpoint, CancellationToken cancellationToken)
    {
        var local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = Resources.Definition,
            Time = clock,
            DynamoEndpoint = dynamoEndpoint,
            TablePrefix = "win" + Guid.NewGuid().ToString("N")[..8],
            Durations = new EmulatorDurations { Update = UpdateDuration },
            Random = new SeededRandomSource(11),
        }, cancellationToken);
        try
        {
            await local.CreateDemoClusterAsync(Cluster, cancellationToken);
            var (window, issues) = WindowDefinition.Parse(Window);
            if (window is null)
            {
                throw new InvalidOperationException("the benchmark's window does not parse: " + string.Join("; ", issues));
            }

            await local.Windows.SetAsync(window, null, "bench", cancellationToken);
            return local;
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Night after night on one cluster: N changes queued during the day, applied by that night's window. Returns,
    /// for each night, how the window run polled its update: the polls, and how many earlier updates Apply's poll
    /// schedule learned from (it reads the cluster's recent <c>succeeded</c> entries in the audit log).
    /// </summary>
    public static async Task<WindowsNights> RunNightsAsync(int n, int nights, Uri dynamoEndpoint, CancellationToken cancellationToken)
    {
        var clock = new SkippingClock(Start);
        await using var local = await DeployAsync(clock, dynamoEndpoint, cancellationToken);
        var clusterId = (await local.PcsClient.GetClusterAsync(Cluster, cancellationToken)).Id;
        var polls = new List<int>();
        var learnedFrom = new List<int>();
        var transitions = new List<int>();
        for (var night = 0; night < nights; night++)
        {
            for (var i = 0; i < n; i++)
            {
                var k = (night * n) + i;
                var queued = await local.Start($"change-{k:0000}", Change(k, "next-window")).Completion.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
                if (queued.Output?["outcome"]?.GetValue<string>() != "queued")
                {
                    throw new InvalidOperationException($"{n} changes a night, night {night + 1}: change {k} ended {queued.Status} {queued.Error} {queued.Cause}");
                }

                clock.Advance(TimeSpan.FromSeconds(1));
            }

            var before = local.Executions.All.Count;
            clock.Advance((local.Scheduler.NextFireTime() ?? throw new InvalidOperationException("the window's schedule has no next occurrence")) - clock.GetUtcNow());
            await local.Scheduler.FireDueAsync(cancellationToken);
            var tonight = (await local.Executions.WhenAllCompletedAsync(TimeSpan.FromMinutes(5), cancellationToken)).Skip(before).ToList();
            var run = tonight.SingleOrDefault(r => r.Output?["outcome"]?.GetValue<string>() == "succeeded" && r.Output?["includedChanges"]?.AsArray().Count == n)
                ?? throw new InvalidOperationException($"{n} changes a night, night {night + 1}: the window's executions ended {string.Join(", ", tonight.Select(r => $"{r.Status} {r.Output?["outcome"]} {r.Error}"))}");
            polls.Add(run.Output!["polls"]!.GetValue<int>());
            transitions.Add(run.StateTransitions);
            var apply = run.History.Last(e => e.Type == "TaskStateExited" && e.Details?["name"]?.GetValue<string>() == "Apply").Details!["output"]!.GetValue<string>();
            learnedFrom.Add(JsonNode.Parse(apply)!["apply"]!["schedule"]!["basedOn"]!.GetValue<int>());

            // The next day, at 22:00 again.
            clock.Advance(TimeSpan.FromHours(20));
        }

        if (local.Pcs.AppliedUpdates(clusterId) != nights)
        {
            throw new InvalidOperationException($"{n} changes a night: {local.Pcs.AppliedUpdates(clusterId)} updates applied in {nights} nights");
        }

        var queue = await local.Queue.ListAsync(Cluster, all: true, cancellationToken);
        if (queue.Count != n * nights || queue.Any(c => c.Status != QueuedChangeStatus.Applied))
        {
            throw new InvalidOperationException($"{n} changes a night: the queue holds {queue.Count} changes, {queue.Count(c => c.Status == QueuedChangeStatus.Applied)} applied, expected {n * nights}");
        }

        var audit = await local.Audit.VerifyAsync(Cluster, cancellationToken);
        if (!audit.Intact)
        {
            throw new InvalidOperationException($"{n} changes a night: the audit chain is broken at {audit.BrokenAt}: {audit.Problem}");
        }

        return new WindowsNights(n, nights, audit.Checked, polls, learnedFrom, transitions);
    }

    /// <summary>Every change was queued, the opening started one run, the run took them all and applied them, each change is applied.</summary>
    private static async Task CheckWindowAsync(LocalDeployment local, IReadOnlyList<ExecutionResult> results, int n, CancellationToken cancellationToken)
    {
        var outcomes = results.Select(r => r.Output?["outcome"]?.GetValue<string>()).ToList();
        if (results.Count != n + 2 || outcomes.Count(o => o == "queued") != n || outcomes.Count(o => o == "opened") != 1 || outcomes.Count(o => o == "succeeded") != 1)
        {
            throw new InvalidOperationException($"{Describe(WindowsMode.OneWindow, n)}: executions ended {string.Join(", ", outcomes)}; expected {n} queued, one opened, one succeeded");
        }

        var run = results.Single(r => r.Output?["outcome"]?.GetValue<string>() == "succeeded");
        if (run.Output?["includedChanges"]?.AsArray().Count != n)
        {
            throw new InvalidOperationException($"{Describe(WindowsMode.OneWindow, n)}: the window run included {run.Output?["includedChanges"]?.AsArray().Count} changes, expected {n}");
        }

        var queue = await local.Queue.ListAsync(Cluster, all: true, cancellationToken);
        if (queue.Count != n || queue.Any(c => c.Status != QueuedChangeStatus.Applied))
        {
            throw new InvalidOperationException($"{Describe(WindowsMode.OneWindow, n)}: the queue holds {string.Join(", ", queue.Select(c => QueuedChangeStatuses.Name(c.Status)))}; expected {n} applied");
        }
    }

    /// <summary>The configuration the N changes must leave, later changes winning, checked field by field.</summary>
    private static void CheckExpected(WindowsMode mode, int n, ClusterSlurmConfiguration? actual)
    {
        int? last(int kind) => Enumerable.Range(0, n).Where(i => i % 4 == kind).Select(i => (int?)i).LastOrDefault();
        var settings = (actual?.SlurmCustomSettings ?? []).ToDictionary(s => s.ParameterName ?? string.Empty, s => s.ParameterValue, StringComparer.Ordinal);
        var expected = new (string What, string? Want, string? Got)[]
        {
            ("scaleDownIdleTimeInSeconds", last(0) is { } a ? Idle(a).ToString(CultureInfo.InvariantCulture) : "600", actual?.ScaleDownIdleTimeInSeconds?.ToString(CultureInfo.InvariantCulture)),
            ("MinJobAge", last(1) is { } b ? MinJobAge(b).ToString(CultureInfo.InvariantCulture) : "300", settings.GetValueOrDefault("MinJobAge")),
            ("defaultPurgeTimeInDays", last(2) is { } c ? PurgeDays(c).ToString(CultureInfo.InvariantCulture) : "30", actual?.Accounting?.DefaultPurgeTimeInDays?.ToString(CultureInfo.InvariantCulture)),
            ("PriorityWeightAge", last(3) is { } d ? PriorityWeightAge(d).ToString(CultureInfo.InvariantCulture) : null, settings.GetValueOrDefault("PriorityWeightAge")),
            ("PriorityWeightFairshare", "5000", settings.GetValueOrDefault("PriorityWeightFairshare")),
        };
        if (expected.FirstOrDefault(e => e.Want != e.Got) is { What: not null } wrong)
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: the cluster ended with {wrong.What} = {wrong.Got ?? "(absent)"}, expected {wrong.Want ?? "(absent)"}");
        }

        if (settings.Count != (last(3) is null ? 2 : 3))
        {
            throw new InvalidOperationException($"{Describe(mode, n)}: the cluster ended with Slurm settings {string.Join(", ", settings.Keys)}");
        }
    }

    /// <summary>The wall time of every visit to a Task state (entered to exited, the skipped waits taken out).</summary>
    private static IEnumerable<double> StateWalls(ExecutionResult result, string state, SkippingClock clock)
    {
        DateTimeOffset? entered = null;
        foreach (var e in result.History)
        {
            var name = e.Details?["name"]?.GetValue<string>();
            if (e.Type == "TaskStateEntered" && name == state)
            {
                entered = e.Timestamp;
            }
            else if (e.Type == "TaskStateExited" && name == state && entered is { } from)
            {
                yield return clock.Wall(from, e.Timestamp).TotalMilliseconds;
                entered = null;
            }
        }
    }

    /// <summary>Change i of N: four kinds in turn, each value new, so every change applied now is a real update and a window's merge has conflicts to settle.</summary>
    public static JsonObject Change(int i, string apply)
    {
        var configuration = (i % 4) switch
        {
            0 => new JsonObject { ["scaleDownIdleTimeInSeconds"] = Idle(i) },
            1 => new JsonObject { ["slurmCustomSettings"] = new JsonArray(Setting("MinJobAge", MinJobAge(i))) },
            2 => new JsonObject { ["accounting"] = new JsonObject { ["defaultPurgeTimeInDays"] = PurgeDays(i) } },
            _ => new JsonObject { ["slurmCustomSettings"] = new JsonArray(Setting("PriorityWeightAge", PriorityWeightAge(i))) },
        };
        return new JsonObject
        {
            ["clusterIdentifier"] = Cluster,
            ["idempotencyKey"] = string.Create(CultureInfo.InvariantCulture, $"CHG-{i:000}"),
            ["requestedBy"] = "bench",
            ["reason"] = string.Create(CultureInfo.InvariantCulture, $"windows benchmark, change {i}"),
            ["slurmConfiguration"] = configuration,
            ["apply"] = apply,
        };
    }

    private static int Idle(int i) => 900 + (60 * i);

    private static int MinJobAge(int i) => 600 + (10 * i);

    private static int PurgeDays(int i) => 60 + i;

    private static int PriorityWeightAge(int i) => 1000 + i;

    private static JsonObject Setting(string name, int value) => new() { ["parameterName"] = name, ["parameterValue"] = value.ToString(CultureInfo.InvariantCulture) };

    private static string Describe(WindowsMode mode, int n) => string.Create(CultureInfo.InvariantCulture, $"{n} changes {(mode == WindowsMode.OneAfterAnother ? "one after another" : "in one window")}");

    private static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Report(List<(int N, WindowsMode Mode, List<WindowsCase> Runs)> rows, int repetitions, string? loadBefore, string? loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        var operations = rows.SelectMany(r => r.Runs[0].DynamoRequests.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(op => Array.IndexOf(PreferredOrder, op) is var i and >= 0 ? i : PreferredOrder.Length).ThenBy(op => op, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Maintenance windows: N changes to one emulated cluster, (a) applied one after another with `apply: now` (each submitted when the previous run ended), (b) queued with `apply: next-window` at 22:00 UTC, a second apart, and applied by one run of the nightly window (`cron(0 2 * * ? *)` UTC, 4 h, cutoff 60 min) when its schedule fires; handlers in process, DynamoDB Local, PCS emulator with 8-minute updates, on a clock that skips every wait; {repetitions} repetition{(repetitions == 1 ? string.Empty : "s")} of each row after an unmeasured warm-up, alternating which way goes first.");
        sb.AppendLine();
        sb.Append("| changes | applied | UpdateCluster calls | state transitions | Step Functions $ | DynamoDB requests |");
        foreach (var op in operations)
        {
            sb.Append(c, $" {op} |");
        }

        sb.AppendLine(" PCS requests | all in effect after (virtual) | of which waiting for the window | Plan step wall p50 (ms) | workflow wall p50 (ms) |");
        sb.AppendLine("|--:|---|--:|--:|--:|--:|" + string.Concat(operations.Select(_ => "--:|")) + "--:|--:|--:|--:|--:|");
        var varied = new List<string>();
        foreach (var (n, mode, runs) in rows)
        {
            var first = runs[0];
            if (runs.Any(r => r.Counts != first.Counts))
            {
                varied.Add(Describe(mode, n));
            }

            sb.Append(c, $"| {n} | {(mode == WindowsMode.OneAfterAnother ? "(a) now, one after another" : "(b) in one window")} | {first.UpdateClusterCalls:N0} | {first.StateTransitions:N0} | {first.StateTransitions * DollarsPerTransition:0.00000} | {first.DynamoRequests.Values.Sum():N0} |");
            foreach (var op in operations)
            {
                sb.Append(c, $" {first.DynamoRequests.GetValueOrDefault(op):N0} |");
            }

            var inEffect = TimeSpan.FromTicks((long)new Stats(runs.Select(r => (double)r.InEffectAfter.Ticks)).Median);
            var waiting = TimeSpan.FromTicks((long)new Stats(runs.Select(r => (double)r.WaitingForWindow.Ticks)).Median);
            sb.AppendLine(c, $" {first.PcsRequests:N0} | {Duration(inEffect)} | {(mode == WindowsMode.OneWindow ? Duration(waiting) : "–")} | {Stats.Ms(new Stats(runs.SelectMany(r => r.PlanWallMs)).Median)} | {Stats.Ms(new Stats(runs.Select(r => r.WorkflowWallMs)).Median)} |");
        }

        sb.AppendLine();
        foreach (var group in rows.GroupBy(r => r.N))
        {
            var a = group.Single(r => r.Mode == WindowsMode.OneAfterAnother).Runs[0];
            var b = group.Single(r => r.Mode == WindowsMode.OneWindow).Runs[0];
            var aEffect = new Stats(group.Single(r => r.Mode == WindowsMode.OneAfterAnother).Runs.Select(r => (double)r.InEffectAfter.Ticks)).Median;
            var bEffect = new Stats(group.Single(r => r.Mode == WindowsMode.OneWindow).Runs.Select(r => (double)r.InEffectAfter.Ticks)).Median;
            sb.AppendLine(c, $"- {group.Key} change{(group.Key == 1 ? string.Empty : "s")}: the window makes {b.UpdateClusterCalls} UpdateCluster call instead of {a.UpdateClusterCalls}, {Ratio(b.StateTransitions, a.StateTransitions)} the state transitions (${b.StateTransitions * DollarsPerTransition:0.00000} instead of ${a.StateTransitions * DollarsPerTransition:0.00000}), {Ratio(b.DynamoRequests.Values.Sum(), a.DynamoRequests.Values.Sum())} the DynamoDB requests, {Ratio(b.PcsRequests, a.PcsRequests)} the PCS requests; every change is in effect after {Duration(TimeSpan.FromTicks((long)bEffect))} instead of {Duration(TimeSpan.FromTicks((long)aEffect))}.");
        }

        sb.AppendLine();
        sb.AppendLine(c, $"Correct in every row and repetition: the same final configuration both ways (the expected one, later changes winning), every change `succeeded` (a) or `queued` then `applied` (b), N UpdateCluster calls (a) or one (b), the audit chain intact. Counts {(varied.Count == 0 ? "identical in every repetition" : "VARIED between repetitions in: " + string.Join("; ", varied) + " (the first repetition's are shown)")}.");
        sb.AppendLine(c, $"Wall columns are load-sensitive (p50 over every Plan step of the row's repetitions, and over the repetitions' sums of every execution's wall time, skipped waits excluded); load average before {loadBefore ?? "n/a"}, after {loadAfter ?? "n/a"}.");
        return sb.ToString();
    }

    private static string NightsReport(List<WindowsNights> steady)
    {
        var c = CultureInfo.InvariantCulture;
        var nights = steady[0].Nights;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Nightly windows, steady state: one cluster, N changes queued each day and applied by that night's window run, {nights} nights in a row. Apply learns when to poll from the durations in the cluster's recent `succeeded` audit entries (once 5 are found, among the newest 2,000 entries, a query filtered on the event type); without them it polls every 30 s.");
        sb.AppendLine();
        sb.AppendLine(c, $"| changes per night | audit entries per night | window run polls, night 1 | polls, night {nights} | earlier updates learned from, night {nights} | window run state transitions, night 1 | night {nights} |");
        sb.AppendLine("|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var s in steady)
        {
            sb.AppendLine(c, $"| {s.Changes} | {(double)s.AuditEntries / s.Nights:0} | {s.Polls[0]} | {s.Polls[^1]} | {s.LearnedFrom[^1]} | {s.Transitions[0]} | {s.Transitions[^1]} |");
        }

        return sb.ToString();
    }

    private static string Ratio(double part, double whole) => whole == 0 ? "n/a" : (part / whole).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>A virtual span to the nearest minute: "4 h 08 min", "17 min".</summary>
    private static string Duration(TimeSpan span)
    {
        var minutes = (long)Math.Round(span.TotalMinutes, MidpointRounding.AwayFromZero);
        return minutes >= 60
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes / 60} h {minutes % 60:00} min")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes} min");
    }
}
