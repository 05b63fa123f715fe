using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Steps;

namespace PcsOrchestrator.Functions.Tests;

/// <summary>Pure tests of the step services over hand-written fakes; the real stack is exercised by the scenario tests.</summary>
public sealed class StepsShould
{
    private readonly RecordingPcs _pcs = new();
    private readonly RecordingLedger _ledger = new();
    private readonly FakeTimeProvider _time = new(Services.Start);

    private StepServices ServicesFor() => Services.Create(_pcs, _ledger, _time);

    private RunState Prepared(string json, string execution = "arn:aws:states:us-east-1:123456789012:execution:m:one")
    {
        var input = new PrepareInput { Input = JsonDocument.Parse(json).RootElement.Clone(), ExecutionId = execution, StartTime = _time.GetUtcNow() };
        return new RunState { Run = new PrepareStep(ServicesFor()).Run(input).Run };
    }

    private const string Request = """
        {"clusterIdentifier":"demo-cluster","slurmConfiguration":{"scaleDownIdleTimeInSeconds":1800,
         "slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]},"options":{"timeoutSeconds":3600}}
        """;

    [Fact]
    public void RejectAnInvalidRequest_NamingEveryFieldAndRule()
    {
        var act = () => Prepared("""{"clusterIdentifier":"x","slurmConfiguration":{"accounting":{"defaultPurgeTimeInDays":0}}}""");

        act.Should().Throw<StepException>().Where(e => e.ErrorType == ErrorNames.RequestInvalid
            && e.Message.Contains("$.clusterIdentifier") && e.Message.Contains("[pattern]")
            && e.Message.Contains("$.slurmConfiguration.accounting.defaultPurgeTimeInDays") && e.Message.Contains("[not-zero]"));
    }

    [Fact]
    public void PrepareARun_WithTheDeadlineFromTheExecutionStart()
    {
        var run = Prepared(Request).Run!;

        run.ClusterIdentifier.Should().Be("demo-cluster");
        run.Deadline.Should().Be(Services.Start.AddHours(1));
        run.ClientToken.Should().StartWith("pcso-");
        run.Origin.Should().Be("direct");
    }

    [Fact]
    public async Task ClaimOnce_AndMakeASecondExecutionWait_ThenGiveUpAtTheDeadline()
    {
        var first = Prepared(Request);
        var second = Prepared(Request, "arn:aws:states:us-east-1:123456789012:execution:m:two");

        var claimed = await new ClaimStep(ServicesFor()).RunAsync(first, CancellationToken.None);
        var contended = await new ClaimStep(ServicesFor()).RunAsync(second, CancellationToken.None);

        claimed.Outcome.Should().Be(ClaimOutcomes.Claimed);
        claimed.FencingToken.Should().Be(1);
        contended.Outcome.Should().Be(ClaimOutcomes.Contended);
        contended.HeldBy.Should().Be(first.Run!.ExecutionId);
        contended.WaitSeconds.Should().BeInRange(15, 30, "contention waits are equal-jittered from a 30 s ceiling");
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Requested);

