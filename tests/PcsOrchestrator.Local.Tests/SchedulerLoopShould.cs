using PcsOrchestrator.Functions;

namespace PcsOrchestrator.Local.Tests;

/// <summary>The background loop on real and accelerated clocks: it fires on time, wakes for new schedules, and stops on disposal.</summary>
[Trait("Category", "Integration")]
public sealed class SchedulerLoopShould
{
    /// <summary>A guard against a loop that never fires; not a performance figure.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FireARateScheduleAtItsStartDate_OnTheRealClock()
    {
        await using var world = await SchedulerWorld.StartAsync(TimeProvider.System);
        var fired = new TaskCompletionSource<ScheduledInvocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Target = attempt =>
        {
            fired.TrySetResult(attempt);
            return Task.CompletedTask;
        };
        world.Endpoint.Start();
        // Far enough ahead that creating the schedule on a loaded machine still ends before it (an occurrence before a
        // schedule's creation never fires), near enough to keep the test short.
        var startDate = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 6);

        await world.CreateAsync("soon", "rate(1 minute)", configure: r => r.StartDate = startDate);
        var invocation = await fired.Task.WaitAsync(Patience, Ct);

        invocation.ScheduledTime.Should().Be(startDate);
        invocation.ScheduleName.Should().Be("soon");
        world.Endpoint.NextFireTime().Should().Be(startDate.AddMinutes(1));
        world.Endpoint.Invocations.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task WakeUpForAScheduleCreatedWhileItWaits_AndKeepFiringIt_OnAnAcceleratedClock()
    {
        // 60 times real time: rate(1 minute) fires every real second.
        await using var world = await SchedulerWorld.StartAsync(new ScaledTimeProvider(60));
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Target = _ =>
        {
            if (world.Attempts.Count >= 3)
            {
                three.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await world.CreateAsync("far-away", "rate(7 days)", configure: r => r.StartDate = world.Time.GetUtcNow().AddDays(2));
        world.Endpoint.Start();
        world.Endpoint.IsLoopRunning.Should().BeTrue();

        await world.CreateAsync("every-minute", "rate(1 minute)");
        await three.Task.WaitAsync(Patience, Ct);

        var times = world.Attempts.Take(3).Select(a => a.ScheduledTime).ToList();
        world.Attempts.Take(3).Should().OnlyContain(a => a.ScheduleName == "every-minute", "the loop was asleep until far-away's start and woke for the new schedule");
        times[1].Should().Be(times[0].AddMinutes(1));
        times[2].Should().Be(times[0].AddMinutes(2));
    }

    [Fact]
    public async Task WakeUpForAScheduleUpdatedWhileItWaits()
    {
        await using var world = await SchedulerWorld.StartAsync(TimeProvider.System);
        var fired = new TaskCompletionSource<ScheduledInvocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Target = attempt =>
        {
            fired.TrySetResult(attempt);
            return Task.CompletedTask;
        };
        await world.CreateAsync("moved", "at(2099-01-01T00:00:00)");
        world.Endpoint.Start();
        var startDate = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 1);

        await world.Client.UpdateScheduleAsync(SchedulerWorld.Schedule("moved", "rate(5 minutes)", configure: r => r.StartDate = startDate), Ct);
        var invocation = await fired.Task.WaitAsync(Patience, Ct);

        invocation.ScheduledTime.Should().Be(startDate);
    }

    [Fact]
    public async Task StopOnDisposal_SoThatNothingFiresAfterwards()
    {
        var world = await SchedulerWorld.OnAFakeClockAsync();
        try
        {
            await world.CreateAsync("later", "rate(1 hour)", configure: r => r.StartDate = SchedulerWorld.Start.AddHours(1));
            world.Endpoint.Start();
            world.Endpoint.IsLoopRunning.Should().BeTrue();

            await world.Endpoint.DisposeAsync().AsTask().WaitAsync(Patience, Ct);
            world.Clock.Advance(TimeSpan.FromHours(3));

            world.Endpoint.IsLoopRunning.Should().BeFalse();
            world.Attempts.Should().BeEmpty();
            world.Endpoint.Invocations.Should().BeEmpty();
            await FluentActions.Awaiting(() => world.Client.ListSchedulesAsync(null, Ct)).Should().ThrowAsync<Aws.EventBridgeScheduler.SchedulerException>()
                .Where(e => e.ErrorCode == Aws.EventBridgeScheduler.SchedulerException.Unreachable, "the listener stopped too");
        }
        finally
        {
            await world.DisposeAsync();
        }
    }
}
