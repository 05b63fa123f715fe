using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;
using PcsOrchestrator.Functions.Steps;

namespace PcsOrchestrator.Functions.Tests;

/// <summary>The maintenance-window paths of the steps, over hand-written fakes; the scenario tests run them for real.</summary>
public sealed class WindowStepsShould
{
    private const string StateMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:update-cluster";

    // Monday 2026-11-23 09:00 UTC; the window opens on Sundays at 02:00 UTC for 4 hours, cutoff 1 hour.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingPcs _pcs = new() { Configuration = ClusterConfiguration.Defaults with { SlurmCustomSettings = [new("MinJobAge", "300")] } };
    private readonly RecordingLedger _ledger = new();
    private readonly RecordingStarter _starter = new();
    private readonly RecordingMaintenance _maintenance;

    public WindowStepsShould()
    {
        _maintenance = new RecordingMaintenance(_ledger);
        _maintenance.Windows.Add(Window("""["demo-cluster","quiet-cluster"]"""));
    }

    private static readonly DateTimeOffset Sunday = new(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);

    private static WindowDefinition Window(string clusters, string drift = "off")
    {
        var (window, issues) = WindowDefinition.Parse($$"""{"name":"sunday","schedule":"cron(0 2 ? * SUN *)","durationMinutes":240,"cutoffMinutes":60,"clusters":{{clusters}},"drift":"{{drift}}"}""");
        issues.Should().BeEmpty();
        return window!;
    }

    private StepServices Services() => Tests.Services.Create(_pcs, _ledger, _time, _maintenance, _starter);

    private RunState Prepared(string json, string execution)
    {
        var input = new PrepareInput { Input = JsonDocument.Parse(json).RootElement.Clone(), ExecutionId = execution, StartTime = _time.GetUtcNow(), StateMachineArn = StateMachine };
        var prepared = new PrepareStep(Services()).Run(input);
        return new RunState { Run = prepared.Run, Opening = prepared.Opening };
    }

    private static string Change(string configuration, string extra = "") =>
        $$"""{"clusterIdentifier":"demo-cluster","requestedBy":"alice","reason":"CHG-7","slurmConfiguration":{{configuration}}{{extra}}}""";

    private async Task<ClaimResult> SubmitAsync(string json, string execution)
    {
        var state = Prepared(json, execution);
        return await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
    }

    private RunState WindowRun(string cluster = "demo-cluster", string drift = "off", int week = 0)
    {
        var start = Sunday.AddDays(7 * week);
        var run = new WindowRun("sunday", cluster, new MaintenanceWindow(start.AddHours(4), TimeSpan.FromHours(1)) { Start = start }, DriftModeExtensions.TryParseWire(drift, out var mode) ? mode : DriftMode.Off, start);
        return Prepared(System.Text.Encoding.UTF8.GetString(run.ToJson()), "arn:aws:states:us-east-1:123456789012:execution:update-cluster:" + run.ExecutionName);
    }

    [Fact]
    public async Task QueueARequestThatSaysNothing_ForAClusterWithAWindow_AndTouchNeitherThePcsNorTheLock()
    {
        var claim = await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");

        claim.Outcome.Should().Be(ClaimOutcomes.Queued);
        claim.Result!.Outcome.Should().Be("queued");
        claim.Result.Window.Should().Be("sunday");
        claim.Result.OpensAt.Should().Be(Sunday);
        claim.Result.ChangeId.Should().Be(_maintenance.Queue.Single().ChangeId);
        _maintenance.StatusOf(claim.Result.ChangeId!).Should().Be(HeldChange.Pending);
        _ledger.Audit.Should().ContainSingle().Which.Should().Match<AuditDraft>(a => a.EventType == AuditEvents.Queued && a.Actor == "alice" && a.Reason!.StartsWith("CHG-7; queued for maintenance window sunday", StringComparison.Ordinal));
        _ledger.Locks.Should().BeEmpty("a queued change does not take the cluster");
        _pcs.Updates.Should().BeEmpty();
        _ledger.Keys.Values.Single().Status.Should().Be("COMPLETED", "a second delivery of the same request is a duplicate of the queued one");
    }

    [Fact]
    public async Task AnswerASecondDeliveryOfAQueuedRequest_AsADuplicate_WithoutQueuingItTwice()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");

        var second = await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:two");

