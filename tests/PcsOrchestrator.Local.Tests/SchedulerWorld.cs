using System.Collections.Concurrent;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local.Tests;

/// <summary>A running SchedulerEndpoint on a clock, the attempts its targets received, and a client pointed at it.</summary>
internal sealed class SchedulerWorld : IAsyncDisposable
{
    public const string StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:pcs-orchestrator-update-cluster";
    public const string RoleArn = "arn:aws:iam::123456789012:role/pcs-orchestrator-scheduler";

    /// <summary>A Sunday before the 2027 change to daylight-saving time in the United States (2027-03-14).</summary>
    public static readonly DateTimeOffset Start = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<ScheduledInvocation> _attempts = new();

    private SchedulerWorld(TimeProvider time)
    {
        Time = time;
    }

    public TimeProvider Time { get; }

    /// <summary>The fake clock (for the worlds made on one).</summary>
    public FakeTimeProvider Clock => (FakeTimeProvider)Time;

    public SchedulerEndpoint Endpoint { get; private set; } = null!;

    public SchedulerClient Client { get; private set; } = null!;

    /// <summary>Every attempt the targets received, in order.</summary>
    public IReadOnlyList<ScheduledInvocation> Attempts => [.. _attempts];

    /// <summary>What a target does with an attempt; by default it succeeds.</summary>
    public Func<ScheduledInvocation, Task> Target { get; set; } = _ => Task.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<SchedulerWorld> OnAFakeClockAsync(DateTimeOffset? start = null) => StartAsync(new FakeTimeProvider(start ?? Start));

    public static async Task<SchedulerWorld> StartAsync(TimeProvider time)
    {
        var world = new SchedulerWorld(time);
        world.Endpoint = await SchedulerEndpoint.StartAsync(new SchedulerEndpointOptions
        {
            Time = time,
            Invoke = async (attempt, _) =>
            {
                world._attempts.Enqueue(attempt);
                await world.Target(attempt);
            },
        }, Ct);
        world.Client = new SchedulerClient(new SchedulerClientOptions
        {
            Endpoint = world.Endpoint.Endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            Random = () => 0.5,
        });
        return world;
    }

    /// <summary>A schedule whose target is the state machine, as `window set` will make one.</summary>
    public static ScheduleRequest Schedule(string name, string expression, string? timeZone = null, Action<ScheduleRequest>? configure = null)
    {
        var request = new ScheduleRequest
        {
            Name = name,
            ScheduleExpression = expression,
            ScheduleExpressionTimezone = timeZone,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowModes.Off },
            Target = new Target
            {
                Arn = StateMachineArn,
                RoleArn = RoleArn,
                Input = $$"""{"window":"{{name}}","scheduledTime":"<aws.scheduler.scheduled-time>","scheduleArn":"<aws.scheduler.schedule-arn>"}""",
            },
        };
        configure?.Invoke(request);
        return request;
    }

    public Task<string> CreateAsync(string name, string expression, string? timeZone = null, Action<ScheduleRequest>? configure = null) =>
        Client.CreateScheduleAsync(Schedule(name, expression, timeZone, configure), Ct);

    /// <summary>Moves the fake clock to <paramref name="instant"/> and fires what is due.</summary>
    public async Task<IReadOnlyList<ScheduledInvocation>> FireAtAsync(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        return await Endpoint.FireDueAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Endpoint.DisposeAsync();
    }
}
