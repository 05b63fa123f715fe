namespace PcsOrchestrator.Domain.Readiness;

/// <summary>The kinds of PCS resource whose state gates an update.</summary>
public enum ResourceKind
{
    Cluster,
    Queue,
    ComputeNodeGroup,
}

/// <summary>One resource's reported status (the status string exactly as PCS returns it).</summary>
public sealed record ResourceStatus(ResourceKind Kind, string Id, string? Name, string Status);

/// <summary>A cluster and every one of its queues and compute node groups, as just read from PCS.</summary>
public sealed record ClusterSnapshot(ResourceStatus Cluster, IReadOnlyList<ResourceStatus> Queues, IReadOnlyList<ResourceStatus> ComputeNodeGroups)
{
    public IEnumerable<ResourceStatus> Children => Queues.Concat(ComputeNodeGroups);
}

/// <summary>Ready: UpdateCluster may be called. Wait: a transitional state will pass. Blocked: a person must act.</summary>
public enum ReadinessVerdict
{
    Ready,
    Wait,
    Blocked,
}

/// <summary>Why a resource is not ready.</summary>
public sealed record ReadinessReason(ResourceKind Kind, string Id, string? Name, string Status, string Explanation);

public sealed record ReadinessDecision(ReadinessVerdict Verdict, IReadOnlyList<ReadinessReason> Reasons)
{
    public static ReadinessDecision Ready { get; } = new(ReadinessVerdict.Ready, []);
}

/// <summary>
/// Decides whether UpdateCluster may run now. PCS accepts an update when the cluster is ACTIVE, UPDATE_FAILED or
/// SUSPENDED and every queue and compute node group is ACTIVE. CREATING, UPDATING and RESUMING pass by themselves
/// (wait); DELETING, DELETED, CREATE_FAILED, DELETE_FAILED, SUSPENDING, a child in UPDATE_FAILED or SUSPENDED,
/// and any status this code does not know need a person (blocked). Blocked wins over wait.
/// </summary>
public static class ReadinessPolicy
{
    private static readonly HashSet<string> ClusterUpdatable = new(StringComparer.Ordinal) { "ACTIVE", "UPDATE_FAILED", "SUSPENDED" };
    private static readonly HashSet<string> Transitional = new(StringComparer.Ordinal) { "CREATING", "UPDATING", "RESUMING" };

    public static ReadinessDecision Evaluate(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var blocked = new List<ReadinessReason>();
        var waiting = new List<ReadinessReason>();

        Classify(snapshot.Cluster, ClusterUpdatable.Contains(snapshot.Cluster.Status), blocked, waiting);
        foreach (var child in snapshot.Children)
        {
            Classify(child, child.Status == "ACTIVE", blocked, waiting);
        }

        if (blocked.Count > 0)
        {
            return new ReadinessDecision(ReadinessVerdict.Blocked, [.. blocked, .. waiting]);
        }

        return waiting.Count > 0 ? new ReadinessDecision(ReadinessVerdict.Wait, waiting) : ReadinessDecision.Ready;
    }

    private static void Classify(ResourceStatus resource, bool ready, List<ReadinessReason> blocked, List<ReadinessReason> waiting)
    {
        if (ready)
        {
            return;
        }

        var what = Describe(resource);
        if (Transitional.Contains(resource.Status))
        {
            waiting.Add(new ReadinessReason(resource.Kind, resource.Id, resource.Name, resource.Status,
                $"{what} is {resource.Status}; this passes by itself, waiting"));
            return;
        }

        var explanation = resource.Status switch
        {
            "DELETING" or "DELETED" => $"{what} is {resource.Status}; an update cannot run while it is being deleted",
            "CREATE_FAILED" or "DELETE_FAILED" => $"{what} is {resource.Status}; fix or delete it, then retry",
            "UPDATE_FAILED" => $"{what} is UPDATE_FAILED; its own update must be fixed first",
            "SUSPENDING" or "SUSPENDED" => $"{what} is {resource.Status}: the scheduler version is past end of life; upgrade the cluster",
            _ => $"{what} reports status '{resource.Status}', which this orchestrator does not know; refusing to guess",
        };
        blocked.Add(new ReadinessReason(resource.Kind, resource.Id, resource.Name, resource.Status, explanation));
    }

    private static string Describe(ResourceStatus resource)
    {
        var kind = resource.Kind switch
        {
            ResourceKind.Cluster => "cluster",
            ResourceKind.Queue => "queue",
            _ => "compute node group",
        };
        return resource.Name is { Length: > 0 } name && name != resource.Id ? $"{kind} {name} ({resource.Id})" : $"{kind} {resource.Id}";
    }
}