        second.Outcome.Should().Be(ClaimOutcomes.Duplicate);
        JsonSerializer.Deserialize(second.StoredResult!.Value, FunctionsJsonContext.Default.FinalResult)!.Outcome.Should().Be("queued");
        _maintenance.Queue.Should().ContainSingle();
    }

    [Theory]
    [InlineData("pending", null)]
    [InlineData("applied", "succeeded")]
    [InlineData("cancelled", null)]
    public async Task AnswerALateDeliveryOfAQueuedRequest_WithWhereTheChangeStandsNow(string status, string? outcome)
    {
        var queued = await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        var changeId = queued.Result!.ChangeId!;
        _maintenance.States[changeId] = (status, null, 0, outcome);

        var late = Prepared(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:two");
        late.Claim = await new ClaimStep(Services()).RunAsync(late, CancellationToken.None);
        var result = await new FinalizeStep(Services()).RunAsync(late, CancellationToken.None);

        result.Outcome.Should().Be(FinalizeStep.Outcomes.Duplicate);
        result.ChangeId.Should().Be(changeId);
        result.ChangeStatus.Should().Be(status, "the stored 'queued' is what the first delivery saw, not where the change is now");
        result.ChangeOutcome.Should().Be(outcome);
        result.Reason.Should().Contain($"change {changeId} now {status}");
        _ledger.Audit.Last().Reason.Should().Contain($"now {status}");
    }

    [Fact]
    public async Task AnswerALateDeliveryOfAQueuedRequest_AsExpired_WhenTheChangeIsGone()
    {
        var queued = await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        _maintenance.States.Remove(queued.Result!.ChangeId!);

        var late = Prepared(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:two");
        late.Claim = await new ClaimStep(Services()).RunAsync(late, CancellationToken.None);
        var result = await new FinalizeStep(Services()).RunAsync(late, CancellationToken.None);

        result.ChangeStatus.Should().Be(FinalizeStep.ExpiredChange);
    }

    [Fact]
    public async Task AnswerARetryOfTheClaimThatQueuedTheChange_AsQueuedAgain_NotAsItsOwnDuplicate()
    {
        var state = Prepared(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        var first = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);

        var retried = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);

        retried.Outcome.Should().Be(ClaimOutcomes.Queued);
        retried.Result!.ChangeId.Should().Be(first.Result!.ChangeId);
        _maintenance.Queue.Should().ContainSingle();
        _ledger.Audit.Should().ContainSingle("the queued entry is written once");
    }

    [Fact]
    public async Task ApplyNowWhenTheRequestSaysSo_TakingTheLockAsAlways()
    {
        var claim = await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}""", ""","apply":"now" """), "exec:one");

        claim.Outcome.Should().Be(ClaimOutcomes.Claimed);
        _maintenance.Queue.Should().BeEmpty();
        _ledger.Locks.Should().ContainKey("demo-cluster");
    }

    [Fact]
    public async Task RefuseTheNextWindowForAClusterWithoutOne_ClaimingNothing()
    {
        var act = async () => await SubmitAsync("""{"clusterIdentifier":"lonely-cluster","apply":"next-window","slurmConfiguration":{"scaleDownIdleTimeInSeconds":900}}""", "exec:one");

        (await act.Should().ThrowAsync<StepException>()).Which.ErrorType.Should().Be(ErrorNames.NoMaintenanceWindow);
        _ledger.Keys.Should().BeEmpty();
        _maintenance.Queue.Should().BeEmpty();
    }

    [Fact]
    public async Task OpenAWindow_StartingOneRunPerClusterWithQueuedChanges_OnceHoweverOftenItFires()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        _time.SetUtcNow(Sunday);
        var opening = Prepared("""{"window":"sunday","scheduledTime":"2026-11-29T02:00:00Z"}""", "exec:opening-1");

        var first = await new OpenWindowStep(Services()).RunAsync(opening, CancellationToken.None);
        var again = await new OpenWindowStep(Services()).RunAsync(Prepared("""{"window":"sunday","scheduledTime":"2026-11-29T02:00:00Z"}""", "exec:opening-2"), CancellationToken.None);

        first.Outcome.Should().Be(OpenWindowResult.Outcomes.Opened);
        first.Runs.Select(r => (r.ClusterIdentifier, r.Action, r.Pending)).Should().Equal(("demo-cluster", "started", 1), ("quiet-cluster", "skipped", 0));
        again.Runs.Select(r => r.Action).Should().Equal("already-started", "skipped");
        _starter.Started.Should().ContainSingle().Which.StateMachineArn.Should().Be(StateMachine);
        var (_, run, issues) = WindowInputs.Parse(JsonDocument.Parse(_starter.Started[0].Input).RootElement);
        issues.Should().BeEmpty();
        run!.Occurrence.Should().Be(new MaintenanceWindow(Sunday.AddHours(4), TimeSpan.FromHours(1)) { Start = Sunday });
    }

    [Fact]
    public async Task StartARunForEveryClusterOfAWindowThatWatchesDrift_EvenWithNothingQueued()
    {
        _maintenance.Windows[0] = Window("""["demo-cluster","quiet-cluster"]""", "report");
        _time.SetUtcNow(Sunday);

        var opened = await new OpenWindowStep(Services()).RunAsync(Prepared("""{"window":"sunday","scheduledTime":"2026-11-29T02:00:00Z"}""", "exec:opening"), CancellationToken.None);

        opened.Runs.Select(r => r.Action).Should().Equal("started", "started");
    }

    [Fact]
    public async Task StartNothing_ForAWindowThatIsGone_OrDoesNotOpenAtTheScheduledTime()
    {
        var gone = await new OpenWindowStep(Services()).RunAsync(Prepared("""{"window":"deleted","scheduledTime":"2026-11-29T02:00:00Z"}""", "exec:a"), CancellationToken.None);
        var closed = await new OpenWindowStep(Services()).RunAsync(Prepared("""{"window":"sunday","scheduledTime":"2026-11-25T12:00:00Z"}""", "exec:b"), CancellationToken.None);

        gone.Outcome.Should().Be(OpenWindowResult.Outcomes.NoWindow);
        closed.Outcome.Should().Be(OpenWindowResult.Outcomes.NotOpen);
        closed.Reason.Should().Contain("has no occurrence open at 2026-11-25T12:00:00Z");
        _starter.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task PlanAWindowRun_TakingEveryPendingChange_AndLeavingACancelledOneOut()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        _time.Advance(TimeSpan.FromHours(1));
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":1800,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}"""), "exec:two");
        _time.Advance(TimeSpan.FromHours(1));
        await SubmitAsync(Change("""{"accounting":{"defaultPurgeTimeInDays":90}}"""), "exec:three");
        var cancelled = _maintenance.Queue[2].ChangeId;
        _maintenance.States[cancelled] = ("cancelled", null, 0, "cancelled by bob");
        _time.SetUtcNow(Sunday.AddMinutes(1));
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);

        var plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);

        plan.Outcome.Should().Be(PlanOutcomes.Apply);
        plan.Included!.Select(c => c.ChangeId).Should().Equal(_maintenance.Queue[0].ChangeId, _maintenance.Queue[1].ChangeId);
        plan.Changes.Select(c => (c.Path, c.Desired)).Should().Equal(("slurmConfiguration.scaleDownIdleTimeInSeconds", "1800"), ("slurmConfiguration.slurmCustomSettings[MinJobAge]", "600"));
        plan.Conflicts!.Should().ContainSingle().Which.Winner.Should().Be(_maintenance.Queue[1].ChangeId);
        plan.Reason.Should().Be("maintenance window sunday: 2 queued changes merged into one update");
        _maintenance.StatusOf(_maintenance.Queue[0].ChangeId).Should().Be(HeldChange.Applying);
        _maintenance.StatusOf(cancelled).Should().Be("cancelled");
        _ledger.Audit.Last().EventType.Should().Be(AuditEvents.Planned);
        _ledger.Audit.Last().Window!["conflicts"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task DeferAWindowRunPastTheCutoff_PuttingEveryTakenChangeBackInTheQueue()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        _time.SetUtcNow(Sunday.AddHours(3).AddMinutes(5));
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);

        var result = await new FinalizeStep(Services()).RunAsync(state, CancellationToken.None);

        state.Plan.Outcome.Should().Be(PlanOutcomes.Defer);
        result.Outcome.Should().Be("deferred");
        result.Reason.Should().Contain("past the window's cutoff");
        _maintenance.StatusOf(_maintenance.Queue[0].ChangeId).Should().Be(HeldChange.Pending);
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Queued, AuditEvents.Requested, AuditEvents.Deferred, AuditEvents.Deferred);
        _ledger.Audit[2].IdempotencyKey.Should().Be(_maintenance.Queue[0].Key, "the change's own entry carries its key");
        _ledger.Audit[2].Reason.Should().EndWith("the change stays queued for the next window, which opens at 2026-12-06T02:00:00Z");
        _pcs.Updates.Should().BeEmpty();
    }

    [Fact]
    public async Task FinishAWindowRun_MarkingEveryIncludedChangeApplied()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        await SubmitAsync(Change("""{"accounting":{"defaultPurgeTimeInDays":90}}"""), "exec:two");
        _time.SetUtcNow(Sunday);
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
        state.Verify = new VerifyResult { Verified = true, After = state.Plan.Desired };

        var result = await new FinalizeStep(Services()).RunAsync(state, CancellationToken.None);

        result.Outcome.Should().Be("succeeded");
        result.IncludedChanges.Should().Equal(_maintenance.Queue.Select(q => q.ChangeId));
        _maintenance.Queue.Select(q => _maintenance.StatusOf(q.ChangeId)).Should().Equal("applied", "applied");
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Queued, AuditEvents.Queued, AuditEvents.Requested, AuditEvents.Planned, AuditEvents.Applied, AuditEvents.Applied, AuditEvents.Succeeded);
        _maintenance.Applied.Should().NotContainKey("demo-cluster", "this window does not watch drift: nothing needs the applied configuration");
        _ledger.Locks.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false, "failed", 1)]
    [InlineData(true, HeldChange.Pending, 1)]
    public async Task MarkEveryIncludedChangeFailed_WhenTheWindowFails_RequeuingOnlyTheOnesThatAsked(bool requeue, string status, int attempts)
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}""", $$""","options":{"requeueOnFailure":{{(requeue ? "true" : "false")}}}"""), "exec:one");
        _time.SetUtcNow(Sunday);
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
        state.Error = new StepError { Error = ErrorNames.UpdateFailed, Cause = "{}" };
        state.Poll = new PollResult { Status = PollStatuses.Failed, Phase = PollPhases.Update, ErrorInfo = ["SlurmctldRestartFailed: no"] };

        var failure = await new RecordFailureStep(Services()).RunAsync(state, CancellationToken.None);

        failure.Error.Should().Be(ErrorNames.UpdateFailed);
        var id = _maintenance.Queue[0].ChangeId;
        _maintenance.States[id].Status.Should().Be(status);
        _maintenance.States[id].Attempts.Should().Be(attempts);
        var entry = _ledger.Audit.Single(a => a.EventType == AuditEvents.ApplyFailed);
        entry.Reason.Should().Contain(requeue ? "queued again for the next window" : "the change is marked failed");
        _ledger.Audit.Last().EventType.Should().Be(AuditEvents.Failed, "the run's own entry comes last");
    }

    [Fact]
    public async Task StopRequeuingAChangeThatFailedInTheMostWindowsAllowed()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}""", ""","options":{"requeueOnFailure":true}"""), "exec:one");
        var id = _maintenance.Queue[0].ChangeId;
        var limit = Services().Settings.MaxWindowAttempts;
        for (var window = 1; window <= limit; window++)
        {
            _time.SetUtcNow(Sunday.AddDays(7 * (window - 1)));
            var state = WindowRun(week: window - 1);
            state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
            state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
            state.Error = new StepError { Error = ErrorNames.PcsValidation, Cause = "{}" };

            await new RecordFailureStep(Services()).RunAsync(state, CancellationToken.None);

            _maintenance.States[id].Attempts.Should().Be(window);
            _maintenance.States[id].Status.Should().Be(window < limit ? HeldChange.Pending : "failed", $"window {window} of at most {limit}");
        }

        _ledger.Audit.Last(a => a.EventType == AuditEvents.ApplyFailed).Reason.Should().Contain($"has now failed in {limit} windows, the most requeueOnFailure allows");
    }

    [Fact]
    public async Task MarkTheChangesApplied_WhenOnlyTheEndOfAVerifiedWindowRunFailed()
    {
        await SubmitAsync(Change("""{"scaleDownIdleTimeInSeconds":900}"""), "exec:one");
        _time.SetUtcNow(Sunday);
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
        state.Verify = new VerifyResult { Verified = true, After = state.Plan.Desired };
        state.Error = new StepError { Error = ErrorNames.StoreTransient, Cause = "{}" };

        await new RecordFailureStep(Services()).RunAsync(state, CancellationToken.None);

        _maintenance.StatusOf(_maintenance.Queue[0].ChangeId).Should().Be("applied", "PCS has the change: Finalize failed after Verify");
        _ledger.Audit.Single(a => a.EventType == AuditEvents.Applied).Reason.Should().Contain("the update was verified; the run then failed: StoreTransient");
    }

    [Fact]
    public async Task DeferInsteadOfWaitingPastTheCutoff_WhenTheClusterIsBusy()
    {
        _time.SetUtcNow(Sunday.AddHours(2).AddMinutes(59));
        _pcs.Status = "UPDATING";
        var state = WindowRun();
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);

        var cutoff = Sunday.AddHours(3);
        ReadinessResult readiness;
        var waits = 0;
        while ((readiness = await new CheckReadinessStep(Services()).RunAsync(state, CancellationToken.None)).Verdict == ReadinessVerdicts.Wait)
        {
            _time.Advance(TimeSpan.FromSeconds(readiness.WaitSeconds));
            _time.GetUtcNow().Should().BeOnOrBefore(cutoff, "no wait ends past the window's cutoff");
            state.Readiness = readiness;
            waits++;
        }

        waits.Should().BeGreaterThan(0);
        _time.GetUtcNow().Should().Be(cutoff, "the last look is at the cutoff itself");
        readiness.Verdict.Should().Be(ReadinessVerdicts.Defer);
        readiness.Reasons[0].Should().Be("deferred: cluster demo-cluster was not ready before the cutoff of maintenance window sunday (2026-11-29T05:00:00Z)");
    }

    [Fact]
    public async Task RememberWhatARequestAppliedNow_ForAClusterWhoseWindowWatchesDrift()
    {
        _maintenance.Windows[0] = Window("""["demo-cluster"]""", "report");
        var state = Prepared(Change("""{"scaleDownIdleTimeInSeconds":900}""", ""","apply":"now" """), "exec:now");
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);
        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
        state.Verify = new VerifyResult { Verified = true, After = state.Plan.Desired };

        await new FinalizeStep(Services()).RunAsync(state, CancellationToken.None);

        state.Claim.WindowDrift.Should().Be("report");
        _maintenance.Applied["demo-cluster"].ScaleDownIdleTimeInSeconds.Should().Be(900);
    }

    [Fact]
    public async Task DetectAndCorrectDrift_RestoringTheLastAppliedConfiguration()
    {
        _maintenance.Windows[0] = Window("""["demo-cluster"]""", "correct");
        _maintenance.Applied["demo-cluster"] = _pcs.Configuration;
        _pcs.Configuration = _pcs.Configuration with { ScaleDownIdleTimeInSeconds = 60 };
        _time.SetUtcNow(Sunday);
        var state = WindowRun(drift: "correct");
        state.Claim = await new ClaimStep(Services()).RunAsync(state, CancellationToken.None);

        state.Plan = await new PlanStep(Services()).RunAsync(state, CancellationToken.None);
        state.Verify = new VerifyResult { Verified = true, After = state.Plan.Desired };
        await new FinalizeStep(Services()).RunAsync(state, CancellationToken.None);

        state.Plan.Outcome.Should().Be(PlanOutcomes.Apply);
        state.Plan.CorrectsDrift.Should().BeTrue();
        state.Plan.Changes.Select(c => (c.Path, c.Current, c.Desired)).Should().Equal(("slurmConfiguration.scaleDownIdleTimeInSeconds", "60", "600"));
        _ledger.Audit.Select(a => a.EventType).Should().Equal(AuditEvents.Requested, AuditEvents.DriftDetected, AuditEvents.Planned, AuditEvents.DriftCorrected, AuditEvents.Succeeded);
        _ledger.Audit[1].Reason.Should().StartWith("the live configuration differs from the one last applied in 1 place: slurmConfiguration.scaleDownIdleTimeInSeconds is 60, was applied as 600");
        _maintenance.Applied["demo-cluster"].ScaleDownIdleTimeInSeconds.Should().Be(600, "the restored configuration is the last applied one again");
    }
}
