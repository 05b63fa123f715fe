using System.Text.Json.Serialization;

namespace PcsOrchestrator.Aws.Pcs;

// The PCS 2023-02-10 wire shapes (AWS JSON 1.0), named and typed exactly as the service model names them.
// Timestamps travel as epoch seconds. Every member is optional on the wire unless the model requires it.

public sealed class SlurmCustomSetting
{
    public string ParameterName { get; set; } = string.Empty;

    public string ParameterValue { get; set; } = string.Empty;
}

public sealed class SecretRef
{
    public string? SecretArn { get; set; }

    public string? SecretVersion { get; set; }
}

public sealed class JwtAuth
{
    public SecretRef? JwtKey { get; set; }
}

public sealed class Accounting
{
    public int? DefaultPurgeTimeInDays { get; set; }

    public string? Mode { get; set; }
}

public sealed class SlurmRest
{
    public string? Mode { get; set; }
}

/// <summary>A cluster's slurmConfiguration as GetCluster returns it, and as UpdateCluster and CreateCluster accept it.</summary>
public sealed class ClusterSlurmConfiguration
{
    public int? ScaleDownIdleTimeInSeconds { get; set; }

    public List<SlurmCustomSetting>? SlurmCustomSettings { get; set; }

    public List<SlurmCustomSetting>? SlurmdbdCustomSettings { get; set; }

    public List<SlurmCustomSetting>? CgroupCustomSettings { get; set; }

    public SecretRef? AuthKey { get; set; }

    public JwtAuth? JwtAuth { get; set; }

    public Accounting? Accounting { get; set; }

    public SlurmRest? SlurmRest { get; set; }
}

public sealed class Scheduler
{
    public string Type { get; set; } = "SLURM";

    public string Version { get; set; } = string.Empty;
}

public sealed class Networking
{
    public List<string>? SubnetIds { get; set; }

    public List<string>? SecurityGroupIds { get; set; }

    public string? NetworkType { get; set; }
}

public sealed class Endpoint
{
    public string Type { get; set; } = string.Empty;

    public string PrivateIpAddress { get; set; } = string.Empty;

    public string? PublicIpAddress { get; set; }

    public string? Ipv6Address { get; set; }

    public string Port { get; set; } = string.Empty;
}

public sealed class ErrorInfo
{
    public string? Code { get; set; }

    public string? Message { get; set; }
}

