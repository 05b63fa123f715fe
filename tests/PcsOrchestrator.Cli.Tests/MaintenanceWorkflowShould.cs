using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// The maintenance-window workflow as an operator runs it, every step a process: <c>local up --speed 600</c> (its
/// <c>env</c> block is the environment of every later command), a window for the demo cluster, three changes
/// submitted for it, the queue, one change cancelled, the window moved to open within the next two (accelerated)
/// hours, and then what the queue, the audit log and the cluster show once the window has applied the other two in
/// one UpdateCluster. The commands and their output go to the test's output (the README's example).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class MaintenanceWorkflowShould
{
    private const string Zone = "Europe/Berlin";

    private readonly StringBuilder _transcript = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueueThreeChanges_CancelOne_AndApplyTheOtherTwoInOneUpdate_WhenTheWindowOpens()
    {
        using var up = CliProcess.Start(new Dictionary<string, string>(), "local", "up", "--speed", "600");
        try
        {
            var line = await up.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(120), Ct);
            var stack = JsonNode.Parse(line ?? throw new InvalidOperationException("local up printed nothing: " + await up.StandardError.ReadToEndAsync(Ct)))!;
            _transcript.Append("$ pcs-orchestrator local up --speed 600\n").Append(line).Append("\n\n");
            var env = stack["env"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
            env.Keys.Should().Contain(["AWS_ENDPOINT_URL_SCHEDULER", "PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN", "PCS_ORCHESTRATOR_SCHEDULE_GROUP", "MAINTENANCE_TABLE_NAME", "PCS_ORCHESTRATOR_CLOCK_SPEED", "PCS_ORCHESTRATOR_CLOCK_ANCHOR"]);
            var speed = double.Parse(env["PCS_ORCHESTRATOR_CLOCK_SPEED"], CultureInfo.InvariantCulture);
            var anchor = DateTimeOffset.Parse(env["PCS_ORCHESTRATOR_CLOCK_ANCHOR"], CultureInfo.InvariantCulture);
            DateTimeOffset StackNow() => anchor + TimeSpan.FromTicks((long)((DateTimeOffset.UtcNow - anchor).Ticks * speed));
            speed.Should().Be(600);

            // A weekly window, on a day well after the stack's today (a week is 17 minutes at this speed): it must not open during the test.
            var day = TimeZoneInfo.ConvertTime(StackNow(), TimeZoneInfo.FindSystemTimeZoneById(Zone)).AddDays(3).DayOfWeek.ToString()[..3].ToUpperInvariant();
            var (exit, stdout) = await RunAsync(env, "window", "set", "demo-window", "--schedule", $"cron(0 2 ? * {day} *)", "--time-zone", Zone, "--duration", "240", "--cutoff", "60", "--clusters", "demo-cluster", "--actor", "ops@example.com");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().StartWith("Maintenance window demo-window set: version 1 in pcs-orchestrator-maintenance.");

            var ids = new List<string>();
            foreach (var submit in new[] { new[] { "submit", "events/direct-request.json", "--apply", "next-window" }, ["submit", "events/eventbridge-event.json", "--apply", "next-window"], ["submit", "events/next-window-request.json"] })
            {
                (exit, stdout) = await RunAsync(env, submit);
                exit.Should().Be(ExitCodes.Success);
                var queued = QueuedLine().Match(stdout);
                queued.Success.Should().BeTrue(stdout);
                TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(queued.Groups["opens"].Value, CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(Zone)).Hour.Should().Be(2);
                ids.Add(queued.Groups["id"].Value);
            }

            (exit, stdout) = await RunAsync(env, "queue", "list", "demo-cluster");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().Contain("3 changes of cluster demo-cluster (3 pending) in pcs-orchestrator-maintenance.");
            Rows(stdout).Select(r => r[0]).Should().Equal(ids, "submission order");

            (exit, stdout) = await RunAsync(env, "queue", "cancel", "demo-cluster", ids[1][..24], "--reason", "the sync waits for the new git layout", "--actor", "ops@example.com");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().StartWith($"Cancelled change {ids[1]} of cluster demo-cluster (queued for maintenance window demo-window): cancelled by ops@example.com: the sync waits for the new git layout.");

            // To watch the window work without waiting for its day: move it to every fourth hour (at most 24 seconds away at 600x).
            (exit, stdout) = await RunAsync(env, "window", "set", "demo-window", "--schedule", "cron(0 */4 * * ? *)", "--expected-version", "1", "--actor", "ops@example.com");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().StartWith($"Maintenance window demo-window set: version 2 in pcs-orchestrator-maintenance.\n  Changed:       --schedule: cron(0 2 ? * {day} *) → cron(0 */4 * * ? *)\n")
                .And.Contain($"  Schedule:      cron(0 */4 * * ? *) in {Zone}\n", "the zone, duration, cutoff and clusters stay as set");

            (exit, stdout) = await RunAsync(env, "window", "show", "demo-window", "--next", "3");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().Contain("is ENABLED and matches the definition.").And.Contain("Pending changes: demo-cluster 2 (2 changes;")
                .And.Contain("the window was set after this opening began, so its schedule starts the next one", "every fourth hour, the window is open when it is moved");

            var waited = Stopwatch.StartNew();
            JsonArray changes;
            do
            {
                await Task.Delay(1000, Ct);
                var (listed, json, error) = await CliProcess.RunAsync(env, "queue", "list", "demo-cluster", "--all", "--output", "json");
                listed.Should().Be(ExitCodes.Success, error);
                changes = JsonNode.Parse(json)!["changes"]!.AsArray();
            }
            while (changes.Any(c => c!["status"]!.GetValue<string>() is "pending" or "applying") && waited.Elapsed < TimeSpan.FromSeconds(120));

            (exit, stdout) = await RunAsync(env, "queue", "list", "demo-cluster", "--all");
            exit.Should().Be(ExitCodes.Success);
            Rows(stdout).Select(r => (r[0], r[2])).Should().Equal((ids[0], "applied"), (ids[1], "cancelled"), (ids[2], "applied"));
            stdout.Should().Contain("3 changes of cluster demo-cluster (2 applied, 1 cancelled) in pcs-orchestrator-maintenance.");

            (exit, stdout) = await RunAsync(env, "history", "demo-cluster");
            exit.Should().Be(ExitCodes.Success);
            var (historyExit, historyJson, _) = await CliProcess.RunAsync(env, "history", "demo-cluster", "--output", "json");
            historyExit.Should().Be(ExitCodes.Success);
            var entries = JsonNode.Parse(historyJson)!["entries"]!.AsArray().Reverse().ToList();
            entries.Select(e => e!["eventType"]!.GetValue<string>()).Should().Equal("queued", "queued", "queued", "cancelled", "requested", "planned", "update-started", "applied", "applied", "succeeded");
            entries[3]!["actor"]!.GetValue<string>().Should().Be("ops@example.com");
            entries.Where(e => e!["eventType"]!.GetValue<string>() == "applied").Select(e => e!["idempotencyKey"]!.GetValue<string>())
                .Should().Equal(changes[0]!["idempotencyKey"]!.GetValue<string>(), changes[2]!["idempotencyKey"]!.GetValue<string>());

            (exit, stdout) = await RunAsync(env, "audit", "verify", "demo-cluster");
            exit.Should().Be(ExitCodes.Success);
            stdout.Trim().Should().Be("Audit chain of cluster demo-cluster is intact: 10 entries checked (pcs-orchestrator-audit).");

            // The PCS emulator saw one UpdateCluster, with both changes merged and without the cancelled one.
            using var http = new HttpClient();
            var calls = JsonNode.Parse(await http.GetStringAsync(new Uri(new Uri(env["AWS_ENDPOINT_URL_PCS"]), "_emulator/calls"), Ct))!;
            calls["counts"]!["UpdateCluster"]!.GetValue<int>().Should().Be(1);
            var sent = JsonNode.Parse(calls["calls"]!.AsArray().Single(c => c!["operation"]!.GetValue<string>() == "UpdateCluster")!["body"]!.GetValue<string>())!["slurmConfiguration"]!;
            sent["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(1200, "the later change wins");
            sent["accounting"]!["defaultPurgeTimeInDays"]!.GetValue<int>().Should().Be(90);
            sent["cgroupCustomSettings"].Should().BeNull("the cancelled change was the only one to touch them");
            using var pcs = new PcsClient(new PcsClientOptions { Endpoint = new Uri(env["AWS_ENDPOINT_URL_PCS"]), Region = "us-east-1", Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test") });
            var configuration = (await pcs.GetClusterAsync("demo-cluster", Ct)).SlurmConfiguration!;
            configuration.ScaleDownIdleTimeInSeconds.Should().Be(1200);
            configuration.SlurmCustomSettings!.Select(s => $"{s.ParameterName}={s.ParameterValue}").Should().Equal("PriorityWeightFairshare=5000", "MinJobAge=900", "PriorityWeightAge=1000");

            // The same request again is the original outcome; a window that is gone takes nothing; a change applied now does not wait.
            (exit, stdout) = await RunAsync(env, "submit", "events/direct-request.json", "--apply", "next-window");
            exit.Should().Be(ExitCodes.Success);
            stdout.Should().StartWith("already submitted as execution demo-cluster-").And.EndWith($"(the same request; nothing new was started): queued as change {ids[0]} for maintenance window demo-window (pcs-orchestrator queue list demo-cluster --all shows what became of it)\n");

            (exit, stdout) = await RunAsync(env, "window", "delete", "demo-window");
            exit.Should().Be(ExitCodes.Success);
            stdout.Trim().Should().Be("Deleted maintenance window demo-window and its EventBridge Scheduler schedule (group pcs-orchestrator-windows).");

            var (refusedExit, refusedOut, refusedError) = await RunAsync(env, ExitCodes.Failed, "submit", "events/next-window-request.json", "--name", "chg-1043-again");
            refusedExit.Should().Be(ExitCodes.Failed);
            refusedOut.Should().BeEmpty();
            refusedError.Should().StartWith("error: execution chg-1043-again failed: NoMaintenanceWindow: cluster demo-cluster has no maintenance window: define one that covers it (pcs-orchestrator window set), or send the change with apply 'now'");

            var now = Path.Combine(Path.GetTempPath(), $"pcso-now-{Guid.NewGuid():N}.json");
            try
            {
                await File.WriteAllTextAsync(now, """{"clusterIdentifier":"demo-cluster","requestedBy":"carol@example.com","reason":"CHG-1044: urgent idle time fix","slurmConfiguration":{"scaleDownIdleTimeInSeconds":1500}}""", Ct);
                (exit, stdout) = await RunAsync(env, "submit", now, "--apply", "now");
                exit.Should().Be(ExitCodes.Success);
                stdout.Should().MatchRegex(@"^applying now: arn:aws:states:us-east-1:123456789012:execution:pcs-orchestrator-update-cluster:(?<name>demo-cluster-[0-9a-f]+); follow it with: pcs-orchestrator status \k<name>\n$");
            }
            finally
            {
                File.Delete(now);
            }

            // SIGTERM stops the stack with every child process.
            var children = ProcessTree.Descendants(up.Id);
            children.Should().NotBeEmpty();
            using (var kill = Process.Start("kill", ["-TERM", up.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            await up.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            up.ExitCode.Should().Be(0);
            children.Where(ProcessTree.Alive).Should().BeEmpty("local up leaves no child process behind");
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }

            TestContext.Current.TestOutputHelper?.WriteLine(_transcript.ToString());
        }
    }

    private async Task<(int Exit, string Stdout)> RunAsync(Dictionary<string, string> env, params string[] arguments)
    {
        var (exit, stdout, _) = await RunAsync(env, ExitCodes.Success, arguments);
        return (exit, stdout);
    }

    /// <summary>Runs one command, expecting <paramref name="expected"/>, and keeps it and its output for the transcript (stderr marked).</summary>
    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> env, int expected, params string[] arguments)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(env, arguments);
        _transcript.Append("$ pcs-orchestrator ").AppendJoin(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Contains('*', StringComparison.Ordinal) ? $"\"{a}\"" : a.StartsWith(Path.GetTempPath(), StringComparison.Ordinal) ? Path.GetFileName(a) : a)).Append('\n');
        _transcript.Append(stdout);
        if (stderr.Length > 0)
        {
            _transcript.Append("[stderr] ").Append(stderr);
        }

        _transcript.Append($"[exit {exit}]\n\n");
        exit.Should().Be(expected, stderr);
        return (exit, stdout, stderr);
    }

    /// <summary>The first line of each row of a change table: the cells.</summary>
    private static List<List<string>> Rows(string table) =>
        [.. table.Split('\n').Where(l => l.StartsWith("│ 0", StringComparison.Ordinal)).Select(l => l.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).ToList())];

    [GeneratedRegex(@"^queued as change (?<id>[0-9]{19}-[0-9a-f]{16}) for maintenance window demo-window; it opens next at (?<opens>\S+Z)\n$")]
    private static partial Regex QueuedLine();
}
