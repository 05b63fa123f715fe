using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

[Trait("Category", "Integration")]
public sealed class WorkflowShould(DynamoDbLocal dynamo) : Scenario(dynamo)
{
    [Fact]
    public async Task ApplyAChange_PollUntilActive_Verify_AndAuditEveryStep()
    {
        var result = await RunAsync(Request());

        result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
        result.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        result.Output["changes"]!.AsArray().Select(c => c!["path"]!.GetValue<string>()).Should().Equal(
            "slurmConfiguration.scaleDownIdleTimeInSeconds", "slurmConfiguration.slurmCustomSettings[MinJobAge]");
        UpdateCalls.Should().Be(1);
        var cluster = await Local.PcsClient.GetClusterAsync(ClusterId, Ct);
        cluster.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(1800);
        cluster.SlurmConfiguration.SlurmCustomSettings!.Select(s => (s.ParameterName, s.ParameterValue)).Should().Equal(
            [("PriorityWeightFairshare", "5000"), ("MinJobAge", "600")], "merge mode kept the setting the request did not name");
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "planned", "update-started", "succeeded");
        (await VerifyAsync()).Intact.Should().BeTrue();
        const int upToApply = 11; // Receive, Prepare, Route, Claim, ClaimOutcome, CheckReadiness, ReadinessOutcome, Plan, PlanOutcome, WindowGuard, Apply
        const int polling = 1 + (15 * 3) + 2; // WaitForUpdate; 15 polls of an 8-minute update at 30 s (Poll, PollOutcome, WaitForPoll); the last Poll and PollOutcome
        const int finish = 3; // Verify, Finalize, Done
        result.StateTransitions.Should().Be(upToApply + polling + finish);
    }

    [Fact]
    public async Task PollLess_OnceTheAuditLogKnowsHowLongThisClustersUpdatesTake()
    {
        var polls = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var result = await RunAsync(Request($$"""{"scaleDownIdleTimeInSeconds":{{1800 + (60 * i)}}}"""), $"update-{i}");
            result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
            var succeeded = (await AuditAsync())[^1];
            succeeded.EventType.Should().Be("succeeded");
            polls.Add(System.Text.Json.Nodes.JsonNode.Parse(succeeded.Details!)!["polls"]!.GetValue<int>());
        }

        polls.Take(5).Should().AllSatisfy(p => p.Should().Be(16), "without five earlier updates every update is polled every 30 s");
        polls[5].Should().BeLessThanOrEqualTo(8, "the sixth update is first looked at shortly before eight minutes");
        (await AuditAsync()).Last(e => e.EventType == "update-started").Reason.Should().Contain("learnt from the 5 most recent updates");
        UpdateCalls.Should().Be(6);
    }

    [Fact]
    public async Task CallUpdateClusterOnce_WhenTheSameEventArrivesTwice()
    {
        var envelope = $$"""{"version":"0","id":"evt-42","detail-type":"PCS Cluster Update Requested","source":"com.example.hpc","account":"123456789012","time":"2026-11-24T21:59:00Z","region":"us-east-1","resources":[],"detail":{{Request()}}}""";

        var first = await RunAsync(envelope, "first");
        var second = await RunAsync(envelope, "second");

        first.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        second.Status.Should().Be(ExecutionStatus.Succeeded);
        second.Output!["outcome"]!.GetValue<string>().Should().Be("duplicate");
        second.Output["originalExecutionId"]!.GetValue<string>().Should().EndWith(":first");
        UpdateCalls.Should().Be(1);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "planned", "update-started", "succeeded", "duplicate");
    }

    [Fact]
    public async Task RejectAnInvalidRequest_WithoutTouchingPcs_AndAuditTheRejection()
    {
        var result = await RunAsync(Request("""{"accounting":{"defaultPurgeTimeInDays":0}}"""));

        result.Status.Should().Be(ExecutionStatus.Failed);
        result.Error.Should().Be("RequestInvalid");
        result.Cause.Should().Contain("$.slurmConfiguration.accounting.defaultPurgeTimeInDays").And.Contain("not-zero");
        Local.Pcs.Calls.Should().BeEmpty();
        (await AuditAsync()).Should().ContainSingle().Which.EventType.Should().Be("rejected");
    }

    [Fact]
    public async Task EndWithNoChange_WhenTheClusterAlreadyHasTheConfiguration()
    {
        var result = await RunAsync(Request("""{"scaleDownIdleTimeInSeconds":600,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"300"}]}"""));

        result.Output!["outcome"]!.GetValue<string>().Should().Be("no-change");
        UpdateCalls.Should().Be(0);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "no-change");
    }

    [Fact]
    public async Task PlanButChangeNothing_OnADryRun()
    {
        var result = await RunAsync(Request(options: """{"dryRun":true}"""));

        result.Output!["outcome"]!.GetValue<string>().Should().Be("dry-run");
        result.Output["changes"]!.AsArray().Should().HaveCount(2);
        UpdateCalls.Should().Be(0);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "planned", "dry-run");
    }

    [Fact]
    public async Task RollBack_WhenTheUpdateFails_AndTheRequestOptedIn()
    {
        Local.Pcs.FailNextUpdate(ClusterId, "SlurmctldRestartFailed", "slurmctld did not start with the new configuration");

        var result = await RunAsync(Request(options: """{"rollbackOnFailure":true}"""));

        result.Status.Should().Be(ExecutionStatus.Failed);
        result.Error.Should().Be("UpdateFailed");
        result.Cause.Should().Contain("rollback succeeded");
        UpdateCalls.Should().Be(2, "the update and the rollback");
        var cluster = await Local.PcsClient.GetClusterAsync(ClusterId, Ct);
        cluster.Status.Should().Be("ACTIVE");
        cluster.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(600);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "planned", "update-started", "rollback-started", "rolled-back");
    }

    [Fact]
    public async Task FailWithTheServicesErrorInfo_WhenTheUpdateFailsWithoutRollback()
    {
        Local.Pcs.FailNextUpdate(ClusterId, "SlurmctldRestartFailed", "slurmctld did not start");

        var result = await RunAsync(Request());

        result.Error.Should().Be("UpdateFailed");
        result.Cause.Should().Contain("SlurmctldRestartFailed").And.Contain("no rollback was requested");
        UpdateCalls.Should().Be(1);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "planned", "update-started", "failed");
        (await Local.Keys.GetAsync(result.Output is null ? (await AuditAsync())[0].IdempotencyKey! : string.Empty, Ct))!.Status.Should().Be(PcsOrchestrator.Persistence.IdempotencyStatus.Failed, "a failed run leaves the key re-claimable");
    }

    [Fact]
    public async Task WaitForAClusterThatIsUpdating_ThenApply()
    {
        Local.Pcs.Hold("cluster", ClusterId, null, "UPDATING", TimeSpan.FromMinutes(10));

        var result = await RunAsync(Request());

        result.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "waiting", "planned", "update-started", "succeeded");
        result.History.Count(h => h.Type == "WaitStateEntered" && h.Details?["name"]?.GetValue<string>() == "WaitForReadiness").Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task WaitForANodeGroupThatIsCreating_ThenApply()
    {
        Local.Pcs.Hold("computeNodeGroup", ClusterId, "compute-c7i", "CREATING", TimeSpan.FromMinutes(3));

        var result = await RunAsync(Request());

        result.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        UpdateCalls.Should().Be(1);
    }

    [Theory]
    [InlineData("cluster", null, "DELETING")]
    [InlineData("computeNodeGroup", "compute-c7i", "UPDATE_FAILED")]
    public async Task StopBlocked_WhenAPersonMustAct(string type, string? child, string status)
    {
        Local.Pcs.Hold(type, ClusterId, child, status, TimeSpan.FromDays(2));

        var result = await RunAsync(Request());

        result.Error.Should().Be("ClusterBlocked");
        result.Cause.Should().Contain(status);
        UpdateCalls.Should().Be(0);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "blocked");
    }

    [Fact]
    public async Task RetryThrottledUpdateCluster_AndStillUpdateOnce()
    {
        Local.Pcs.Arm(new Fault(FaultKind.Throttle, 4, "UpdateCluster", RetryAfterSeconds: 1));

        var result = await RunAsync(Request());

        result.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        Local.Pcs.CallCount("UpdateCluster").Should().Be(5, "three client attempts, one workflow retry of two more attempts");
        UpdateCalls.Should().Be(1);
        result.History.Count(h => h.Type == "LambdaFunctionFailed").Should().Be(1);
    }

    [Fact]
    public async Task FailWithDeadlinePassed_WhenTheUpdateOutlastsTheRun()
    {
        var result = await RunAsync(Request(options: """{"timeoutSeconds":300}"""));

        result.Error.Should().Be("DeadlinePassed");
        result.Cause.Should().Contain("still UPDATING");
        (await AuditAsync())[^1].EventType.Should().Be("failed");
    }

    [Fact]
    public async Task DeferAnUpdatePastTheWindowsCutoff()
    {
        var result = await RunAsync(Request(extra: ""","maintenanceWindow":{"end":"2026-11-24T22:20:00Z","cutoffMinutes":30}"""));

        result.Status.Should().Be(ExecutionStatus.Succeeded);
        result.Output!["outcome"]!.GetValue<string>().Should().Be("deferred");
        result.Output["reason"]!.GetValue<string>().Should().Contain("cutoff");
        UpdateCalls.Should().Be(0);
        (await AuditAsync()).Select(e => e.EventType).Should().Equal("requested", "deferred");
    }

    [Fact]
    public async Task WaitAndReplan_WhenAnotherUpdateWinsTheRaceToUpdateCluster()
    {
        // Someone outside the orchestrator updates the cluster between our readiness check and our UpdateCluster,
        // replacing the custom-settings list with one that adds MaxJobCount.
        Local.Pcs.BeforeNext("UpdateCluster", async ct => await Local.PcsClient.UpdateClusterAsync(new Aws.Pcs.UpdateClusterRequest
        {
            ClusterIdentifier = ClusterId,
            ClientToken = "by-hand-1",
            SlurmConfiguration = new Aws.Pcs.ClusterSlurmConfiguration
            {
                SlurmCustomSettings = [new() { ParameterName = "PriorityWeightFairshare", ParameterValue = "5000" }, new() { ParameterName = "MinJobAge", ParameterValue = "300" }, new() { ParameterName = "MaxJobCount", ParameterValue = "20000" }],
            },
        }, ct));

        var result = await RunAsync(Request());

        result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
        Local.Pcs.Calls.Where(c => c.Operation == "UpdateCluster").Select(c => c.Status).Should().Equal(
            [200, 400, 200], "the other update, our first UpdateCluster refused with ConflictException (400 in PCS), ours after waiting");
        UpdateCalls.Should().Be(2, "the other update and ours, after readiness waited for the other one to finish");
        var settings = (await Local.PcsClient.GetClusterAsync(ClusterId, Ct)).SlurmConfiguration!.SlurmCustomSettings!;
        settings.Select(s => (s.ParameterName, s.ParameterValue)).Should().Equal(
            [("PriorityWeightFairshare", "5000"), ("MinJobAge", "600"), ("MaxJobCount", "20000")], "the plan was made again against what the other update left");
        var audit = await AuditAsync();
        audit.Select(e => e.EventType).Should().Equal("requested", "planned", "waiting", "planned", "update-started", "succeeded");
        audit[2].Reason.Should().StartWith("PCS refused the change: UpdateCluster: Cluster ").And.Contain("is UPDATING");
        (await VerifyAsync()).Intact.Should().BeTrue();
        result.History.Count(h => h.Type == "TaskStateEntered" && h.Details?["name"]?.GetValue<string>() == "Apply").Should().Be(2);
    }
}