public sealed class Cluster
{
    public string Name { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset ModifiedAt { get; set; }

    public Scheduler? Scheduler { get; set; }

    public string? Size { get; set; }

    public ClusterSlurmConfiguration? SlurmConfiguration { get; set; }

    public Networking? Networking { get; set; }

    public List<Endpoint>? Endpoints { get; set; }

    public List<ErrorInfo>? ErrorInfo { get; set; }
}

public sealed class ComputeNodeGroupConfiguration
{
    public string? ComputeNodeGroupId { get; set; }
}

public sealed class ChildSlurmConfiguration
{
    public List<SlurmCustomSetting>? SlurmCustomSettings { get; set; }
}

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "PCS's own resource name.")]
public sealed class Queue
{
    public string Name { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public string ClusterId { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset ModifiedAt { get; set; }

    public string Status { get; set; } = string.Empty;

    public List<ComputeNodeGroupConfiguration> ComputeNodeGroupConfigurations { get; set; } = [];

    public ChildSlurmConfiguration? SlurmConfiguration { get; set; }

    public List<ErrorInfo>? ErrorInfo { get; set; }
}

public sealed class CustomLaunchTemplate
{
    public string Id { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;
}

public sealed class ScalingConfiguration
{
    public int MinInstanceCount { get; set; }

    public int MaxInstanceCount { get; set; }
}

public sealed class InstanceConfig
{
    public string? InstanceType { get; set; }
}

public sealed class ComputeNodeGroup
{
    public string Name { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public string ClusterId { get; set; } = string.Empty;

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset ModifiedAt { get; set; }

    public string Status { get; set; } = string.Empty;

    public string? AmiId { get; set; }

    public List<string> SubnetIds { get; set; } = [];

    public string? PurchaseOption { get; set; }

    public CustomLaunchTemplate CustomLaunchTemplate { get; set; } = new();

    public string IamInstanceProfileArn { get; set; } = string.Empty;

    public ScalingConfiguration ScalingConfiguration { get; set; } = new();

    public List<InstanceConfig> InstanceConfigs { get; set; } = [];

    public ChildSlurmConfiguration? SlurmConfiguration { get; set; }

    public List<ErrorInfo>? ErrorInfo { get; set; }
}

/// <summary>ClusterSummary, QueueSummary and ComputeNodeGroupSummary share these members (clusterId only for children).</summary>
public sealed class ResourceSummary
{
    public string Name { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public string? ClusterId { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset ModifiedAt { get; set; }

    public string Status { get; set; } = string.Empty;
}

// ----- requests and responses

public sealed class GetClusterRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;
}

public sealed class ClusterResponse
{
    public Cluster? Cluster { get; set; }
}

public sealed class UpdateClusterRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string? ClientToken { get; set; }

    public ClusterSlurmConfiguration? SlurmConfiguration { get; set; }
}

public sealed class CreateClusterRequest
{
    public string ClusterName { get; set; } = string.Empty;

    public Scheduler Scheduler { get; set; } = new();

    public string Size { get; set; } = "SMALL";

    public Networking Networking { get; set; } = new();

    public ClusterSlurmConfiguration? SlurmConfiguration { get; set; }

    public string? ClientToken { get; set; }

    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class DeleteClusterRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string? ClientToken { get; set; }
}

public sealed class ListRequest
{
    public string? ClusterIdentifier { get; set; }

    public string? NextToken { get; set; }

    public int? MaxResults { get; set; }
}

public sealed class ListClustersResponse
{
    public List<ResourceSummary> Clusters { get; set; } = [];

    public string? NextToken { get; set; }
}

public sealed class ListQueuesResponse
{
    public List<ResourceSummary> Queues { get; set; } = [];

    public string? NextToken { get; set; }
}

public sealed class ListComputeNodeGroupsResponse
{
    public List<ResourceSummary> ComputeNodeGroups { get; set; } = [];

    public string? NextToken { get; set; }
}

public sealed class CreateQueueRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string QueueName { get; set; } = string.Empty;

    public List<ComputeNodeGroupConfiguration>? ComputeNodeGroupConfigurations { get; set; }

    public string? ClientToken { get; set; }
}

public sealed class QueueRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string QueueIdentifier { get; set; } = string.Empty;

    public string? ClientToken { get; set; }
}

public sealed class QueueResponse
{
    public Queue? Queue { get; set; }
}

public sealed class CreateComputeNodeGroupRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string ComputeNodeGroupName { get; set; } = string.Empty;

    public List<string> SubnetIds { get; set; } = [];

    public CustomLaunchTemplate CustomLaunchTemplate { get; set; } = new();

    public string IamInstanceProfileArn { get; set; } = string.Empty;

    public ScalingConfiguration ScalingConfiguration { get; set; } = new();

    public List<InstanceConfig> InstanceConfigs { get; set; } = [];

    public string? PurchaseOption { get; set; }

    public string? ClientToken { get; set; }
}

public sealed class ComputeNodeGroupRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string ComputeNodeGroupIdentifier { get; set; } = string.Empty;

    public string? ClientToken { get; set; }
}

public sealed class ComputeNodeGroupResponse
{
    public ComputeNodeGroup? ComputeNodeGroup { get; set; }
}

/// <summary>The error body of every PCS error: __type, message, and the modeled members.</summary>
public sealed class ErrorBody
{
    [JsonPropertyName("__type")]
    public string? Type { get; set; }

    public string? Message { get; set; }

    [JsonPropertyName("Message")]
    public string? MessageUpper { get; set; }

    public string? Reason { get; set; }

    public List<ValidationField>? FieldList { get; set; }

    public string? ResourceId { get; set; }

    public string? ResourceType { get; set; }

    public int? RetryAfterSeconds { get; set; }

    public string? ServiceCode { get; set; }

    public string? QuotaCode { get; set; }
}

public sealed class ValidationField
{
    public string Name { get; set; } = string.Empty;

    public string Message { get; set; } = string.Empty;
}
