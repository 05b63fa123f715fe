using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// Maintenance windows end to end: windows set through the operator service (the maintenance table and a schedule in
/// the local EventBridge Scheduler), changes queued through the real definition, the schedule fired at the instant
/// it computes on the virtual clock, the opening's cluster runs, and what the queue, the cluster and the audit log
/// show afterwards. The clock starts on Tuesday 2026-11-24 22:00 UTC.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MaintenanceWindowsShould(DynamoDbLocal dynamo) : Scenario(dynamo)
{
    private static readonly DateTimeOffset Sunday = new(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);

    private const string Weekly = """{"name":"sunday-night","schedule":"cron(0 2 ? * SUN *)","timeZone":"UTC","durationMinutes":240,"cutoffMinutes":60,"clusters":["demo-cluster"]}""";

    private int _runs;

    private async Task SetWindowAsync(string json)
    {
        var (window, issues) = WindowDefinition.Parse(json);
        issues.Should().BeEmpty();
        await Local.Windows.SetAsync(window!, null, "ops@example.com", Ct);
    }

    private async Task<JsonNode> SubmitAsync(string change, string options = "{}", string extra = "")
    {
        var result = await RunAsync(Request(change, options, extra), $"submit-{++_runs}");
        result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
        return result.Output!;
    }

    /// <summary>Moves the clock to the scheduler's next occurrence, fires it, and waits for the opening and every run it starts.</summary>
    private async Task<IReadOnlyList<ExecutionResult>> OpenNextWindowAsync(DateTimeOffset expected)
    {
        var next = Local.Scheduler.NextFireTime();
        next.Should().Be(expected, "the schedule opens the window at the instant its expression gives in its time zone");
        var before = Local.Executions.All.Count;
        Time.Advance(next!.Value - Time.GetUtcNow());
        var fired = await Local.Scheduler.FireDueAsync(Ct);
        fired.Should().ContainSingle().Which.ScheduledTime.Should().Be(expected);
        var all = await Local.Executions.WhenAllCompletedAsync(TimeSpan.FromMinutes(2), Ct);
        return [.. all.Skip(before)];
    }

    /// <summary>The functions' maintenance adapter over this deployment's tables, to play a window run's part by hand.</summary>
    private Functions.Adapters.DynamoMaintenanceLedger MaintenanceLedger() =>
        new(Local.Dynamo, Local.Tables, Time, new Functions.Adapters.DynamoRunLedger(Local.Dynamo, Local.Tables, Time), Functions.Adapters.StackDefaults.None);

    private async Task<IReadOnlyList<QueuedChange>> QueueAsync() => await Local.Queue.ListAsync("demo-cluster", all: true, Ct);

    private IReadOnlyList<JsonNode> UpdateBodies() =>
        [.. Local.Pcs.Calls.Where(c => c.Operation == "UpdateCluster" && c.Status == 200).Select(c => JsonNode.Parse(c.Body)!["slurmConfiguration"]!)];

    [Fact]
    public async Task ApplyThreeChangesQueuedDuringTheDay_InOneUpdateClusterAtTheWindowsStart()
    {
        await SetWindowAsync(Weekly);
        var first = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}""");
        Time.Advance(TimeSpan.FromHours(2));
        await SubmitAsync("""{"slurmCustomSettings":[{"parameterName":"PriorityWeightAge","parameterValue":"1000"}]}""", """{"removeSettings":{"slurmCustomSettings":["PriorityWeightFairshare"]}}""");
        Time.Advance(TimeSpan.FromHours(3));
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":1800,"accounting":{"defaultPurgeTimeInDays":90}}""");

        first["outcome"]!.GetValue<string>().Should().Be("queued");
        first["window"]!.GetValue<string>().Should().Be("sunday-night");
        first["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(Sunday);
        UpdateCalls.Should().Be(0, "queued changes wait for the window");
        (await QueueAsync()).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Pending, QueuedChangeStatus.Pending, QueuedChangeStatus.Pending);

        var runs = await OpenNextWindowAsync(Sunday);

        runs.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        runs[0].Output!["outcome"]!.GetValue<string>().Should().Be("opened");
        var run = runs.Single(r => r.Output!["outcome"]!.GetValue<string>() == "succeeded");
        run.Output!["includedChanges"]!.AsArray().Should().HaveCount(3);
        UpdateCalls.Should().Be(1, "one UpdateCluster for the three changes");
        var update = Local.Pcs.Calls.Single(c => c.Operation == "UpdateCluster");
        update.At.Should().Be(Sunday, "the update starts as the window opens");
        var payload = UpdateBodies().Single();
        payload["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(1800, "the later change wins");
        payload["accounting"]!["defaultPurgeTimeInDays"]!.GetValue<int>().Should().Be(90);
        payload["slurmCustomSettings"]!.AsArray().Select(s => $"{s!["parameterName"]}={s["parameterValue"]}").Should().Equal("MinJobAge=600", "PriorityWeightAge=1000");
        var cluster = await Local.PcsClient.GetClusterAsync(ClusterId, Ct);
        cluster.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(1800);

        var queue = await QueueAsync();
        queue.Select(c => c.Status).Should().OnlyContain(s => s == QueuedChangeStatus.Applied);
        var audit = await AuditAsync();
        audit.Select(e => e.EventType).Should().Equal("queued", "queued", "queued", "requested", "planned", "update-started", "applied", "applied", "applied", "succeeded");
        audit.Where(e => e.EventType == "applied").Select(e => e.IdempotencyKey).Should().Equal(queue.Select(c => c.Key), "each change's entry carries its own key");
        var late = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":1800,"accounting":{"defaultPurgeTimeInDays":90}}""");
        late["outcome"]!.GetValue<string>().Should().Be("duplicate", "EventBridge delivered the third request again after the window");
        late["changeStatus"]!.GetValue<string>().Should().Be("applied", "the duplicate reports where the change stands now, not the stale 'queued'");
        late["changeId"]!.GetValue<string>().Should().Be(queue[2].ChangeId);
        UpdateCalls.Should().Be(1);
        JsonNode.Parse(audit.Single(e => e.EventType == "planned").Details!)!["window"]!["conflicts"]!.AsArray().Select(c => c!["path"]!.GetValue<string>())
            .Should().Equal("slurmConfiguration.scaleDownIdleTimeInSeconds");
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task KeepAChangeSubmittedAfterTheCutoffForTheNextWindow_WithTheOnesThatCouldNotStartInThisOne()
    {
        await SetWindowAsync(Weekly);
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        Time.Advance(Sunday.AddMinutes(-1) - Time.GetUtcNow());
        Local.Pcs.Hold("cluster", ClusterId, null, "UPDATING", TimeSpan.FromHours(3).Add(TimeSpan.FromMinutes(20)));

        var busy = await OpenNextWindowAsync(Sunday);

        var deferred = busy.Single(r => r.Output?["outcome"]?.GetValue<string>() != "opened");
        deferred.Output!["outcome"]!.GetValue<string>().Should().Be("deferred");
        deferred.Output["reason"]!.GetValue<string>().Should().Contain("was not ready before the cutoff of maintenance window sunday-night (2026-11-29T05:00:00Z)");
        Time.GetUtcNow().Should().BeOnOrAfter(Sunday.AddHours(3), "the run waited until the cutoff");
        UpdateCalls.Should().Be(0);
        var waiting = (await QueueAsync()).Single();
        waiting.Status.Should().Be(QueuedChangeStatus.Pending);
        (await AuditAsync()).Last(e => e.IdempotencyKey == waiting.Key).EventType.Should().Be("deferred");

        Time.Advance(TimeSpan.FromMinutes(30));
        var late = await SubmitAsync("""{"accounting":{"defaultPurgeTimeInDays":90}}""");
        late["outcome"]!.GetValue<string>().Should().Be("queued");
        late["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(Sunday.AddDays(7), "past this window's cutoff, the next window is next week's");

        var next = await OpenNextWindowAsync(Sunday.AddDays(7));

        next.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        UpdateCalls.Should().Be(1);
        var payload = UpdateBodies().Single();
        payload["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(900);
        payload["accounting"]!["defaultPurgeTimeInDays"]!.GetValue<int>().Should().Be(90);
        (await QueueAsync()).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Applied, QueuedChangeStatus.Applied);
    }

    [Fact]
    public async Task DeferOnce_WhenTheAnswerOfTheDeferringFinalizeIsLost_AndStepFunctionsRetriesIt()
    {
        await SetWindowAsync(Weekly);
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        await SubmitAsync("""{"accounting":{"defaultPurgeTimeInDays":90}}""");
        Time.Advance(Sunday.AddMinutes(-1) - Time.GetUtcNow());
        Local.Pcs.Hold("cluster", ClusterId, null, "UPDATING", TimeSpan.FromHours(3).Add(TimeSpan.FromMinutes(20)));
        var lost = 0;
        LoseAnswer = invocation => invocation.StateName == "Finalize" && invocation.Context["Execution"]!["Name"]!.GetValue<string>().StartsWith("w-", StringComparison.Ordinal) && lost++ == 0;

        var runs = await OpenNextWindowAsync(Sunday);

        lost.Should().BeGreaterThan(1, "the first Finalize's answer was lost and Step Functions ran it again");
        var run = runs.Single(r => r.Output?["outcome"]?.GetValue<string>() != "opened");
        run.Status.Should().Be(ExecutionStatus.Succeeded, run.Cause);
        run.Output!["outcome"]!.GetValue<string>().Should().Be("deferred", "the retry answers with what the first attempt stored, not LockLost");
        run.History.Should().Contain(e => e.Type == "LambdaFunctionFailed" && e.Details != null && e.Details["error"]!.GetValue<string>() == "Lambda.Unknown");
        var audit = await AuditAsync();
        audit.Select(e => e.EventType).Should().Equal(["queued", "queued", "requested", "waiting", "deferred", "deferred", "deferred"], "one deferred entry per change and one for the run, written once");
        (await QueueAsync()).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Pending, QueuedChangeStatus.Pending);
        (await LockHeldAsync()).Should().BeFalse();
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task OpenAWindowInItsTimeZone_AtTheRightInstantAcrossADaylightSavingChange()
    {
        // 03:00 in New York: 08:00 UTC on Sunday 7 March 2027 (EST), 07:00 UTC on Sunday 14 March (EDT from 02:00 that day).
        Time.Advance(new DateTimeOffset(2027, 3, 6, 12, 0, 0, TimeSpan.Zero) - Time.GetUtcNow());
        await SetWindowAsync("""{"name":"new-york","schedule":"cron(0 3 ? * SUN *)","timeZone":"America/New_York","durationMinutes":120,"cutoffMinutes":30,"clusters":["demo-cluster"]}""");
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        await OpenNextWindowAsync(new DateTimeOffset(2027, 3, 7, 8, 0, 0, TimeSpan.Zero));
        Time.Advance(TimeSpan.FromDays(3));
        var queued = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":1200}""");

        queued["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero));
        var runs = await OpenNextWindowAsync(new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero));

        runs.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        Local.Pcs.Calls.Where(c => c.Operation == "UpdateCluster").Select(c => c.At).Should().Equal(
            new DateTimeOffset(2027, 3, 7, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero));
        (await Local.PcsClient.GetClusterAsync(ClusterId, Ct)).SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(1200);
    }

    [Fact]
    public async Task LeaveACancelledChangeOutOfTheNextWindowsPlan()
    {
        await SetWindowAsync(Weekly);
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        var unwanted = await SubmitAsync("""{"slurmCustomSettings":[{"parameterName":"PriorityWeightAge","parameterValue":"1000"}]}""");
        var id = unwanted["changeId"]!.GetValue<string>();

        var cancelled = await Local.Queue.CancelAsync("demo-cluster", id[..24], "bob@example.com", "not needed after all", Ct);

        cancelled.Status.Should().Be(QueuedChangeStatus.Cancelled);
        cancelled.Outcome.Should().Be("cancelled by bob@example.com: not needed after all");
        var act = async () => await Local.Queue.CancelAsync("demo-cluster", id, "bob@example.com", null, Ct);
        (await act.Should().ThrowAsync<QueuedChangeStateException>()).Which.Message.Should().Contain("cancelled");

        await OpenNextWindowAsync(Sunday);

        var payload = UpdateBodies().Single();
        payload["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(900);
        payload["slurmCustomSettings"].Should().BeNull("the cancelled change was the only one to touch the Slurm settings");
        (await QueueAsync()).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Applied, QueuedChangeStatus.Cancelled);
        var audit = await AuditAsync();
        audit.Select(e => e.EventType).Should().Equal("queued", "queued", "cancelled", "requested", "planned", "update-started", "applied", "succeeded");
        audit[2].Actor.Should().Be("bob@example.com");
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task DetectAHandMadeChange_AndRestoreTheLastAppliedConfiguration()
    {
        await SetWindowAsync(Weekly.Replace("\"clusters\"", "\"drift\":\"correct\",\"clusters\"", StringComparison.Ordinal));
        var applied = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""", extra: ""","apply":"now" """);
        applied["outcome"]!.GetValue<string>().Should().Be("succeeded", "an explicit 'now' does not wait for the window");
        await Local.PcsClient.UpdateClusterAsync(new Aws.Pcs.UpdateClusterRequest
        {
            ClusterIdentifier = ClusterId,
            ClientToken = "by-hand-0001",
            SlurmConfiguration = new Aws.Pcs.ClusterSlurmConfiguration
            {
                ScaleDownIdleTimeInSeconds = 60,
                SlurmCustomSettings = [new() { ParameterName = "PriorityWeightFairshare", ParameterValue = "5000" }, new() { ParameterName = "MinJobAge", ParameterValue = "300" }, new() { ParameterName = "MaxJobCount", ParameterValue = "10" }],
            },
        }, Ct);
        Time.Advance(TimeSpan.FromMinutes(10));

        var runs = await OpenNextWindowAsync(Sunday);

        runs.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        var cluster = (await Local.PcsClient.GetClusterAsync(ClusterId, Ct)).SlurmConfiguration!;
        cluster.ScaleDownIdleTimeInSeconds.Should().Be(900, "the last applied value is back");
        cluster.SlurmCustomSettings!.Select(s => s.ParameterName).Should().Equal("PriorityWeightFairshare", "MinJobAge");
        var audit = await AuditAsync();
        audit.Select(e => e.EventType).Should().EndWith(["requested", "drift-detected", "planned", "update-started", "drift-corrected", "succeeded"]);
        audit.Single(e => e.EventType == "drift-detected").Reason.Should().Contain("slurmConfiguration.scaleDownIdleTimeInSeconds is 60, was applied as 900")
            .And.Contain("slurmConfiguration.slurmCustomSettings[MaxJobCount] is 10, was applied as absent");
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task ReportAHandMadeChangeWithoutTouchingIt_InReportMode()
    {
        await SetWindowAsync(Weekly.Replace("\"clusters\"", "\"drift\":\"report\",\"clusters\"", StringComparison.Ordinal));
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""", extra: ""","apply":"now" """);
        await Local.PcsClient.UpdateClusterAsync(new Aws.Pcs.UpdateClusterRequest
        {
            ClusterIdentifier = ClusterId,
            ClientToken = "by-hand-0002",
            SlurmConfiguration = new Aws.Pcs.ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 60 },
        }, Ct);
        Time.Advance(TimeSpan.FromMinutes(10));
        var updatesBefore = UpdateCalls;

        await OpenNextWindowAsync(Sunday);

        UpdateCalls.Should().Be(updatesBefore, "report mode changes nothing");
        (await Local.PcsClient.GetClusterAsync(ClusterId, Ct)).SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(60);
        (await AuditAsync()).Select(e => e.EventType).Should().EndWith(["requested", "drift-detected", "no-change"]);
        JsonNode.Parse((await Local.Maintenance.GetDesiredStateAsync("demo-cluster", Ct))!.Configuration)!["scaleDownIdleTimeInSeconds"]!.GetValue<int>()
            .Should().Be(900, "a reported drift does not become the reference");

        await OpenNextWindowAsync(Sunday.AddDays(7));

        (await AuditAsync()).Count(e => e.EventType == "drift-detected").Should().Be(2, "the drift is reported again until someone fixes it");
    }

    [Fact]
    public async Task MarkEveryIncludedChangeFailed_WhenTheWindowFails_AndQueueAgainOnlyTheOneThatAsked()
    {
        await SetWindowAsync(Weekly);
        var again = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""", """{"requeueOnFailure":true}""");
        var once = await SubmitAsync("""{"accounting":{"defaultPurgeTimeInDays":90}}""");
        Local.Pcs.FailNextUpdate(ClusterId, "SlurmctldRestartFailed", "slurmctld did not start with the new configuration");

        var failed = await OpenNextWindowAsync(Sunday);

        var run = failed.Single(r => r.Status == ExecutionStatus.Failed);
        run.Error.Should().Be("UpdateFailed");
        var queue = await QueueAsync();
        queue.Single(c => c.ChangeId == again["changeId"]!.GetValue<string>()).Should().Match<QueuedChange>(c => c.Status == QueuedChangeStatus.Pending && c.Attempts == 1);
        queue.Single(c => c.ChangeId == once["changeId"]!.GetValue<string>()).Should().Match<QueuedChange>(c => c.Status == QueuedChangeStatus.Failed && c.Attempts == 1);
        var entries = (await AuditAsync()).Where(e => e.EventType == "apply-failed").ToList();
        entries.Should().HaveCount(2, "every included change is marked failed in the audit log");
        entries.Select(e => e.Reason).Should().Contain(r => r!.Contains("queued again for the next window")).And.Contain(r => r!.Contains("the change is marked failed"));

        var next = await OpenNextWindowAsync(Sunday.AddDays(7));

        next.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        var payload = UpdateBodies()[^1];
        payload["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(900);
        payload["accounting"].Should().BeNull("the change that did not ask to be queued again stays failed");
        (await QueueAsync()).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Applied, QueuedChangeStatus.Failed);
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task ApplyAQueuedChange_AfterTheWholeStackWasDeployedAgain()
    {
        await SetWindowAsync(Weekly);
        await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");

        // A redeploy: new functions, state machine, scheduler and PCS connection; the same tables.
        await using var redeployed = await LocalDeployment.StartAsync(Local.Options with { Pcs = Local.Pcs }, Ct);
        var clusterId = (await redeployed.PcsClient.GetClusterAsync(ClusterId, Ct)).Id;
        var (window, _) = WindowDefinition.Parse(Weekly);
        await redeployed.Windows.SetAsync(window!, null, "ops@example.com", Ct);
        Time.Advance(Sunday - Time.GetUtcNow());
        await redeployed.Scheduler.FireDueAsync(Ct);
        var runs = await redeployed.Executions.WhenAllCompletedAsync(TimeSpan.FromMinutes(2), Ct);

        clusterId.Should().Be(ClusterId);
        runs.Should().HaveCount(2).And.AllSatisfy(r => r.Status.Should().Be(ExecutionStatus.Succeeded));
        (await Local.Queue.ListAsync("demo-cluster", all: true, Ct)).Single().Status.Should().Be(QueuedChangeStatus.Applied);
    }

    [Fact]
    public async Task SettleAQueuedChangeOnce_WhenTheSettlementIsRetried()
    {
        await SetWindowAsync(Weekly);
        var queued = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        var id = queued["changeId"]!.GetValue<string>();
        var maintenance = MaintenanceLedger();
        (await maintenance.TakeAsync("demo-cluster", id, "exec:window", null, Ct)).Should().BeTrue();
        Functions.Ports.AuditDraft Entry() => new("demo-cluster", "applied", "exec:window") { IdempotencyKey = queued["idempotencyKey"]!.GetValue<string>(), Reason = "applied in a test" };

        var first = await maintenance.SettleAsync("demo-cluster", id, "exec:window", Functions.Ports.Settlement.Applied, "applied in a test", Entry(), Ct);
        var retried = await maintenance.SettleAsync("demo-cluster", id, "exec:window", Functions.Ports.Settlement.Applied, "applied in a test", Entry(), Ct);
        var stranger = await maintenance.TakeAsync("demo-cluster", id, "exec:other", null, Ct);

        first.Should().NotBeNull();
        retried.Should().BeNull("the change is no longer held: the first attempt settled it");
        stranger.Should().BeFalse("an applied change cannot be taken again");
        (await AuditAsync()).Count(e => e.EventType == "applied").Should().Be(1);
        (await QueueAsync()).Single().Should().Match<QueuedChange>(c => c.Status == QueuedChangeStatus.Applied && c.Holder == "exec:window");
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task TakeOverAChangeAnEarlierRunLeftApplying_AndRefuseThatRunsLateSettlement()
    {
        await SetWindowAsync(Weekly);
        var queued = await SubmitAsync("""{"scaleDownIdleTimeInSeconds":900}""");
        var id = queued["changeId"]!.GetValue<string>();
        var maintenance = MaintenanceLedger();
        // A run that took the change and was stopped before it could settle it (no Catch runs for a stopped execution).
        (await maintenance.TakeAsync("demo-cluster", id, "exec:stopped", null, Ct)).Should().BeTrue();

        var runs = await OpenNextWindowAsync(Sunday);
        var late = await maintenance.SettleAsync("demo-cluster", id, "exec:stopped", Functions.Ports.Settlement.Failed, "late", new Functions.Ports.AuditDraft("demo-cluster", "apply-failed", "exec:stopped"), Ct);

        runs.Select(r => r.Status).Should().OnlyContain(s => s == ExecutionStatus.Succeeded);
        UpdateCalls.Should().Be(1);
        var change = (await QueueAsync()).Single();
        change.Status.Should().Be(QueuedChangeStatus.Applied);
        change.Holder.Should().StartWith("arn:aws:states:", "the window run took it over");
        late.Should().BeNull("the stopped run no longer holds it");
        (await AuditAsync()).Single(e => e.EventType == "planned").Reason.Should().Contain("taken over from exec:stopped");
    }

    [Fact]
    public async Task RefuseTheNextWindowForAClusterWithoutOne_AndRecordTheRejection()
    {
        var result = await RunAsync(Request("""{"scaleDownIdleTimeInSeconds":900}""", extra: ""","apply":"next-window" """));

        result.Status.Should().Be(ExecutionStatus.Failed);
        result.Error.Should().Be("NoMaintenanceWindow");
        result.Cause.Should().Contain("cluster demo-cluster has no maintenance window");
        (await AuditAsync()).Should().ContainSingle().Which.EventType.Should().Be("rejected");
        UpdateCalls.Should().Be(0);
    }
}
