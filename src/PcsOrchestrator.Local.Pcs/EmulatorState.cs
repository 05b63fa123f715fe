using System.Collections.Concurrent;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>A resource's pending transition: the status it moves to at an instant, and what happens then.</summary>
internal sealed record Transition(DateTimeOffset At, string To, Action? OnArrival = null);

internal sealed class ClusterRecord
{
    /// <summary>Creation order: lists return resources in the order they were created.</summary>
    public long Order { get; init; }

    public required Cluster Cluster { get; init; }

    public Transition? Pending { get; set; }

    /// <summary>A status forced by fault injection until an instant (e.g. held in UPDATING).</summary>
    public (string Status, DateTimeOffset Until)? Hold { get; set; }

    public ConcurrentDictionary<string, QueueRecord> Queues { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, NodeGroupRecord> NodeGroups { get; } = new(StringComparer.Ordinal);
}

internal sealed class QueueRecord
{
    /// <summary>Creation order: lists return resources in the order they were created.</summary>
    public long Order { get; init; }

    public required Queue Queue { get; init; }

    public Transition? Pending { get; set; }

    public (string Status, DateTimeOffset Until)? Hold { get; set; }
}

internal sealed class NodeGroupRecord
{
    /// <summary>Creation order: lists return resources in the order they were created.</summary>
    public long Order { get; init; }

    public required ComputeNodeGroup Group { get; init; }

    public Transition? Pending { get; set; }

    public (string Status, DateTimeOffset Until)? Hold { get; set; }
}

/// <summary>One call the emulator received, for tests to assert on.</summary>
public sealed record RecordedCall(string Operation, string Body, DateTimeOffset At, int Status);
