using System.Text.Json;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local.Tests;

/// <summary>Firing on a fake clock, stepped with FireDueAsync: time zones, rate, at, disabled, exactly once, input, retries.</summary>
[Trait("Category", "Integration")]
public sealed class SchedulerEndpointShould
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task FireACronScheduleAtItsLocalTime_OnBothSidesOfADaylightSavingChange()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("weekly-ny", "cron(0 3 ? * SUN *)", "America/New_York");

        var beforeChange = world.Endpoint.NextFireTime();
        var early = await world.FireAtAsync(Utc(2027, 3, 7, 7, 59));
        var first = await world.FireAtAsync(Utc(2027, 3, 7, 8));
        var afterFirst = world.Endpoint.NextFireTime();
        var second = await world.FireAtAsync(Utc(2027, 3, 14, 7));
        var standardTimeInstant = await world.FireAtAsync(Utc(2027, 3, 14, 8));

        beforeChange.Should().Be(Utc(2027, 3, 7, 8), "03:00 EST is 08:00Z");
        early.Should().BeEmpty();
        first.Should().ContainSingle().Which.ScheduledTime.Should().Be(Utc(2027, 3, 7, 8));
        afterFirst.Should().Be(Utc(2027, 3, 14, 7), "daylight-saving time starts on 2027-03-14: 03:00 EDT is 07:00Z");
        second.Should().ContainSingle().Which.ScheduledTime.Should().Be(Utc(2027, 3, 14, 7));
        standardTimeInstant.Should().BeEmpty("03:00 local was at 07:00Z that day, not 08:00Z");
        world.Endpoint.NextFireTime().Should().Be(Utc(2027, 3, 21, 7));
        world.Attempts.Select(a => a.ScheduledTime).Should().Equal(Utc(2027, 3, 7, 8), Utc(2027, 3, 14, 7));
    }

    [Fact]
    public async Task FireABerlinWindowOnceAtItsLocalTime_AcrossTheEndOfDaylightSavingTime()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2026, 10, 12, 0));

        // 02:30 on 2026-10-25 happens twice in Berlin (CEST, then CET): it fires once, at the first.
        await world.CreateAsync("sunday-berlin", "cron(30 2 ? * SUN *)", "Europe/Berlin");
        var fired = await world.FireAtAsync(Utc(2026, 11, 1, 2));

        fired.Select(f => f.ScheduledTime).Should().Equal(Utc(2026, 10, 18, 0, 30), Utc(2026, 10, 25, 0, 30), Utc(2026, 11, 1, 1, 30));
        world.Endpoint.NextFireTime().Should().Be(Utc(2026, 11, 8, 1, 30));
    }

    [Fact]
    public async Task CountARateScheduleFromItsStartDate()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("daily", "rate(1 day)", configure: r => r.StartDate = Utc(2027, 3, 2, 6, 15));

        world.Endpoint.NextFireTime().Should().Be(Utc(2027, 3, 2, 6, 15));
        var fired = await world.FireAtAsync(Utc(2027, 3, 4, 7));

        fired.Select(f => f.ScheduledTime).Should().Equal(Utc(2027, 3, 2, 6, 15), Utc(2027, 3, 3, 6, 15), Utc(2027, 3, 4, 6, 15));
        world.Endpoint.NextFireTime().Should().Be(Utc(2027, 3, 5, 6, 15));
    }

    [Fact]
    public async Task CountARateScheduleWithoutAStartDate_FromItsCreation()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 10, 20));
        await world.CreateAsync("every-six-hours", "rate(6 hours)");

        var fired = await world.FireAtAsync(Utc(2027, 3, 2, 0));

        fired.Select(f => f.ScheduledTime).Should().Equal(Utc(2027, 3, 1, 10, 20), Utc(2027, 3, 1, 16, 20), Utc(2027, 3, 1, 22, 20));
    }

    [Fact]
    public async Task StopARecurringScheduleAtItsEndDate_AndDeleteIt_WhenActionAfterCompletionIsDelete()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("bounded", "rate(1 hour)", configure: r =>
        {
            r.StartDate = Utc(2027, 3, 1, 1);
            r.EndDate = Utc(2027, 3, 1, 3);
        });
        await world.CreateAsync("bounded-delete", "rate(1 hour)", configure: r =>
        {
            r.StartDate = Utc(2027, 3, 1, 1);
            r.EndDate = Utc(2027, 3, 1, 2, 30);
            r.ActionAfterCompletion = ActionsAfterCompletion.Delete;
        });

        var fired = await world.FireAtAsync(Utc(2027, 3, 2, 0));

        fired.Select(f => (f.ScheduleName, f.ScheduledTime)).Should().Equal(
            ("bounded", Utc(2027, 3, 1, 1)), ("bounded-delete", Utc(2027, 3, 1, 1)),
            ("bounded", Utc(2027, 3, 1, 2)), ("bounded-delete", Utc(2027, 3, 1, 2)),
            ("bounded", Utc(2027, 3, 1, 3)));
        world.Endpoint.Schedules.Select(s => (s.Definition.Name, s.NextFireTime)).Should().Equal(("bounded", (DateTimeOffset?)null));
        world.Endpoint.NextFireTime().Should().BeNull();
    }

    [Fact]
    public async Task FireAnAtScheduleOnce_AndDeleteIt_WhenActionAfterCompletionIsDelete()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("once-delete", "at(2027-03-05T09:30:00)", "Europe/Berlin", r => r.ActionAfterCompletion = ActionsAfterCompletion.Delete);
        await world.CreateAsync("once-keep", "at(2027-03-05T09:30:00)", "UTC");

        world.Endpoint.NextFireTime().Should().Be(Utc(2027, 3, 5, 8, 30), "09:30 CET is 08:30Z");
        var fired = await world.FireAtAsync(Utc(2027, 3, 5, 10));
        var later = await world.FireAtAsync(Utc(2027, 3, 9, 0));

        fired.Select(f => (f.ScheduleName, f.ScheduledTime)).Should().Equal(("once-delete", Utc(2027, 3, 5, 8, 30)), ("once-keep", Utc(2027, 3, 5, 9, 30)));
        later.Should().BeEmpty();
        await FluentActions.Awaiting(() => world.Client.GetScheduleAsync("once-delete", null, Ct)).Should().ThrowAsync<SchedulerResourceNotFoundException>();
        (await world.Client.GetScheduleAsync("once-keep", null, Ct)).State.Should().Be("ENABLED", "without DELETE a finished one-time schedule stays");
        world.Endpoint.Schedules.Should().ContainSingle().Which.NextFireTime.Should().BeNull();
    }

    [Fact]
    public async Task NotFireADisabledSchedule_NorItsMissedOccurrencesWhenItIsEnabledAgain()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("paused", "rate(1 hour)", configure: r => r.State = ScheduleStates.Disabled);

        var whileDisabled = await world.FireAtAsync(Utc(2027, 3, 2, 0, 10));
        var nextWhileDisabled = world.Endpoint.NextFireTime();
        await world.Client.UpdateScheduleAsync(SchedulerWorld.Schedule("paused", "rate(1 hour)"), Ct);
        var afterEnabling = await world.FireAtAsync(Utc(2027, 3, 2, 1, 30));

        whileDisabled.Should().BeEmpty();
        nextWhileDisabled.Should().BeNull();
        // rate() counts from the creation time, and nothing before the change fires late.
        afterEnabling.Select(f => f.ScheduledTime).Should().Equal(Utc(2027, 3, 2, 1));
    }

    [Fact]
    public async Task FireEachOccurrenceExactlyOnce_HoweverOftenFireDueIsCalled()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("quarter-hourly", "cron(0/15 * * * ? *)");
        world.Clock.SetUtcNow(Utc(2027, 3, 1, 1));

        var batches = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => world.Endpoint.FireDueAsync(Ct)));
        var again = await world.Endpoint.FireDueAsync(Ct);

        batches.SelectMany(b => b).Select(f => f.ScheduledTime).Order().Should().Equal(
            Utc(2027, 3, 1, 0), Utc(2027, 3, 1, 0, 15), Utc(2027, 3, 1, 0, 30), Utc(2027, 3, 1, 0, 45), Utc(2027, 3, 1, 1));
        again.Should().BeEmpty();
        world.Attempts.Should().HaveCount(5);
        world.Endpoint.Invocations.Should().HaveCount(5).And.OnlyContain(i => i.Succeeded && i.Attempts == 1);
    }

    [Fact]
    public async Task SubstituteTheContextAttributesInTheInput()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2026, 11, 28, 0));
        var arn = await world.CreateAsync("weekly", "cron(0 2 ? * SUN *)", "UTC", r => r.Target.Input =
            """{"window":"weekly","scheduledTime":"<aws.scheduler.scheduled-time>","scheduleArn":"<aws.scheduler.schedule-arn>","executionId":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"}""");

        var fired = await world.FireAtAsync(Utc(2026, 11, 29, 2));

        var invocation = fired.Should().ContainSingle().Subject;
        using var input = JsonDocument.Parse(invocation.Input!);
        input.RootElement.GetProperty("window").GetString().Should().Be("weekly");
        input.RootElement.GetProperty("scheduledTime").GetString().Should().Be("2026-11-29T02:00:00Z");
        input.RootElement.GetProperty("scheduleArn").GetString().Should().Be(arn).And.Be("arn:aws:scheduler:us-east-1:123456789012:schedule/default/weekly");
        input.RootElement.GetProperty("executionId").GetString().Should().Be(invocation.ExecutionId);
        Guid.TryParse(invocation.ExecutionId, out _).Should().BeTrue();
        input.RootElement.GetProperty("attempt").GetString().Should().Be("1");
        invocation.ScheduleArn.Should().Be(arn);
        invocation.ScheduleName.Should().Be("weekly");
        invocation.GroupName.Should().Be("default");
        invocation.TargetArn.Should().Be(SchedulerWorld.StateMachineArn);
        invocation.RoleArn.Should().Be(SchedulerWorld.RoleArn);
        invocation.AttemptNumber.Should().Be(1);
        world.Attempts.Should().Equal(invocation);
    }

    [Fact]
    public async Task RetryAFailingTarget_RecordTheFailure_AndStillFireLaterSchedules()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        var flakyFailures = 1;
        world.Target = attempt => attempt.ScheduleName switch
        {
            "broken" => throw new InvalidOperationException("the state machine does not exist"),
            "flaky" when flakyFailures-- > 0 => throw new HttpRequestException("connection reset"),
            _ => Task.CompletedTask,
        };
        await world.CreateAsync("broken", "at(2027-03-01T01:00:00)", configure: r =>
        {
            r.Target.RetryPolicy = new RetryPolicy { MaximumRetryAttempts = 2, MaximumEventAgeInSeconds = 60 };
            r.Target.Input = """{"attempt":"<aws.scheduler.attempt-number>"}""";
        });
        await world.CreateAsync("flaky", "at(2027-03-01T01:30:00)");
        await world.CreateAsync("healthy", "at(2027-03-01T02:00:00)");

        var fired = await world.FireAtAsync(Utc(2027, 3, 1, 3));

        fired.Select(f => f.ScheduleName).Should().Equal("broken", "flaky", "healthy");
        world.Attempts.Select(a => (a.ScheduleName, a.AttemptNumber)).Should().Equal(("broken", 1), ("broken", 2), ("broken", 3), ("flaky", 1), ("flaky", 2), ("healthy", 1));
        world.Attempts.Where(a => a.ScheduleName == "broken").Select(a => a.Input).Should().Equal("""{"attempt":"1"}""", """{"attempt":"2"}""", """{"attempt":"3"}""");
        world.Attempts.Where(a => a.ScheduleName == "broken").Select(a => a.ExecutionId).Distinct().Should().ContainSingle("the attempts of one occurrence share its execution id");
        var records = world.Endpoint.Invocations;
        records.Select(r => (r.Invocation.ScheduleName, r.Attempts, r.Succeeded)).Should().Equal(("broken", 3, false), ("flaky", 2, true), ("healthy", 1, true));
        records[0].Error.Should().Be("InvalidOperationException: the state machine does not exist");
        records[1].Error.Should().BeNull();
        records[0].CompletedAt.Should().Be(Utc(2027, 3, 1, 3));
    }

    [Fact]
    public async Task NeverFireOccurrencesBeforeTheScheduleWasCreated()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 10, 30));
        await world.CreateAsync("hourly-cron", "cron(0 * * * ? *)");
        await world.CreateAsync("hourly-rate", "rate(1 hour)", configure: r => r.StartDate = Utc(2027, 3, 1, 8));
        await world.CreateAsync("past-at", "at(2027-03-01T09:00:00)");

        var atCreation = await world.Endpoint.FireDueAsync(Ct);
        var next = world.Endpoint.NextFireTime();
        var atEleven = await world.FireAtAsync(Utc(2027, 3, 1, 11));

        atCreation.Should().BeEmpty();
        next.Should().Be(Utc(2027, 3, 1, 11));
        atEleven.Select(f => (f.ScheduleName, f.ScheduledTime)).Should().Equal(("hourly-cron", Utc(2027, 3, 1, 11)), ("hourly-rate", Utc(2027, 3, 1, 11)));
        world.Attempts.Should().HaveCount(2);
    }

    [Fact]
    public async Task NotFireAgainWhatAlreadyFired_WhenAScheduleIsUpdated()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0));
        await world.CreateAsync("changing", "cron(0 6 * * ? *)");
        var first = await world.FireAtAsync(Utc(2027, 3, 1, 6));

        await world.Client.UpdateScheduleAsync(SchedulerWorld.Schedule("changing", "cron(0 6,7 * * ? *)", configure: r => r.Description = "twice a day"), Ct);
        var afterUpdate = await world.FireAtAsync(Utc(2027, 3, 1, 7));

        first.Select(f => f.ScheduledTime).Should().Equal(Utc(2027, 3, 1, 6));
        afterUpdate.Select(f => f.ScheduledTime).Should().Equal(Utc(2027, 3, 1, 7));
    }

    [Fact]
    public async Task FireSchedulesInTimeOrder_AcrossSchedulesAndTimeZones()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync(Utc(2027, 3, 1, 0, 30));
        await world.CreateAsync("tokyo", "cron(0 10 * * ? *)", "Asia/Tokyo");
        await world.CreateAsync("utc", "cron(0 2 * * ? *)");
        await world.CreateAsync("la", "cron(0 16 * * ? *)", "America/Los_Angeles");

        var fired = await world.FireAtAsync(Utc(2027, 3, 2, 1, 30));

        fired.Select(f => (f.ScheduleName, f.ScheduledTime)).Should().Equal(
            ("tokyo", Utc(2027, 3, 1, 1)), ("utc", Utc(2027, 3, 1, 2)), ("la", Utc(2027, 3, 2, 0)), ("tokyo", Utc(2027, 3, 2, 1)));
        world.Attempts.Select(a => a.ScheduleName).Should().Equal("tokyo", "utc", "la", "tokyo");
    }
}
