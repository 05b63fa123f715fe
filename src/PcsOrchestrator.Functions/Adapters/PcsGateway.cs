using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Readiness;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Adapters;

/// <summary>
/// The workflow's view of PCS over the project's client: wire shapes become domain values, and the service's
/// errors become <see cref="StepException"/>s with the error names the state machine matches on.
/// </summary>
public sealed class PcsGateway(IPcsClient client) : IPcsGateway
{
    public Task<ClusterView> GetClusterAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        TranslateAsync(async () => ToView(await client.GetClusterAsync(clusterIdentifier, cancellationToken)), clusterIdentifier);

    public Task<ClusterSnapshot> GetSnapshotAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            var cluster = await client.GetClusterAsync(clusterIdentifier, cancellationToken);
            var queues = await client.ListQueuesAsync(cluster.Id, cancellationToken);
            var groups = await client.ListComputeNodeGroupsAsync(cluster.Id, cancellationToken);
            return new ClusterSnapshot(
                new ResourceStatus(ResourceKind.Cluster, cluster.Id, cluster.Name, cluster.Status),
                [.. queues.Select(q => new ResourceStatus(ResourceKind.Queue, q.Id, q.Name, q.Status))],
                [.. groups.Select(g => new ResourceStatus(ResourceKind.ComputeNodeGroup, g.Id, g.Name, g.Status))]);
        }, clusterIdentifier);

    public Task<ClusterView> UpdateClusterAsync(string clusterIdentifier, string clientToken, SlurmConfigurationChange slurmConfiguration, CancellationToken cancellationToken) =>
        TranslateAsync(async () => ToView(await client.UpdateClusterAsync(new UpdateClusterRequest
        {
            ClusterIdentifier = clusterIdentifier,
            ClientToken = clientToken,
            SlurmConfiguration = ToWire(slurmConfiguration),
        }, cancellationToken)), clusterIdentifier);

    public static ClusterView ToView(Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new ClusterView(cluster.Id, cluster.Name, cluster.Status, ClusterConfiguration.FromReported(ToDomain(cluster.SlurmConfiguration)),
            [.. (cluster.ErrorInfo ?? []).Select(e => $"{e.Code}: {e.Message}")]);
    }

    public static SlurmConfigurationChange? ToDomain(ClusterSlurmConfiguration? wire) => wire is null ? null : new SlurmConfigurationChange
    {
        ScaleDownIdleTimeInSeconds = wire.ScaleDownIdleTimeInSeconds,
        SlurmCustomSettings = wire.SlurmCustomSettings?.Select(s => new CustomSetting(s.ParameterName, s.ParameterValue)).ToList(),
        SlurmdbdCustomSettings = wire.SlurmdbdCustomSettings?.Select(s => new CustomSetting(s.ParameterName, s.ParameterValue)).ToList(),
        CgroupCustomSettings = wire.CgroupCustomSettings?.Select(s => new CustomSetting(s.ParameterName, s.ParameterValue)).ToList(),
        Accounting = wire.Accounting is { } a ? new AccountingChange(a.DefaultPurgeTimeInDays, Mode(a.Mode)) : null,
        SlurmRest = wire.SlurmRest is { } r ? new SlurmRestChange(Mode(r.Mode)) : null,
    };

    public static ClusterSlurmConfiguration ToWire(SlurmConfigurationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new ClusterSlurmConfiguration
        {
            ScaleDownIdleTimeInSeconds = change.ScaleDownIdleTimeInSeconds,
            SlurmCustomSettings = Wire(change.SlurmCustomSettings),
            SlurmdbdCustomSettings = Wire(change.SlurmdbdCustomSettings),
            CgroupCustomSettings = Wire(change.CgroupCustomSettings),
            Accounting = change.Accounting is { IsEmpty: false } a ? new Accounting { DefaultPurgeTimeInDays = a.DefaultPurgeTimeInDays, Mode = a.Mode?.ToWire() } : null,
            SlurmRest = change.SlurmRest?.Mode is { } mode ? new SlurmRest { Mode = mode.ToWire() } : null,
        };
    }

    private static List<SlurmCustomSetting>? Wire(IReadOnlyList<CustomSetting>? settings) =>
        settings?.Select(s => new SlurmCustomSetting { ParameterName = s.ParameterName, ParameterValue = s.ParameterValue }).ToList();

    private static FeatureMode? Mode(string? wire) => wire is not null && FeatureModeExtensions.TryParseWire(wire, out var mode) ? mode : null;

    private static async Task<T> TranslateAsync<T>(Func<Task<T>> call, string cluster)
    {
        try
        {
            return await call();
        }
        catch (PcsThrottlingException ex)
        {
            throw new StepException(ErrorNames.PcsThrottled, $"PCS throttled the call for cluster {cluster}{(ex.RetryAfterSeconds is { } s ? $" (retry after {s} s)" : string.Empty)}: {ex.Message}", ex);
        }
        catch (PcsConflictException ex)
        {
            throw new StepException(ErrorNames.PcsConflict, $"PCS refused the change: {ex.Message} ({ex.ResourceType} {ex.ResourceId})", ex);
        }
        catch (PcsValidationException ex)
        {
            var fields = ex.FieldList.Count == 0 ? string.Empty : " [" + string.Join("; ", ex.FieldList.Select(f => $"{f.Name}: {f.Message}")) + "]";
            throw new StepException(ErrorNames.PcsValidation, $"PCS rejected the request ({ex.Reason}): {ex.Message}{fields}", ex);
        }
        catch (PcsResourceNotFoundException ex)
        {
            throw new StepException(ErrorNames.ClusterNotFound, $"PCS has no {ex.ResourceType ?? "cluster"} '{ex.ResourceId ?? cluster}': {ex.Message}", ex);
        }
        catch (PcsAccessDeniedException ex)
        {
            throw new StepException(ErrorNames.PcsAccessDenied, $"the orchestrator may not call PCS for cluster {cluster}: {ex.Message}", ex);
        }
        catch (PcsTransientException ex)
        {
            throw new StepException(ErrorNames.PcsTransient, ex.Message, ex);
        }
        catch (PcsServiceException ex) when ((int)ex.StatusCode >= 500)
        {
            throw new StepException(ErrorNames.PcsTransient, $"PCS failed ({ex.ErrorCode}, HTTP {(int)ex.StatusCode}, request {ex.RequestId}): {ex.Message}", ex);
        }
    }
}