        _time.Advance(TimeSpan.FromHours(1));
        second.Claim = contended;
        var late = () => new ClaimStep(ServicesFor()).RunAsync(second, CancellationToken.None);
        (await late.Should().ThrowAsync<StepException>()).Which.ErrorType.Should().Be(ErrorNames.AlreadyInProgress);
    }

    [Fact]
    public async Task AnswerADuplicate_WithTheStoredResult()
    {
        var first = Prepared(Request);
        _ledger.Keys[first.Run!.IdempotencyKey] = ("exec-0", "COMPLETED", """{"outcome":"succeeded","clusterIdentifier":"demo-cluster","idempotencyKey":"k","executionId":"exec-0"}""", first.Run.PayloadHash);

        first.Claim = await new ClaimStep(ServicesFor()).RunAsync(first, CancellationToken.None);
        var result = await new FinalizeStep(ServicesFor()).RunAsync(first, CancellationToken.None);

        result.Outcome.Should().Be(FinalizeStep.Outcomes.Duplicate);
        result.OriginalExecutionId.Should().Be("exec-0");
        _ledger.Locks.Should().BeEmpty("a duplicate never takes the cluster lock");
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Duplicate);
    }

    [Theory]
    [InlineData(1800, false, null, PlanOutcomes.NoChange)]
    [InlineData(600, true, null, PlanOutcomes.DryRun)]
    [InlineData(600, false, "2026-11-24T21:30:00Z", PlanOutcomes.Defer)]
    [InlineData(600, false, "2026-11-25T06:00:00Z", PlanOutcomes.Apply)]
    public async Task PlanTheOutcome(int currentScaleDown, bool dryRun, string? windowEnd, string expected)
    {
        _pcs.Configuration = ClusterConfiguration.Defaults with { ScaleDownIdleTimeInSeconds = currentScaleDown, SlurmCustomSettings = [new("MinJobAge", "600")] };
        var window = windowEnd is null ? string.Empty : $$""","maintenanceWindow":{"end":"{{windowEnd}}","cutoffMinutes":0}""";
        var state = Prepared($$"""{"clusterIdentifier":"demo-cluster","slurmConfiguration":{"scaleDownIdleTimeInSeconds":1800},"options":{"dryRun":{{(dryRun ? "true" : "false")}}}{{window}}}""");

        var plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        plan.Outcome.Should().Be(expected);
        if (expected != PlanOutcomes.NoChange)
        {
            plan.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new ChangeItem { Path = "slurmConfiguration.scaleDownIdleTimeInSeconds", Current = "600", Desired = "1800" });
            plan.Payload!.Value.GetRawText().Should().Be("""{"scaleDownIdleTimeInSeconds":1800}""");
        }
    }

    [Fact]
    public async Task ApplyWithAClientTokenThatDependsOnlyOnKeyAndPayload()
    {
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        var first = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        var again = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        _pcs.Updates.Should().HaveCount(2);
        _pcs.Updates.Select(u => u.Token).Distinct().Should().ContainSingle().Which.Should().Be(first.ClientToken).And.Be(again.ClientToken);
        first.ClientToken.Length.Should().BeInRange(8, 100);
        _pcs.Updates[0].Payload.SlurmCustomSettings.Should().Equal(new CustomSetting("MinJobAge", "600"));
    }

    [Fact]
    public async Task LearnWhenToPoll_FromTheClustersRecentUpdatesInTheAuditLog()
    {
        foreach (var seconds in new[] { 470.0, 495, 452, 510, 488, 466, 530, 480, 444, 501 })
        {
            await _ledger.AppendAuditAsync(new Ports.AuditDraft("demo-cluster", AuditEvents.Succeeded, "earlier") { DurationSeconds = seconds }, CancellationToken.None);
        }

        await _ledger.AppendAuditAsync(new Ports.AuditDraft("other-cluster", AuditEvents.Succeeded, "elsewhere") { DurationSeconds = 60 }, CancellationToken.None);
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        state.Apply = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        state.Apply.Schedule!.BasedOn.Should().Be(10);
        state.Apply.WaitSeconds.Should().Be(state.Apply.Schedule.FirstSeconds).And.BeInRange(300, 444);
        _ledger.Audit.Last(a => a.EventType == AuditEvents.UpdateStarted).Reason.Should().Contain("learnt from the 10 most recent updates");

        _time.Advance(TimeSpan.FromSeconds(state.Apply.WaitSeconds));
        var poll = await new PollStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        poll.WaitSeconds.Should().Be(30, "completion is likely now: the dense window polls every interval");
    }

    [Fact]
    public async Task NeverWaitLongerThanTheLockCanBeHeld_AndRenewItBeforeALongWait()
    {
        foreach (var seconds in new[] { 2400.0, 2500, 2350, 2450, 2600, 2420, 2380, 2550, 2480, 2410 })
        {
            await _ledger.AppendAuditAsync(new Ports.AuditDraft("demo-cluster", AuditEvents.Succeeded, "earlier") { DurationSeconds = seconds }, CancellationToken.None);
        }

        var lease = TimeSpan.FromMinutes(10);
        var services = Services.Create(_pcs, _ledger, _time) with { Settings = new WorkflowSettings { LockLease = lease } };
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(services).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(services).RunAsync(state, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(4));

        state.Apply = await new ApplyStep(services).RunAsync(state, CancellationToken.None);

        state.Apply.Schedule!.FirstSeconds.Should().BeGreaterThan(1800, "forty-minute updates are first looked at after half an hour");
        state.Apply.WaitSeconds.Should().Be(300, "but no single wait outlasts half of a 10-minute lease");
        (state.Apply.LeaseRenewedAt!.Value + lease).Should().BeOnOrAfter(_time.GetUtcNow() + TimeSpan.FromSeconds(state.Apply.WaitSeconds) + (lease / 2),
            "the lease was renewed before the wait, since the claim's would have run low");
    }

    [Fact]
    public async Task PollEveryThirtySeconds_ForAClusterWithoutHistory()
    {
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        state.Apply = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        state.Apply.WaitSeconds.Should().Be(30);
        state.Apply.Schedule!.BasedOn.Should().Be(0);
        _ledger.Audit.Last(a => a.EventType == AuditEvents.UpdateStarted).Reason.Should().Contain("polling every 30 s");
    }

    [Fact]
    public async Task RenewTheLock_OnlyWhenLessThanHalfTheLeaseWouldBeLeftAfterTheNextWait()
    {
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Apply = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        var lease = new WorkflowSettings().LockLease;

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(50); elapsed += TimeSpan.FromSeconds(state.Poll?.WaitSeconds ?? state.Apply.WaitSeconds))
        {
            _time.SetUtcNow(Services.Start + elapsed + TimeSpan.FromSeconds(state.Poll?.WaitSeconds ?? state.Apply.WaitSeconds));
            var renewedBefore = state.Poll?.LeaseRenewedAt ?? state.Claim.LeaseRenewedAt!.Value;
            state.Poll = await new PollStep(ServicesFor()).RunAsync(state, CancellationToken.None);
            var leftAtNextPoll = state.Poll.LeaseRenewedAt!.Value + lease - (_time.GetUtcNow() + TimeSpan.FromSeconds(state.Poll.WaitSeconds));
            leftAtNextPoll.Should().BeGreaterThanOrEqualTo(lease / 2, "the lease never runs low between two polls");
            renewedBefore.Should().BeOnOrBefore(state.Poll.LeaseRenewedAt.Value);
        }

        _ledger.Renewals.Should().BeInRange(6, 8, "50 minutes of 30 s polls renew a 15-minute lease about every 7.5 minutes, not 100 times");
    }

    [Fact]
    public async Task PollUntilTheDeadline_ThenFailWithDeadlinePassed()
    {
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Apply = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        var poll = await new PollStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        poll.Status.Should().Be(PollStatuses.Updating);
        poll.WaitSeconds.Should().Be(30);
        state.Poll = poll;

        _time.Advance(TimeSpan.FromHours(1));
        var late = () => new PollStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        (await late.Should().ThrowAsync<StepException>()).Which.ErrorType.Should().Be(ErrorNames.DeadlinePassed);
    }

    [Fact]
    public async Task RecordARejection_ForAValidClusterName_AndNothingForAnInvalidOne()
    {
        var rejected = new RunState
        {
            Input = JsonDocument.Parse("""{"clusterIdentifier":"demo-cluster","slurmConfiguration":{"scaleDownIdleTimeInSeconds":0}}""").RootElement.Clone(),
            ExecutionId = "exec-1",
            Error = new StepError { Error = ErrorNames.RequestInvalid, Cause = """{"errorType":"RequestInvalid","errorMessage":"the request was rejected"}""" },
        };
        var hostile = new RunState
        {
            Input = JsonDocument.Parse("""{"clusterIdentifier":"demo\ncluster"}""").RootElement.Clone(),
            ExecutionId = "exec-2",
            Error = new StepError { Error = ErrorNames.RequestInvalid, Cause = "rejected" },
        };

        var first = await new RecordFailureStep(ServicesFor()).RunAsync(rejected, CancellationToken.None);
        var second = await new RecordFailureStep(ServicesFor()).RunAsync(hostile, CancellationToken.None);

        first.Should().BeEquivalentTo(new FailureResult { Error = ErrorNames.RequestInvalid, Cause = "the request was rejected", AuditEvent = AuditEvents.Rejected });
        second.AuditEvent.Should().BeNull();
        _ledger.Audit.Should().ContainSingle().Which.Should().Match<Ports.AuditDraft>(a => a.ClusterIdentifier == "demo-cluster" && a.EventType == AuditEvents.Rejected);
    }

    [Fact]
    public async Task FinishASuccessfulUpdate_CompletingTheKeyAndReleasingTheLock()
    {
        var state = Prepared(Request);
        state.Claim = await new ClaimStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Apply = await new ApplyStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        _pcs.Status = "ACTIVE";
        _pcs.Configuration = _pcs.Configuration with { ScaleDownIdleTimeInSeconds = 1800, SlurmCustomSettings = [new("MinJobAge", "600")] };
        state.Poll = await new PollStep(ServicesFor()).RunAsync(state, CancellationToken.None);
        state.Verify = await new VerifyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        var result = await new FinalizeStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        result.Outcome.Should().Be(FinalizeStep.Outcomes.Succeeded);
        result.Polls.Should().Be(1);
        _ledger.Keys[state.Run!.IdempotencyKey].Status.Should().Be("COMPLETED");
        _ledger.Locks.Should().BeEmpty();
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Requested, AuditEvents.Planned, AuditEvents.UpdateStarted, AuditEvents.Succeeded);

        _ledger.Locks["demo-cluster"] = (state.Run.ExecutionId, 99);
        var retried = await new FinalizeStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        retried.Should().BeEquivalentTo(result, "a retried Finalize (its answer lost) returns what the first attempt stored");
        _ledger.Audit.Should().HaveCount(4, "and writes no second outcome entry");
        _ledger.Locks.Should().BeEmpty("but still frees the lock, in case the first attempt did not get that far");
    }

    [Fact]
    public async Task FailVerification_WhenTheClusterDiffersFromTheDesiredConfiguration()
    {
        var state = Prepared(Request);
        state.Plan = await new PlanStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        var act = () => new VerifyStep(ServicesFor()).RunAsync(state, CancellationToken.None);

        (await act.Should().ThrowAsync<StepException>()).Which.Should().Match<StepException>(e =>
            e.ErrorType == ErrorNames.VerificationFailed && e.Message.Contains("scaleDownIdleTimeInSeconds"));
    }
}
