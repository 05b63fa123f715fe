using System.Text.Json.Nodes;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Operations;

/// <summary>No queued change of the cluster matches the id or key an operator gave, or more than one does.</summary>
public sealed class QueuedChangeNotFoundException(string cluster, string idOrKey, int matches)
    : Exception(matches == 0
        ? $"cluster {cluster} has no queued change with id or key '{idOrKey}' (list them with 'pcs-orchestrator queue list {cluster} --all')"
        : $"'{idOrKey}' matches {matches} queued changes of cluster {cluster}: give more of the id, or the whole idempotency key")
{
    public string Cluster { get; } = cluster;

    public int Matches { get; } = matches;
}

/// <summary>
/// The per-cluster queue as operators see it: what is queued (and what became of earlier changes), and cancelling a
/// pending change. A cancellation and its <c>cancelled</c> audit entry are one write, so a change being taken by a
/// window at the same moment is either cancelled (and left out of the window) or applied, never both.
/// </summary>
public sealed class QueueOperations(MaintenanceStore store, AuditLog audit)
{
    public const string CancelledEvent = "cancelled";

    /// <summary>Pending and applying changes in submission order; with <paramref name="all"/>, finished ones too (kept 90 days).</summary>
    public async Task<IReadOnlyList<QueuedChange>> ListAsync(string cluster, bool all, CancellationToken cancellationToken) =>
        await store.ListChangesAsync(cluster, all ? null : [QueuedChangeStatus.Pending, QueuedChangeStatus.Applying], cancellationToken);

    /// <summary>
    /// Cancels one pending change, found by its id, a unique prefix of it, or its idempotency key. A change that is
    /// being applied, or has ended, cannot be cancelled (<see cref="QueuedChangeStateException"/> says what it is).
    /// </summary>
    public async Task<QueuedChange> CancelAsync(string cluster, string idOrKey, string actor, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var matches = await store.FindChangesAsync(cluster, idOrKey, cancellationToken);
        if (matches.Count != 1)
        {
            throw new QueuedChangeNotFoundException(cluster, idOrKey, matches.Count);
        }

        var change = matches[0];
        var draft = new AuditDraft(cluster, CancelledEvent, "operator:" + actor)
        {
            IdempotencyKey = change.Key,
            Source = "cli",
            Actor = actor,
            Reason = reason is null ? $"cancelled by {actor}" : $"cancelled by {actor}: {reason}",
            Details = new JsonObject { ["window"] = new JsonObject { ["changeId"] = change.ChangeId, ["window"] = change.Window } }.ToJsonString(),
        };
        try
        {
            await audit.AppendAsync(draft, cancellationToken, companions: [store.CancelWrite(cluster, change.ChangeId, actor, reason)]);
        }
        catch (CompanionConditionFailedException ex)
        {
            throw new QueuedChangeStateException("cancel", cluster, change.ChangeId, actor, MaintenanceStore.ParseChange(ex.Item), ex);
        }

        return await store.GetChangeAsync(cluster, change.ChangeId, cancellationToken) ?? change;
    }
}
