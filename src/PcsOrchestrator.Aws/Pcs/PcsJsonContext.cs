using System.Text.Json.Serialization;

namespace PcsOrchestrator.Aws.Pcs;

/// <summary>Source-generated JSON for every PCS wire shape (AOT-safe). camelCase, nulls left out, as the service sends.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetClusterRequest))]
[JsonSerializable(typeof(ClusterResponse))]
[JsonSerializable(typeof(UpdateClusterRequest))]
[JsonSerializable(typeof(CreateClusterRequest))]
[JsonSerializable(typeof(DeleteClusterRequest))]
[JsonSerializable(typeof(ListRequest))]
[JsonSerializable(typeof(ListClustersResponse))]
[JsonSerializable(typeof(ListQueuesResponse))]
[JsonSerializable(typeof(ListComputeNodeGroupsResponse))]
[JsonSerializable(typeof(CreateQueueRequest))]
[JsonSerializable(typeof(QueueRequest))]
[JsonSerializable(typeof(QueueResponse))]
[JsonSerializable(typeof(CreateComputeNodeGroupRequest))]
[JsonSerializable(typeof(ComputeNodeGroupRequest))]
[JsonSerializable(typeof(ComputeNodeGroupResponse))]
[JsonSerializable(typeof(ErrorBody))]
public sealed partial class PcsJsonContext : JsonSerializerContext;
