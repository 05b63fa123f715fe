using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Local;
using PcsOrchestrator.Operations;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// <c>window set|list|show|delete</c> as processes against DynamoDB Local and the project's local EventBridge
/// Scheduler (on a fake clock, so nothing fires): what the maintenance table and the schedule hold afterwards.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WindowCommandsShould(DynamoDbLocal dynamoDb) : TablesTest(dynamoDb, "win"), IClassFixture<DynamoDbLocal>
{
    private const string StateMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:pcs-orchestrator-update-cluster";
    private const string Role = "arn:aws:iam::123456789012:role/pcs-orchestrator-scheduler";
    private const string Group = "pcs-orchestrator-windows";

    private SchedulerEndpoint _scheduler = null!;

    private MaintenanceStore Store => new(Dynamo, Tables.Maintenance, TimeProvider.System);

    /// <summary>What local up's env block gives the commands: every table, endpoint, ARN and group by variable.</summary>
    private Dictionary<string, string> Environment => new()
    {
        ["AWS_ENDPOINT_URL_DYNAMODB"] = Endpoint,
        ["AWS_ENDPOINT_URL_SCHEDULER"] = _scheduler.Endpoint.ToString(),
        ["MAINTENANCE_TABLE_NAME"] = Tables.Maintenance,
        ["AUDIT_TABLE_NAME"] = Tables.Audit,
        ["PCS_ORCHESTRATOR_STATE_MACHINE_ARN"] = StateMachine,
        ["PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN"] = Role,
        ["PCS_ORCHESTRATOR_SCHEDULE_GROUP"] = Group,
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _scheduler = await SchedulerEndpoint.StartAsync(new SchedulerEndpointOptions { Time = new FakeTimeProvider(DateTimeOffset.UtcNow) }, Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task SetAWindowFromFlags_WithItsScheduleInTheGroup_ThenListAndShowIt()
    {
        var (exit, stdout, stderr) = await WindowAsync("set", "sunday-night", "--schedule", "cron(0 2 ? * SUN *)", "--time-zone", "Europe/Berlin", "--duration", "240", "--cutoff", "60",
            "--clusters", "pcs-a,pcs-b", "--clusters", "pcs-c", "--drift", "report", "--description", "weekly patch night", "--actor", "alice@example.com");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().StartWith($"Maintenance window sunday-night set: version 1 in {Tables.Maintenance}.");
        stdout.Should().Contain("  Schedule:      cron(0 2 ? * SUN *) in Europe/Berlin\n")
            .And.Contain("  Duration:      240 min, cutoff 60 min (an update starts at the latest 180 min after the opening)\n")
            .And.Contain("  Clusters:      pcs-a, pcs-b, pcs-c\n")
            .And.Contain("  Drift:         report\n")
            .And.MatchRegex(@"  Next opening:  \d{4}-\d\d-\d\d (00|01):00 UTC \(\d{4}-\d\d-\d\d 02:00 \+0[12]:00 Europe/Berlin\)\n");
        var schedule = _scheduler.Schedules.Should().ContainSingle().Which.Definition;
        schedule.Name.Should().Be("sunday-night");
        schedule.GroupName.Should().Be(Group);
        schedule.ScheduleExpression.Should().Be("cron(0 2 ? * SUN *)");
        schedule.ScheduleExpressionTimezone.Should().Be("Europe/Berlin");
        schedule.State.Should().Be("ENABLED");
        schedule.FlexibleTimeWindow!.Mode.Should().Be("OFF");
        schedule.Target!.Arn.Should().Be(StateMachine);
        schedule.Target.RoleArn.Should().Be(Role);
        schedule.Target.Input.Should().Be(WindowAdministration.InputFor("sunday-night"));
        var stored = await Store.GetWindowAsync("sunday-night", Ct);
        stored!.Clusters.Should().Equal("pcs-a", "pcs-b", "pcs-c");
        stored.UpdatedBy.Should().Be("alice@example.com");

        (exit, stdout, stderr) = await WindowAsync("list", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var listed = JsonNode.Parse(stdout)!["windows"]!.AsArray().Should().ContainSingle().Subject!;
        listed["name"]!.GetValue<string>().Should().Be("sunday-night");
        listed["version"]!.GetValue<long>().Should().Be(1);
        listed["definition"]!["clusters"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("pcs-a", "pcs-b", "pcs-c");
        var opens = listed["nextOpening"]!["start"]!.GetValue<DateTimeOffset>();
        opens.Should().BeAfter(DateTimeOffset.UtcNow).And.BeBefore(DateTimeOffset.UtcNow.AddDays(7).AddHours(1));
        TimeZoneInfo.ConvertTime(opens, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).DayOfWeek.Should().Be(DayOfWeek.Sunday);

        (exit, stdout, stderr) = await WindowAsync("list");

        exit.Should().Be(ExitCodes.Success, stderr);
        var row = stdout.Split('\n').Single(l => l.StartsWith("│ sunday-night", StringComparison.Ordinal));
        Cells(row).Should().Equal("sunday-night", "cron(0 2 ? * SUN *)", "Europe/Berlin", "240", "60", "pcs-a, pcs-b, pcs-c", $"{opens.UtcDateTime:yyyy-MM-dd HH:mm} UTC", "1");

        (exit, stdout, stderr) = await WindowAsync("show", "sunday-night", "--next", "3");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().StartWith("Maintenance window sunday-night: version 1, updated ").And.Contain(" by alice@example.com ");
        stdout.Split('\n').Count(l => l.StartsWith("│ ", StringComparison.Ordinal) && l.Contains(" 02:00 +0", StringComparison.Ordinal)).Should().Be(3, "three openings, each at 02:00 Berlin time");
        stdout.Should().Contain($"Schedule: {_scheduler.ScheduleArn(Group, "sunday-night")} is ENABLED and matches the definition.")
            .And.Contain("Pending changes: pcs-a 0, pcs-b 0, pcs-c 0 (0 changes;");
    }

    [Fact]
    public async Task ShowTheOpeningsAcrossADaylightSavingChange_InUtcAndInTheWindowsZone()
    {
        // Every Sunday of March at 03:00 New York time: the second Sunday is the day EST (-05:00) becomes EDT (-04:00).
        var (exit, _, stderr) = await WindowAsync("set", "new-york", "--schedule", "cron(0 3 ? 3 1 *)", "--time-zone", "America/New_York", "--duration", "120", "--cutoff", "30", "--clusters", "pcs-ny");
        exit.Should().Be(ExitCodes.Success, stderr);

        (exit, var stdout, stderr) = await WindowAsync("show", "new-york", "--next", "6", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var openings = JsonNode.Parse(stdout)!["occurrences"]!.AsArray().Select(o => new
        {
            Start = o!["start"]!.GetValue<DateTimeOffset>(),
            StartLocal = o["startLocal"]!.GetValue<string>(),
            LatestStart = o["latestStart"]!.GetValue<DateTimeOffset>(),
            End = o["end"]!.GetValue<DateTimeOffset>(),
            EndLocal = o["endLocal"]!.GetValue<string>(),
        }).ToList();
        openings.Should().HaveCount(6);
        openings.Should().OnlyContain(o => o.StartLocal.Substring(11, 8) == "03:00:00" && o.EndLocal.Substring(11, 8) == "05:00:00", "the window keeps its local time");
        openings.Should().OnlyContain(o => o.End - o.Start == TimeSpan.FromHours(2) && o.End - o.LatestStart == TimeSpan.FromMinutes(30));
        var change = Enumerable.Range(1, openings.Count - 1).First(i => openings[i].StartLocal.EndsWith("-04:00", StringComparison.Ordinal) && openings[i - 1].StartLocal.EndsWith("-05:00", StringComparison.Ordinal));
        (openings[change - 1].Start.UtcDateTime.Hour, openings[change].Start.UtcDateTime.Hour).Should().Be((8, 7), "03:00 EST is 08:00 UTC, 03:00 EDT 07:00 UTC");
        (openings[change].Start - openings[change - 1].Start).Should().Be(TimeSpan.FromDays(7) - TimeSpan.FromHours(1), "the week of the change is an hour shorter");
        openings[change].Start.DayOfWeek.Should().Be(DayOfWeek.Sunday);
        openings[change].Start.Day.Should().BeInRange(8, 14, "US daylight saving time starts on the second Sunday of March");

        (exit, stdout, stderr) = await WindowAsync("show", "new-york", "--next", "6");

        exit.Should().Be(ExitCodes.Success, stderr);
        var before = openings[change - 1].Start.UtcDateTime;
        var after = openings[change].Start.UtcDateTime;
        Cells(stdout.Split('\n').Single(l => l.StartsWith("│ ", StringComparison.Ordinal) && l.Contains($" {before:yyyy-MM-dd} 08:00 ", StringComparison.Ordinal)))[1..].Should().Equal(
            $"{before:yyyy-MM-dd} 08:00", $"{before:yyyy-MM-dd} 03:00 -05:00", $"{before:yyyy-MM-dd} 09:30", $"{before:yyyy-MM-dd} 04:30 -05:00", $"{before:yyyy-MM-dd} 10:00", $"{before:yyyy-MM-dd} 05:00 -05:00");
        Cells(stdout.Split('\n').Single(l => l.StartsWith("│ ", StringComparison.Ordinal) && l.Contains($" {after:yyyy-MM-dd} 07:00 ", StringComparison.Ordinal)))[1..].Should().Equal(
            $"{after:yyyy-MM-dd} 07:00", $"{after:yyyy-MM-dd} 03:00 -04:00", $"{after:yyyy-MM-dd} 08:30", $"{after:yyyy-MM-dd} 04:30 -04:00", $"{after:yyyy-MM-dd} 09:00", $"{after:yyyy-MM-dd} 05:00 -04:00");
    }

    [Fact]
    public async Task RefuseAClusterThatIsInAnotherWindow_AndAChangeToAVersionThatIsNoLongerCurrent()
    {
        (await WindowAsync("set", "first", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-shared")).Exit.Should().Be(ExitCodes.Success);

        var (exit, stdout, stderr) = await WindowAsync("set", "second", "--schedule", "cron(0 3 ? * SAT *)", "--duration", "60", "--clusters", "pcs-own,pcs-shared");

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        stderr.Trim().Should().Be("error: cluster pcs-shared already belongs to maintenance window 'first': remove it there before adding it to 'second'; nothing was written");
        (await Store.GetWindowAsync("second", Ct)).Should().BeNull();
        (await Store.WindowOfClusterAsync("pcs-own", Ct)).Should().BeNull();
        _scheduler.Schedules.Select(s => s.Definition.Name).Should().Equal("first");

        (exit, _, stderr) = await WindowAsync("set", "first", "--schedule", "cron(0 4 ? * SUN *)", "--duration", "60", "--clusters", "pcs-shared", "--expected-version", "0");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("maintenance window 'first' is at version 1, not absent as expected");

        (exit, _, stderr) = await WindowAsync("set", "first", "--schedule", "cron(0 4 ? * SUN *)", "--duration", "60", "--clusters", "pcs-shared", "--expected-version", "7");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("maintenance window 'first' is at version 1, not at version 7 as expected: read it again and reapply the change; nothing was written");
        _scheduler.Schedules.Single().Definition.ScheduleExpression.Should().Be("cron(0 2 ? * SUN *)", "a refused change leaves the schedule alone");

        (exit, stdout, stderr) = await WindowAsync("set", "first", "--schedule", "cron(0 4 ? * SUN *)", "--duration", "60", "--clusters", "pcs-shared", "--expected-version", "1", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        JsonNode.Parse(stdout)!["version"]!.GetValue<long>().Should().Be(2);
        _scheduler.Schedules.Single().Definition.ScheduleExpression.Should().Be("cron(0 4 ? * SUN *)");
    }

    [Fact]
    public async Task ChangeOnlyTheMembersTheFlagsGive_OfAWindowThatExists_AndEverythingWithReplace()
    {
        (await WindowAsync("set", "patch-night", "--schedule", "cron(0 2 ? * SUN *)", "--time-zone", "Europe/Berlin", "--duration", "240", "--cutoff", "60",
            "--clusters", "pcs-p", "--drift", "report", "--description", "weekly patch night")).Exit.Should().Be(ExitCodes.Success);

        var (exit, stdout, stderr) = await WindowAsync("set", "patch-night", "--cutoff", "30", "--clusters", "pcs-p,pcs-q", "--actor", "bob@example.com");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().StartWith($"Maintenance window patch-night set: version 2 in {Tables.Maintenance}.\n  Changed:       --cutoff: 60 → 30; --clusters: pcs-p → pcs-p, pcs-q\n");
        var (window, _) = Domain.Windows.WindowDefinition.Parse((await Store.GetWindowAsync("patch-night", Ct))!.Definition);
        window!.Schedule.Zone.Id.Should().Be("Europe/Berlin", "a member no flag gave keeps its stored value");
        window.Schedule.Duration.Should().Be(TimeSpan.FromHours(4));
        window.Schedule.Cutoff.Should().Be(TimeSpan.FromMinutes(30));
        window.Drift.Should().Be(Domain.Windows.DriftMode.Report);
        window.Description.Should().Be("weekly patch night");
        (await Store.WindowOfClusterAsync("pcs-q", Ct)).Should().Be("patch-night");
        _scheduler.Schedules.Single().Definition.ScheduleExpressionTimezone.Should().Be("Europe/Berlin");

        (exit, stdout, stderr) = await WindowAsync("set", "patch-night", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var report = JsonNode.Parse(stdout)!;
        report["version"]!.GetValue<long>().Should().Be(3, "the definition and its schedule are written again");
        report["changed"]!.AsArray().Should().BeEmpty();

        (exit, _, stderr) = await WindowAsync("set", "patch-night", "--duration", "20");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("--cutoff: must be at least 0 and shorter than the window's duration", "the stored cutoff (30) is checked with the new duration");
        (await Store.GetWindowAsync("patch-night", Ct))!.Version.Should().Be(3);

        (exit, stdout, stderr) = await WindowAsync("set", "patch-night", "--replace", "--schedule", "cron(0 3 ? * SAT *)", "--duration", "60", "--clusters", "pcs-p");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().NotContain("Changed:");
        (window, _) = Domain.Windows.WindowDefinition.Parse((await Store.GetWindowAsync("patch-night", Ct))!.Definition);
        window!.Schedule.Zone.Id.Should().Be("UTC", "--replace: what no flag gives is back to its default");
        window.Drift.Should().Be(Domain.Windows.DriftMode.Off);
        window.Description.Should().BeNull();
        (await Store.WindowOfClusterAsync("pcs-q", Ct)).Should().BeNull("the cluster the replacement left out is free again");

        (exit, _, stderr) = await WindowAsync("set", "patch-night", "--cutoff", "10", "--expected-version", "3");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("maintenance window 'patch-night' is at version 4, not at version 3 as expected");
    }

    [Fact]
    public async Task ReportEveryBadFlagWithItsRule_AndWriteNothing()
    {
        var (exit, stdout, stderr) = await WindowAsync("set", "bad", "--schedule", "cron(0 2 * * SUN *)", "--time-zone", "Mars/Olympus", "--duration", "0", "--cutoff", "-5",
            "--clusters", "pcs-a,pcs-a", "--default-apply", "later", "--drift", "fix");

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        var lines = stderr.Trim().Split('\n');
        lines[0].Should().Be("error: the window is invalid (7 issues); nothing was written:");
        lines.Skip(1).Select(l => l.Trim()).Should().BeEquivalentTo(
            "--clusters: names a cluster already listed [conflict] (got pcs-a)",
            "--default-apply: must be 'now' or 'next-window' [enum] (got later)",
            "--drift: must be 'off', 'report' (record drift) or 'correct' (record it and restore the last applied configuration) [enum] (got fix)",
            "--time-zone: is not a time zone this system knows (use an IANA name such as Europe/Berlin or UTC) [time-zone] (got Mars/Olympus)",
            "--duration: must be between 1 and 1440 minutes [range] (got 0)",
            "--cutoff: must be at least 0 and shorter than the window's duration (no update could ever start otherwise) [range] (got -5)",
            "--schedule: exactly one of day-of-month and day-of-week must be '?', as EventBridge requires [pattern] (got 0 2 * * SUN *)");

        (exit, _, stderr) = await WindowAsync("set", "rated", "--schedule", "rate(1 hour)", "--duration", "30", "--clusters", "pcs-a");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("  --anchor: is required with a rate(...) schedule: the instant the first window opens [required]");

        (exit, _, stderr) = await WindowAsync("set", "default", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-a");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().StartWith("error: 'default' is the stack's own window, set by its template parameters (DefaultWindowSchedule,");

        (await Store.ListWindowsAsync(Ct)).Should().BeEmpty();
        _scheduler.Schedules.Should().BeEmpty();
        _scheduler.Calls.Should().BeEmpty("nothing was sent to EventBridge Scheduler");
    }

    [Fact]
    public async Task SetAWindowFromAFile_NamedByTheFileOrByNAME_AndRefuseANameThatDiffers()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pcso-window-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, """{"schedule":"rate(7 days)","anchor":"2027-01-03T02:00:00+01:00","durationMinutes":180,"cutoffMinutes":45,"clusters":["pcs-file"],"defaultApply":"now"}""", Ct);

            var (exit, _, stderr) = await WindowAsync("set", "--file", file);

            exit.Should().Be(ExitCodes.Failed, "a file without a name needs NAME");
            stderr.Should().Contain("  $.name: is required");

            (exit, var stdout, stderr) = await WindowAsync("set", "from-file", "--file", file, "--output", "json");

            exit.Should().Be(ExitCodes.Success, stderr);
            var definition = JsonNode.Parse(stdout)!["definition"]!;
            definition["name"]!.GetValue<string>().Should().Be("from-file");
            definition["anchor"]!.GetValue<DateTimeOffset>().Should().Be(new DateTimeOffset(2027, 1, 3, 1, 0, 0, TimeSpan.Zero));
            definition["defaultApply"]!.GetValue<string>().Should().Be("now");
            _scheduler.Schedules.Single().Definition.StartDate.Should().Be(new DateTimeOffset(2027, 1, 3, 1, 0, 0, TimeSpan.Zero), "a rate() window's schedule starts at its anchor");

            await File.WriteAllTextAsync(file, """{"name":"named-in-file","schedule":"cron(0 1 ? * MON *)","durationMinutes":60,"clusters":["pcs-other"],"timeZone":"Nowhere/City"}""", Ct);

            (exit, _, stderr) = await WindowAsync("set", "another", "--file", file);

            exit.Should().Be(ExitCodes.Failed);
            stderr.Should().StartWith($"error: NAME 'another' is not the name {Path.GetFileName(file)} gives the window (\"named-in-file\") [conflict]");

            (exit, _, stderr) = await WindowAsync("set", "--file", file);

            exit.Should().Be(ExitCodes.Failed);
            stderr.Should().Contain($"error: the window is invalid (1 issue in {Path.GetFileName(file)}); nothing was written:")
                .And.Contain("  $.timeZone: is not a time zone this system knows", "a file's issues name the JSON path");

            (exit, _, stderr) = await WindowAsync("set", "--file", file, "--schedule", "cron(0 1 ? * MON *)", "--duration", "60");

            exit.Should().Be(ExitCodes.Usage);
            stderr.Trim().Should().Be("error: --file and --schedule, --duration both define the window: give the file, or the flags");
            (await Store.ListWindowsAsync(Ct)).Select(w => w.Name).Should().Equal("from-file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RefuseToDeleteAWindowWithQueuedChanges_UnlessForced()
    {
        (await WindowAsync("set", "busy", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-q1,pcs-q2")).Exit.Should().Be(ExitCodes.Success);
        var at = DateTimeOffset.UtcNow;
        foreach (var (cluster, key) in new[] { ("pcs-q1", "CHG-1"), ("pcs-q1", "CHG-2"), ("pcs-q2", "CHG-3") })
        {
            await Store.EnqueueAsync(new QueuedChangeDraft(cluster, key, """{"clusterIdentifier":"x"}""", at, "exec-submit") { Window = "busy" }, Ct);
        }

        var (exit, stdout, stderr) = await WindowAsync("delete", "busy");

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith("error: maintenance window 'busy' has queued changes (pcs-q1: 2, pcs-q2: 1): cancel them, move the clusters to another window, or delete with --force")
            .And.EndWith("; nothing was deleted\n");
        (await Store.GetWindowAsync("busy", Ct)).Should().NotBeNull();
        _scheduler.Schedules.Should().ContainSingle();

        (exit, stdout, stderr) = await WindowAsync("show", "busy", "--next", "0");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().Contain("Pending changes: pcs-q1 2, pcs-q2 1 (3 changes;");

        (exit, stdout, stderr) = await WindowAsync("delete", "busy", "--force");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Trim().Should().Be($"Deleted maintenance window busy and its EventBridge Scheduler schedule (group {Group}). 3 queued changes stay pending (pcs-q1: 2, pcs-q2: 1) until a window covers their cluster again.");
        (await Store.GetWindowAsync("busy", Ct)).Should().BeNull();
        (await Store.WindowOfClusterAsync("pcs-q1", Ct)).Should().BeNull();
        _scheduler.Schedules.Should().BeEmpty();
        (await Store.ListChangesAsync("pcs-q1", [QueuedChangeStatus.Pending], Ct)).Should().HaveCount(2, "the changes stay queued");

        (exit, _, stderr) = await WindowAsync("delete", "busy");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Trim().Should().Be($"error: maintenance window 'busy' does not exist in {Tables.Maintenance}: nothing was deleted");

        (exit, _, stderr) = await WindowAsync("show", "busy");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Trim().Should().Be($"error: maintenance window 'busy' does not exist in {Tables.Maintenance} (window list shows those that do)");
    }

    [Fact]
    public async Task ShowAScheduleThatIsMissing_AndOneThatWasChangedBehindTheWindowsBack()
    {
        (await WindowAsync("set", "drifted", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-d")).Exit.Should().Be(ExitCodes.Success);
        using var client = new Aws.EventBridgeScheduler.SchedulerClient(new Aws.EventBridgeScheduler.SchedulerClientOptions
        {
            Endpoint = _scheduler.Endpoint,
            Region = "us-east-1",
            Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test"),
        });
        var edited = _scheduler.Schedules.Single().Definition;
        await client.UpdateScheduleAsync(new Aws.EventBridgeScheduler.ScheduleRequest
        {
            Name = edited.Name,
            GroupName = Group,
            ScheduleExpression = "cron(0 5 ? * SUN *)",
            FlexibleTimeWindow = edited.FlexibleTimeWindow!,
            Target = edited.Target!,
        }, Ct);

        var (exit, stdout, stderr) = await WindowAsync("show", "drifted", "--next", "1");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().Contain("DIFFERS from the definition: expression is 'cron(0 5 ? * SUN *)', the window's is 'cron(0 2 ? * SUN *)' (window set drifted, with no other flag, writes it again).");

        await client.DeleteScheduleAsync("drifted", Group, Ct);
        (exit, stdout, stderr) = await WindowAsync("show", "drifted", "--next", "1", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var schedule = JsonNode.Parse(stdout)!["schedule"]!;
        schedule["exists"]!.GetValue<bool>().Should().BeFalse();
        schedule["differences"]!.AsArray().Single()!.GetValue<string>().Should().Contain("it never opens");
    }

    [Fact]
    public async Task KeepTheDefinition_AndSayHowToFinish_WhenTheSchedulerCannotBeReached()
    {
        var unreachable = new Dictionary<string, string>(Environment) { ["AWS_ENDPOINT_URL_SCHEDULER"] = "http://127.0.0.1:9/" };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(unreachable, "window", "set", "lonely", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-l");

        exit.Should().Be(ExitCodes.Environment);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith($"error: maintenance window 'lonely' was stored in {Tables.Maintenance}, but its EventBridge Scheduler schedule could not be written at http://127.0.0.1:9/ (Unreachable:")
            .And.Contain("run window set lonely again");
        (await Store.GetWindowAsync("lonely", Ct)).Should().NotBeNull("the definition is written first and is the truth");

        (exit, _, stderr) = await CliProcess.RunAsync(new Dictionary<string, string>(Environment) { ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:9/" }, "window", "list");

        exit.Should().Be(ExitCodes.Environment);
        stderr.Should().StartWith("error: DynamoDB at http://127.0.0.1:9/ could not be reached or used");

        (exit, _, stderr) = await CliProcess.RunAsync(new Dictionary<string, string>(Environment) { ["MAINTENANCE_TABLE_NAME"] = Prefix + "-nope" }, "window", "list");

        exit.Should().Be(ExitCodes.Environment);
        stderr.Should().StartWith($"error: the maintenance table '{Prefix}-nope' does not exist at {Endpoint}");
    }

    [Theory]
    [InlineData("PCS_ORCHESTRATOR_STATE_MACHINE_ARN", "--state-machine-arn is required (or set PCS_ORCHESTRATOR_STATE_MACHINE_ARN)")]
    [InlineData("PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN", "--scheduler-role-arn is required (or set PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN)")]
    public async Task NameTheOptionAndItsVariable_WhenAValueTheScheduleNeedsIsMissing(string variable, string message)
    {
        var environment = Environment;
        environment.Remove(variable);

        var (exit, _, stderr) = await CliProcess.RunAsync(environment, "window", "set", "w", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "60", "--clusters", "pcs-a");

        exit.Should().Be(ExitCodes.Usage);
        stderr.Should().StartWith("error: " + message);
        (await Store.ListWindowsAsync(Ct)).Should().BeEmpty();
    }

    private Task<(int Exit, string Stdout, string Stderr)> WindowAsync(params string[] arguments) =>
        CliProcess.RunAsync(Environment, ["window", .. arguments]);

}
