using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>
/// A seed file for the standalone emulator: lifecycle durations and clusters to create at start, each with its queues
/// and compute node groups.
/// <code>
/// {"durations":{"createSeconds":0,"updateSeconds":480,"deleteSeconds":0},
///  "clusters":[{"name":"demo-cluster","slurmVersion":"24.11","slurmConfiguration":{"scaleDownIdleTimeInSeconds":600},
///               "computeNodeGroups":["compute"],"queues":["batch"]}]}
/// </code>
/// </summary>
public sealed class EmulatorSeed
{
    public SeedDurations? Durations { get; set; }

    public List<SeedCluster> Clusters { get; set; } = [];

    public static EmulatorSeed Parse(string json) =>
        JsonSerializer.Deserialize(json, SeedJsonContext.Default.EmulatorSeed) ?? throw new JsonException("the seed file is empty");

    /// <summary>Creates the seed's clusters through the emulator's own API, as a user's automation would.</summary>
    public async Task ApplyAsync(PcsEmulator emulator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        using var client = new PcsClient(new PcsClientOptions { Endpoint = emulator.Endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("seed", "seed") });
        foreach (var seed in Clusters)
        {
            var cluster = await client.CreateClusterAsync(new CreateClusterRequest
            {
                ClusterName = seed.Name,
                Scheduler = new Scheduler { Type = "SLURM", Version = seed.SlurmVersion ?? "24.11" },
                Size = seed.Size ?? "SMALL",
                Networking = new Networking { SubnetIds = ["subnet-0a1b2c3d4e5f60718"], SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"] },
                SlurmConfiguration = seed.SlurmConfiguration,
            }, cancellationToken);
            var groups = new List<string>();
            foreach (var name in seed.ComputeNodeGroups)
            {
                var group = await client.CreateComputeNodeGroupAsync(new CreateComputeNodeGroupRequest
                {
                    ClusterIdentifier = cluster.Id,
                    ComputeNodeGroupName = name,
                    SubnetIds = ["subnet-0a1b2c3d4e5f60718"],
                    CustomLaunchTemplate = new CustomLaunchTemplate { Id = "lt-0a1b2c3d4e5f60718", Version = "1" },
                    IamInstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/AWSPCS-compute",
                    ScalingConfiguration = new ScalingConfiguration { MinInstanceCount = 0, MaxInstanceCount = 8 },
                    InstanceConfigs = [new InstanceConfig { InstanceType = "c7i.4xlarge" }],
                }, cancellationToken);
                groups.Add(group.Id);
            }

            foreach (var name in seed.Queues)
            {
                await client.CreateQueueAsync(new CreateQueueRequest
                {
                    ClusterIdentifier = cluster.Id,
                    QueueName = name,
                    ComputeNodeGroupConfigurations = [.. groups.Select(g => new ComputeNodeGroupConfiguration { ComputeNodeGroupId = g })],
                }, cancellationToken);
            }
        }
    }
}

public sealed class SeedDurations
{
    public int CreateSeconds { get; set; }

    public int UpdateSeconds { get; set; }

    public int DeleteSeconds { get; set; }

    public EmulatorDurations ToDurations() => new()
    {
        Create = TimeSpan.FromSeconds(CreateSeconds),
        Update = TimeSpan.FromSeconds(UpdateSeconds),
        Delete = TimeSpan.FromSeconds(DeleteSeconds),
    };
}

public sealed class SeedCluster
{
    public string Name { get; set; } = "demo-cluster";

    public string? SlurmVersion { get; set; }

    public string? Size { get; set; }

    public ClusterSlurmConfiguration? SlurmConfiguration { get; set; }

    public List<string> Queues { get; set; } = [];

    public List<string> ComputeNodeGroups { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(EmulatorSeed))]
internal sealed partial class SeedJsonContext : JsonSerializerContext;
