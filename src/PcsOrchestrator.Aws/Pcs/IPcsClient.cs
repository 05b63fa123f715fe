namespace PcsOrchestrator.Aws.Pcs;

/// <summary>The PCS operations the project uses. List calls follow nextToken through every page.</summary>
public interface IPcsClient
{
    Task<Cluster> GetClusterAsync(string clusterIdentifier, CancellationToken cancellationToken);

    Task<Cluster> UpdateClusterAsync(UpdateClusterRequest request, CancellationToken cancellationToken);

    Task<Cluster> CreateClusterAsync(CreateClusterRequest request, CancellationToken cancellationToken);

    Task<Cluster> DeleteClusterAsync(string clusterIdentifier, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceSummary>> ListClustersAsync(CancellationToken cancellationToken, int? pageSize = null);

    Task<IReadOnlyList<ResourceSummary>> ListQueuesAsync(string clusterIdentifier, CancellationToken cancellationToken, int? pageSize = null);

    Task<IReadOnlyList<ResourceSummary>> ListComputeNodeGroupsAsync(string clusterIdentifier, CancellationToken cancellationToken, int? pageSize = null);

    Task<Queue> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken);

    Task<Queue> GetQueueAsync(string clusterIdentifier, string queueIdentifier, CancellationToken cancellationToken);

    Task<Queue> DeleteQueueAsync(string clusterIdentifier, string queueIdentifier, CancellationToken cancellationToken);

    Task<ComputeNodeGroup> CreateComputeNodeGroupAsync(CreateComputeNodeGroupRequest request, CancellationToken cancellationToken);

    Task<ComputeNodeGroup> GetComputeNodeGroupAsync(string clusterIdentifier, string computeNodeGroupIdentifier, CancellationToken cancellationToken);

    Task<ComputeNodeGroup> DeleteComputeNodeGroupAsync(string clusterIdentifier, string computeNodeGroupIdentifier, CancellationToken cancellationToken);
}
