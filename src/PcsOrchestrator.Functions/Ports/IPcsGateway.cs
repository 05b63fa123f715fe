using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Readiness;

namespace PcsOrchestrator.Functions.Ports;

/// <summary>A cluster as the workflow needs it: status, effective configuration and errorInfo.</summary>
public sealed record ClusterView(string Id, string Name, string Status, ClusterConfiguration Configuration, IReadOnlyList<string> ErrorInfo);

/// <summary>
/// What the workflow asks of PCS. The adapter translates the service's errors into <see cref="StepException"/>s
/// carrying the error names the state machine matches on (PcsThrottled, PcsTransient, PcsConflict, ...).
/// </summary>
public interface IPcsGateway
{
    Task<ClusterView> GetClusterAsync(string clusterIdentifier, CancellationToken cancellationToken);

    /// <summary>The cluster and every page of its queues and compute node groups.</summary>
    Task<ClusterSnapshot> GetSnapshotAsync(string clusterIdentifier, CancellationToken cancellationToken);

    Task<ClusterView> UpdateClusterAsync(string clusterIdentifier, string clientToken, SlurmConfigurationChange slurmConfiguration, CancellationToken cancellationToken);
}
