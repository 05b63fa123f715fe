using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Aws.Tests;

/// <summary>A running emulator on a free loopback port plus helpers to build clients and a demo cluster.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    private EmulatorFixture(PcsEmulator emulator, FakeTimeProvider time)
    {
        Emulator = emulator;
        Time = time;
    }

    public PcsEmulator Emulator { get; }

    public FakeTimeProvider Time { get; }

    public static async Task<EmulatorFixture> StartAsync(EmulatorDurations? durations = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero));
        var emulator = await PcsEmulator.StartAsync(new PcsEmulatorOptions { Time = time, Durations = durations ?? new EmulatorDurations() });
        return new EmulatorFixture(emulator, time);
    }

    public PcsClient Client(Func<PcsClientOptions, PcsClientOptions>? configure = null)
    {
        var options = new PcsClientOptions
        {
            Endpoint = Emulator.Endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            Random = () => 0.5,
        };
        return new PcsClient(configure?.Invoke(options) ?? options);
    }

    /// <summary>A cluster with <paramref name="queues"/> queues and <paramref name="groups"/> node groups, all ACTIVE.</summary>
    public async Task<Cluster> CreateClusterAsync(PcsClient client, string name, int queues = 1, int groups = 1)
    {
        var cluster = await client.CreateClusterAsync(new CreateClusterRequest
        {
            ClusterName = name,
            Scheduler = new Scheduler { Type = "SLURM", Version = "24.11" },
            Size = "SMALL",
            Networking = new Networking { SubnetIds = ["subnet-0123456789abcdef0"], SecurityGroupIds = ["sg-0123456789abcdef0"] },
        }, CancellationToken.None);
        for (var i = 0; i < groups; i++)
        {
            await client.CreateComputeNodeGroupAsync(new CreateComputeNodeGroupRequest
            {
                ClusterIdentifier = cluster.Id,
                ComputeNodeGroupName = $"nodes-{i}",
                SubnetIds = ["subnet-0123456789abcdef0"],
                CustomLaunchTemplate = new CustomLaunchTemplate { Id = "lt-0123456789abcdef0", Version = "1" },
                IamInstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/AWSPCS-nodes",
                ScalingConfiguration = new ScalingConfiguration { MinInstanceCount = 0, MaxInstanceCount = 4 },
                InstanceConfigs = [new InstanceConfig { InstanceType = "c7i.xlarge" }],
            }, CancellationToken.None);
        }

        for (var i = 0; i < queues; i++)
        {
            await client.CreateQueueAsync(new CreateQueueRequest { ClusterIdentifier = cluster.Id, QueueName = $"queue-{i}" }, CancellationToken.None);
        }

        return await client.GetClusterAsync(cluster.Id, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}

/// <summary>
/// System time, except that timers up to <see cref="ImmediateUpTo"/> fire at once and are recorded: retry delays are
/// observed without sleeping, while longer timers (the attempt timeout) stay real.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    public TimeSpan ImmediateUpTo { get; init; } = TimeSpan.FromSeconds(5);

    public System.Collections.Concurrent.ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime <= ImmediateUpTo)
        {
            Delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
