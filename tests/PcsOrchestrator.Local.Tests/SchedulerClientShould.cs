using System.Net;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local.Tests;

/// <summary>The project's SchedulerClient against the local endpoint over HTTP: the five operations and their errors.</summary>
[Trait("Category", "Integration")]
public sealed class SchedulerClientShould
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAndGetASchedule_WithEveryMemberRoundTripping()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        var request = new ScheduleRequest
        {
            Name = "weekly-demo",
            GroupName = "pcs-orchestrator",
            ScheduleExpression = "cron(0 3 ? * SUN *)",
            ScheduleExpressionTimezone = "America/New_York",
            StartDate = new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero),
            EndDate = new DateTimeOffset(2027, 12, 31, 23, 59, 59, TimeSpan.Zero),
            Description = "Weekly maintenance window of demo-cluster",
            State = ScheduleStates.Enabled,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowModes.Flexible, MaximumWindowInMinutes = 15 },
            ActionAfterCompletion = ActionsAfterCompletion.None,
            ClientToken = "window-set-0001",
            KmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/0123abcd",
            Target = new Target
            {
                Arn = SchedulerWorld.StateMachineArn,
                RoleArn = SchedulerWorld.RoleArn,
                Input = """{"window":"weekly-demo","scheduledTime":"<aws.scheduler.scheduled-time>"}""",
                RetryPolicy = new RetryPolicy { MaximumEventAgeInSeconds = 3600, MaximumRetryAttempts = 3 },
                DeadLetterConfig = new DeadLetterConfig { Arn = "arn:aws:sqs:us-east-1:123456789012:pcs-orchestrator-dlq" },
            },
        };

        var arn = await world.Client.CreateScheduleAsync(request, Ct);
        var schedule = await world.Client.GetScheduleAsync("weekly-demo", "pcs-orchestrator", Ct);

        arn.Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/pcs-orchestrator/weekly-demo");
        schedule.Arn.Should().Be(arn);
        schedule.Name.Should().Be("weekly-demo");
        schedule.GroupName.Should().Be("pcs-orchestrator");
        schedule.ScheduleExpression.Should().Be("cron(0 3 ? * SUN *)");
        schedule.ScheduleExpressionTimezone.Should().Be("America/New_York");
        schedule.StartDate.Should().Be(request.StartDate);
        schedule.EndDate.Should().Be(request.EndDate);
        schedule.Description.Should().Be(request.Description);
        schedule.State.Should().Be("ENABLED");
        schedule.FlexibleTimeWindow!.Mode.Should().Be("FLEXIBLE");
        schedule.FlexibleTimeWindow.MaximumWindowInMinutes.Should().Be(15);
        schedule.ActionAfterCompletion.Should().Be("NONE");
        schedule.KmsKeyArn.Should().Be(request.KmsKeyArn);
        schedule.Target!.Arn.Should().Be(SchedulerWorld.StateMachineArn);
        schedule.Target.RoleArn.Should().Be(SchedulerWorld.RoleArn);
        schedule.Target.Input.Should().Be(request.Target.Input, "the input is stored as given; placeholders are substituted only when it fires");
        schedule.Target.RetryPolicy!.MaximumEventAgeInSeconds.Should().Be(3600);
        schedule.Target.RetryPolicy.MaximumRetryAttempts.Should().Be(3);
        schedule.Target.DeadLetterConfig!.Arn.Should().Be("arn:aws:sqs:us-east-1:123456789012:pcs-orchestrator-dlq");
        schedule.CreationDate.Should().Be(SchedulerWorld.Start);
        schedule.LastModificationDate.Should().Be(SchedulerWorld.Start);
        world.Endpoint.Calls.Select(c => (c.Operation, c.StatusCode)).Should().Equal(("CreateSchedule", 200), ("GetSchedule", 200));
    }

    [Fact]
    public async Task FillInTheServiceDefaults_WhenOptionalMembersAreLeftOut()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var arn = await world.CreateAsync("plain", "rate(1 day)", configure: r => r.Target.Input = null);
        var schedule = await world.Client.GetScheduleAsync("plain", null, Ct);

        arn.Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/default/plain");
        schedule.GroupName.Should().Be("default");
        schedule.State.Should().Be("ENABLED");
        schedule.ActionAfterCompletion.Should().Be("NONE");
        schedule.Target!.RetryPolicy!.MaximumEventAgeInSeconds.Should().Be(86400);
        schedule.Target.RetryPolicy.MaximumRetryAttempts.Should().Be(185);
        schedule.Target.Input.Should().BeNull();
        schedule.ScheduleExpressionTimezone.Should().BeNull();
        schedule.StartDate.Should().BeNull();
        schedule.Description.Should().BeNull();
    }

    [Fact]
    public async Task UpdateASchedule_ReplacingItsWholeDefinition_AndKeepingItsCreationDate()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        await world.CreateAsync("nightly", "cron(0 2 * * ? *)", "Europe/Berlin", r => r.Description = "first");
        world.Clock.Advance(TimeSpan.FromHours(5));

        var arn = await world.Client.UpdateScheduleAsync(SchedulerWorld.Schedule("nightly", "cron(30 4 ? * SAT *)", "Asia/Tokyo", r => r.State = ScheduleStates.Disabled), Ct);
        var schedule = await world.Client.GetScheduleAsync("nightly", null, Ct);

        arn.Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly");
        schedule.ScheduleExpression.Should().Be("cron(30 4 ? * SAT *)");
        schedule.ScheduleExpressionTimezone.Should().Be("Asia/Tokyo");
        schedule.State.Should().Be("DISABLED");
        schedule.Description.Should().BeNull("UpdateSchedule replaces the definition: a member left out is reset");
        schedule.CreationDate.Should().Be(SchedulerWorld.Start);
        schedule.LastModificationDate.Should().Be(SchedulerWorld.Start.AddHours(5));
    }

    [Fact]
    public async Task ListSchedulesThroughEveryPage_WithTheirFilters()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        foreach (var name in new[] { "w-5", "w-1", "w-3", "w-2", "w-4", "other" })
        {
            await world.CreateAsync(name, "rate(1 hour)", configure: r => r.State = name == "w-4" ? ScheduleStates.Disabled : ScheduleStates.Enabled);
        }

        await world.CreateAsync("w-1", "rate(1 hour)", configure: r => r.GroupName = "elsewhere");

        var all = await world.Client.ListSchedulesAsync(null, Ct, pageSize: 2);
        var listCalls = world.Endpoint.Calls.Count(c => c.Operation == "ListSchedules");
        var prefixed = await world.Client.ListSchedulesAsync(new ScheduleFilter { NamePrefix = "w-", GroupName = "default" }, Ct, pageSize: 3);
        var enabled = await world.Client.ListSchedulesAsync(new ScheduleFilter { NamePrefix = "w-", State = ScheduleStates.Enabled }, Ct);
        var elsewhere = await world.Client.ListSchedulesAsync(new ScheduleFilter { GroupName = "elsewhere" }, Ct);

        all.Select(s => $"{s.GroupName}/{s.Name}").Should().Equal("default/other", "default/w-1", "default/w-2", "default/w-3", "default/w-4", "default/w-5", "elsewhere/w-1");
        listCalls.Should().Be(4, "seven schedules in pages of two are four pages");
        prefixed.Select(s => s.Name).Should().Equal("w-1", "w-2", "w-3", "w-4", "w-5");
        enabled.Select(s => $"{s.GroupName}/{s.Name}").Should().Equal("default/w-1", "default/w-2", "default/w-3", "default/w-5", "elsewhere/w-1");
        elsewhere.Should().ContainSingle().Which.Arn.Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/elsewhere/w-1");
        var summary = all[1];
        summary.State.Should().Be("ENABLED");
        summary.Target!.Arn.Should().Be(SchedulerWorld.StateMachineArn);
        summary.CreationDate.Should().Be(SchedulerWorld.Start);
        summary.LastModificationDate.Should().Be(SchedulerWorld.Start);
    }

    [Fact]
    public async Task DeleteASchedule_SoThatItIsGoneAndNeverFires()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        await world.CreateAsync("doomed", "rate(1 hour)");
        await world.CreateAsync("kept", "rate(1 hour)", configure: r => r.StartDate = SchedulerWorld.Start.AddMinutes(30));

        await world.Client.DeleteScheduleAsync("doomed", null, Ct);
        var fired = await world.FireAtAsync(SchedulerWorld.Start.AddMinutes(45));

        (await world.Client.ListSchedulesAsync(null, Ct)).Select(s => s.Name).Should().Equal("kept");
        await FluentActions.Awaiting(() => world.Client.GetScheduleAsync("doomed", null, Ct)).Should().ThrowAsync<SchedulerResourceNotFoundException>();
        fired.Select(f => f.ScheduleName).Should().Equal("kept");
    }

    [Fact]
    public async Task RefuseASecondCreate_WithAConflictCarryingItsCodeAndRequestId()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        await world.CreateAsync("twice", "rate(1 hour)");

        var error = (await FluentActions.Awaiting(() => world.CreateAsync("twice", "rate(2 hours)")).Should().ThrowAsync<SchedulerConflictException>()).Which;

        error.ErrorCode.Should().Be("ConflictException");
        error.StatusCode.Should().Be(HttpStatusCode.Conflict);
        error.Message.Should().Be("CreateSchedule: Schedule twice already exists.");
        error.RequestId.Should().Be(world.Endpoint.Calls[^1].RequestId).And.NotBeNullOrEmpty();
        world.Endpoint.Calls.Count(c => c.Operation == "CreateSchedule").Should().Be(2, "a conflict is not retried");
        (await world.Client.GetScheduleAsync("twice", null, Ct)).ScheduleExpression.Should().Be("rate(1 hour)");
    }

    [Fact]
    public async Task AnswerARepeatedCreateWithTheSameClientToken_AsTheFirstOne()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var first = await world.CreateAsync("retried", "rate(1 hour)", configure: r => r.ClientToken = "same-token");
        var second = await world.CreateAsync("retried", "rate(1 hour)", configure: r => r.ClientToken = "same-token");

        second.Should().Be(first);
        world.Endpoint.Schedules.Should().ContainSingle();
    }

    [Theory]
    [InlineData("get")]
    [InlineData("update")]
    [InlineData("delete")]
    public async Task AnswerResourceNotFound_ForAMissingSchedule(string operation)
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        Func<Task> call = operation switch
        {
            "get" => () => world.Client.GetScheduleAsync("missing", null, Ct),
            "update" => () => world.Client.UpdateScheduleAsync(SchedulerWorld.Schedule("missing", "rate(1 hour)"), Ct),
            _ => () => world.Client.DeleteScheduleAsync("missing", null, Ct),
        };

        var error = (await call.Should().ThrowAsync<SchedulerResourceNotFoundException>()).Which;

        error.ErrorCode.Should().Be("ResourceNotFoundException");
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
        error.Message.Should().EndWith("Schedule missing does not exist.");
        error.RequestId.Should().Be(world.Endpoint.Calls[^1].RequestId);
    }

    [Fact]
    public async Task AnswerResourceNotFound_ForANameInAnotherGroup()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        await world.CreateAsync("grouped", "rate(1 hour)", configure: r => r.GroupName = "windows");

        await FluentActions.Awaiting(() => world.Client.GetScheduleAsync("grouped", null, Ct)).Should().ThrowAsync<SchedulerResourceNotFoundException>();
        (await world.Client.GetScheduleAsync("grouped", "windows", Ct)).GroupName.Should().Be("windows");
    }

    public static TheoryData<string, string, string> BadSchedules => new()
    {
        { "bad name!", "rate(1 hour)", "Value 'bad name!' at 'Name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$" },
        { new string('n', 65), "rate(1 hour)", "at 'Name' failed to satisfy constraint: Member must have length less than or equal to 64" },
        { "both-days", "cron(0 3 * * * *)", "Invalid ScheduleExpression 'cron(0 3 * * * *)': exactly one of day-of-month and day-of-week must be '?'" },
        { "gibberish", "every sunday", "Invalid ScheduleExpression 'every sunday': must be cron(" },
        { "plural", "rate(1 hours)", "Invalid ScheduleExpression 'rate(1 hours)'" },
    };

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task NameTheBadMember_InAValidationException(string name, string expression, string expected)
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var error = (await FluentActions.Awaiting(() => world.CreateAsync(name, expression)).Should().ThrowAsync<SchedulerValidationException>()).Which;

        error.ErrorCode.Should().Be("ValidationException");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.Message.Should().Contain(expected);
        error.RequestId.Should().Be(world.Endpoint.Calls[^1].RequestId);
        world.Endpoint.Schedules.Should().BeEmpty();
    }

    [Fact]
    public async Task RefuseAnUnknownTimeZone_NamingScheduleExpressionTimezone()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var error = (await FluentActions.Awaiting(() => world.CreateAsync("mars", "cron(0 3 ? * SUN *)", "Mars/Olympus_Mons")).Should().ThrowAsync<SchedulerValidationException>()).Which;

        error.Message.Should().Be("CreateSchedule: Invalid ScheduleExpressionTimezone 'Mars/Olympus_Mons': not a time zone EventBridge Scheduler knows (use an IANA name such as Europe/Berlin or UTC).");
    }

    [Fact]
    public async Task RefuseAFlexibleWindowWithoutItsMaximum_NamingTheMember()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var error = (await FluentActions.Awaiting(() => world.CreateAsync("flexible", "rate(1 hour)", configure: r => r.FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowModes.Flexible }))
            .Should().ThrowAsync<SchedulerValidationException>()).Which;

        error.Message.Should().Be("CreateSchedule: 1 validation error detected: Value null at 'FlexibleTimeWindow.MaximumWindowInMinutes' failed to satisfy constraint: Member must not be null when FlexibleTimeWindow.Mode is FLEXIBLE");
    }

    [Fact]
    public async Task ReportEveryBrokenConstraintAtOnce_WhenTheTargetIsIncomplete()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var error = (await FluentActions.Awaiting(() => world.CreateAsync("targetless", "rate(1 hour)", configure: r =>
        {
            r.Target = new Target { Arn = string.Empty, RoleArn = "not-a-role" };
            r.FlexibleTimeWindow = new FlexibleTimeWindow { Mode = "SOMETIMES" };
        })).Should().ThrowAsync<SchedulerValidationException>()).Which;

        error.Message.Should().StartWith("CreateSchedule: 3 validation errors detected: ")
            .And.Contain("Value 'SOMETIMES' at 'FlexibleTimeWindow.Mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]")
            .And.Contain("Value '' at 'Target.Arn' failed to satisfy constraint: Member must have length greater than or equal to 1")
            .And.Contain("Value 'not-a-role' at 'Target.RoleArn' failed to satisfy constraint: Member must satisfy regular expression pattern");
    }

    [Fact]
    public async Task RefuseAnEndDateBeforeTheStartDate()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();

        var error = (await FluentActions.Awaiting(() => world.CreateAsync("backwards", "rate(1 hour)", configure: r =>
        {
            r.StartDate = SchedulerWorld.Start.AddDays(2);
            r.EndDate = SchedulerWorld.Start.AddDays(1);
        })).Should().ThrowAsync<SchedulerValidationException>()).Which;

        error.Message.Should().Contain("EndDate").And.Contain("must be later than the StartDate");
    }

    [Fact]
    public async Task ReachTheEndpointFromTheEnvironmentVariable_WhenNoEndpointIsGiven()
    {
        await using var world = await SchedulerWorld.OnAFakeClockAsync();
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_SCHEDULER"] = world.Endpoint.Endpoint.ToString(), ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1/" };
        using var client = new SchedulerClient(new SchedulerClientOptions
        {
            Region = "us-east-1",
            Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            Environment = n => environment.GetValueOrDefault(n),
        });

        await client.CreateScheduleAsync(SchedulerWorld.Schedule("from-env", "rate(1 hour)"), Ct);

        client.Endpoint.Should().Be(world.Endpoint.Endpoint);
        world.Endpoint.Schedules.Should().ContainSingle().Which.Definition.Name.Should().Be("from-env");
    }
}
