using System.Diagnostics;
using System.Text.Json;

namespace PcsOrchestrator.Local.Tests;

/// <summary>The AWS CLI v1 (botocore's own Scheduler model, an independent client) against the local endpoint.</summary>
[Trait("Category", "Integration")]
public sealed class AwsCliShould : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("scheduler-cli-").FullName;
    private SchedulerWorld _world = null!;

    public async ValueTask InitializeAsync()
    {
        // iso8601 makes botocore parse every timestamp of the answers (the CLI's default prints them as received).
        await File.WriteAllTextAsync(Path.Combine(_folder, "config"), "[default]\ncli_timestamp_format = iso8601\n", TestContext.Current.CancellationToken);
        _world = await SchedulerWorld.OnAFakeClockAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _world.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task CreateGetListAndDeleteASchedule()
    {
        var created = await JsonAsync("create-schedule", "--name", "weekly-cli", "--group-name", "default",
            "--schedule-expression", "cron(0 3 ? * SUN *)", "--schedule-expression-timezone", "America/New_York",
            "--start-date", "2027-03-02T00:00:00Z", "--description", "from the CLI",
            "--flexible-time-window", "Mode=FLEXIBLE,MaximumWindowInMinutes=30",
            "--target", $$$"""{"Arn":"{{{SchedulerWorld.StateMachineArn}}}","RoleArn":"{{{SchedulerWorld.RoleArn}}}","Input":"{\"window\":\"weekly-cli\",\"scheduledTime\":\"<aws.scheduler.scheduled-time>\"}","RetryPolicy":{"MaximumRetryAttempts":2}}""");
        var got = await JsonAsync("get-schedule", "--name", "weekly-cli");
        var listed = await JsonAsync("list-schedules");
        var (deleteExit, _, deleteError) = await AwsAsync("delete-schedule", "--name", "weekly-cli");
        var (exit, _, stderr) = await AwsAsync("get-schedule", "--name", "weekly-cli");

        created.GetProperty("ScheduleArn").GetString().Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/default/weekly-cli");
        got.GetProperty("Name").GetString().Should().Be("weekly-cli");
        got.GetProperty("ScheduleExpressionTimezone").GetString().Should().Be("America/New_York");
        got.GetProperty("StartDate").GetString().Should().Be("2027-03-02T00:00:00+00:00");
        got.GetProperty("CreationDate").GetString().Should().Be("2027-03-01T00:00:00+00:00");
        got.GetProperty("LastModificationDate").GetString().Should().Be("2027-03-01T00:00:00+00:00");
        got.GetProperty("FlexibleTimeWindow").GetProperty("MaximumWindowInMinutes").GetInt32().Should().Be(30);
        got.GetProperty("Target").GetProperty("RetryPolicy").GetProperty("MaximumRetryAttempts").GetInt32().Should().Be(2);
        got.GetProperty("Target").GetProperty("Input").GetString().Should().Contain("<aws.scheduler.scheduled-time>");
        var summary = listed.GetProperty("Schedules").EnumerateArray().Should().ContainSingle().Subject;
        summary.GetProperty("Name").GetString().Should().Be("weekly-cli");
        summary.GetProperty("CreationDate").GetString().Should().Be("2027-03-01T00:00:00+00:00");
        summary.GetProperty("Target").GetProperty("Arn").GetString().Should().Be(SchedulerWorld.StateMachineArn);
        deleteExit.Should().Be(0, deleteError);
        exit.Should().NotBe(0);
        stderr.Should().Contain("An error occurred (ResourceNotFoundException) when calling the GetSchedule operation: Schedule weekly-cli does not exist.");
        _world.Endpoint.Calls.Select(c => (c.Operation, c.StatusCode)).Should().Equal(
            ("CreateSchedule", 200), ("GetSchedule", 200), ("ListSchedules", 200), ("DeleteSchedule", 200), ("GetSchedule", 404));
    }

    [Fact]
    public async Task FollowNextTokenThroughEveryPage()
    {
        foreach (var name in new[] { "a", "b", "c" })
        {
            await _world.CreateAsync(name, "rate(1 hour)");
        }

        var listed = await JsonAsync("list-schedules", "--page-size", "1");

        listed.GetProperty("Schedules").EnumerateArray().Select(s => s.GetProperty("Name").GetString()).Should().Equal("a", "b", "c");
        _world.Endpoint.Calls.Count(c => c.Operation == "ListSchedules").Should().Be(3);
    }

    [Fact]
    public async Task SeeAConflictAndAValidationError_AsTheServiceReportsThem()
    {
        await _world.CreateAsync("taken", "rate(1 hour)");
        string[] target = ["--flexible-time-window", "Mode=OFF", "--target", $"Arn={SchedulerWorld.StateMachineArn},RoleArn={SchedulerWorld.RoleArn}"];

        var (conflictExit, _, conflict) = await AwsAsync(["create-schedule", "--name", "taken", "--schedule-expression", "rate(2 hours)", .. target]);
        var (invalidExit, _, invalid) = await AwsAsync(["create-schedule", "--name", "fresh", "--schedule-expression", "cron(0 3 * * * *)", .. target]);

        conflictExit.Should().NotBe(0);
        conflict.Should().Contain("An error occurred (ConflictException) when calling the CreateSchedule operation: Schedule taken already exists.");
        invalidExit.Should().NotBe(0);
        invalid.Should().Contain("An error occurred (ValidationException) when calling the CreateSchedule operation: Invalid ScheduleExpression 'cron(0 3 * * * *)'");
    }

    private async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsAsync(arguments);
        exit.Should().Be(0, $"aws scheduler {string.Join(' ', arguments)} failed: {stderr}");
        using var document = JsonDocument.Parse(stdout.Length == 0 ? "{}" : stdout);
        return document.RootElement.Clone();
    }

    private async Task<(int Exit, string Stdout, string Stderr)> AwsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Tools.Aws());
        start.ArgumentList.Add("scheduler");
        foreach (var argument in arguments.Concat(["--endpoint-url", _world.Endpoint.Endpoint.ToString().TrimEnd('/'), "--output", "json", "--cli-read-timeout", "60"]))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_folder, "config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_folder, "no-credentials");
        foreach (var inherited in new[] { "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SCHEDULER" })
        {
            start.Environment.Remove(inherited);
        }

        return await Tools.RunAsync(start);
    }
}
