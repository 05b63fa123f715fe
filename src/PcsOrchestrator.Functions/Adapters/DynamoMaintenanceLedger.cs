using Amazon.DynamoDBv2;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Persistence;
using PlannedChange = PcsOrchestrator.Domain.Planning.QueuedChange;
using StoredChange = PcsOrchestrator.Persistence.QueuedChange;

namespace PcsOrchestrator.Functions.Adapters;

/// <summary>
/// The maintenance ledger on DynamoDB's maintenance table, with the stack's defaults from the environment. Every state
/// change of a queued change goes into the same transaction as its audit entry (an audit companion), so the queue and
/// the log never disagree. A stored window that no longer parses is reported, not skipped.
/// </summary>
public sealed class DynamoMaintenanceLedger(IAmazonDynamoDB dynamo, TableNames tables, TimeProvider time, DynamoRunLedger ledger, StackDefaults defaults) : IMaintenanceLedger
{
    private readonly MaintenanceStore _store = new(dynamo, tables.Maintenance, time);

    public ApplyMode DefaultApply => defaults.DefaultApply;

    public async Task<WindowDefinition?> WindowOfClusterAsync(string clusterIdentifier, CancellationToken cancellationToken)
    {
        var name = await DynamoRunLedger.StoreAsync(() => _store.WindowOfClusterAsync(clusterIdentifier, cancellationToken));
        if (name is not null)
        {
            return await GetWindowAsync(name, cancellationToken);
        }

        return defaults.DefaultWindow is { } window && window.Clusters.Contains(clusterIdentifier, StringComparer.Ordinal) ? window : null;
    }

    public async Task<WindowDefinition?> GetWindowAsync(string name, CancellationToken cancellationToken)
    {
        var record = await DynamoRunLedger.StoreAsync(() => _store.GetWindowAsync(name, cancellationToken));
        if (record is null)
        {
            return defaults.DefaultWindow is { } window && window.Name == name ? window : null;
        }

        var (definition, issues) = WindowDefinition.Parse(record.Definition);
        return definition ?? throw new InvalidOperationException(
            $"maintenance window '{name}' (version {record.Version}) is stored in a form this version cannot read: {string.Join("; ", issues)}; set it again with 'pcs-orchestrator window set'");
    }

    public async Task<EnqueueOutcome> EnqueueAsync(QueueEntry change, Ports.AuditDraft entry, CancellationToken cancellationToken)
    {
        var draft = new QueuedChangeDraft(change.ClusterIdentifier, change.IdempotencyKey, change.RequestJson, change.SubmittedAt, change.SubmittedBy)
        {
            RequestedBy = change.RequestedBy,
            Reason = change.Reason,
            Source = change.Source,
            Window = change.Window,
        };
        try
        {
            var head = await ledger.AppendAuditAsync(entry, [_store.EnqueueWrite(draft)], cancellationToken);
            return new EnqueueOutcome(draft.ChangeId, true, head);
        }
        catch (CompanionConditionFailedException ex)
        {
            // Queued by an earlier attempt of this step: the change and its entry are there already.
            var stored = MaintenanceStore.ParseChange(ex.Item) ?? await DynamoRunLedger.StoreAsync(() => _store.GetChangeAsync(change.ClusterIdentifier, draft.ChangeId, cancellationToken));
            return stored is not null && stored.Key == change.IdempotencyKey
                ? new EnqueueOutcome(draft.ChangeId, false, null)
                : throw new ChangeIdConflictException(change.ClusterIdentifier, draft.ChangeId, stored?.Key ?? "(deleted)", change.IdempotencyKey, ex);
        }
    }

    public async Task<IReadOnlyList<HeldChange>> ChangesForRunAsync(string clusterIdentifier, CancellationToken cancellationToken)
    {
        var stored = await DynamoRunLedger.StoreAsync(() => _store.ListChangesAsync(clusterIdentifier, [QueuedChangeStatus.Pending, QueuedChangeStatus.Applying], cancellationToken));
        return [.. stored.Select(ToHeld)];
    }

    public async Task<bool> TakeAsync(string clusterIdentifier, string changeId, string holder, string? from, CancellationToken cancellationToken)
    {
        try
        {
            await DynamoRunLedger.StoreAsync(() => from is null
                ? _store.TakeAsync(clusterIdentifier, changeId, holder, cancellationToken)
                : _store.TakeOverAsync(clusterIdentifier, changeId, from, holder, cancellationToken));
            return true;
        }
        catch (QueuedChangeStateException)
        {
            return false; // Cancelled (or taken by another run) since it was listed: it is not this run's.
        }
    }

    public async Task<AuditMark?> SettleAsync(string clusterIdentifier, string changeId, string holder, Settlement settlement, string outcome, Ports.AuditDraft entry, CancellationToken cancellationToken)
    {
        var write = settlement switch
        {
            Settlement.Applied => _store.CompleteWrite(clusterIdentifier, changeId, holder, outcome),
            Settlement.Failed => _store.FailWrite(clusterIdentifier, changeId, holder, outcome, requeue: false),
            Settlement.Requeued => _store.FailWrite(clusterIdentifier, changeId, holder, outcome, requeue: true),
            _ => _store.ReleaseWrite(clusterIdentifier, changeId, holder),
        };
        try
        {
            return await ledger.AppendAuditAsync(entry, [write], cancellationToken);
        }
        catch (CompanionConditionFailedException)
        {
            return null; // No longer held by this run: an earlier attempt of the same step settled it, with its entry.
        }
    }

    public async Task<AuditMark?> NoteDeferredAsync(string clusterIdentifier, string changeId, string run, Ports.AuditDraft entry, CancellationToken cancellationToken)
    {
        try
        {
            return await ledger.AppendAuditAsync(entry, [_store.DeferWrite(clusterIdentifier, changeId, run)], cancellationToken);
        }
        catch (CompanionConditionFailedException)
        {
            return null; // Cancelled since it was listed, or noted by an earlier attempt of this step.
        }
    }

    public async Task<ChangeState?> ChangeStateAsync(string clusterIdentifier, string changeId, CancellationToken cancellationToken)
    {
        var change = await DynamoRunLedger.StoreAsync(() => _store.GetChangeAsync(clusterIdentifier, changeId, cancellationToken));
        return change is null ? null : new ChangeState(QueuedChangeStatuses.Name(change.Status), change.Outcome, change.UpdatedAt);
    }

    public async Task<ClusterConfiguration?> LastAppliedAsync(string clusterIdentifier, CancellationToken cancellationToken)
    {
        var record = await DynamoRunLedger.StoreAsync(() => _store.GetDesiredStateAsync(clusterIdentifier, cancellationToken));
        if (record is null)
        {
            return null;
        }

        using var document = System.Text.Json.JsonDocument.Parse(record.Configuration);
        return RunStateExtensions.ParseConfiguration(document.RootElement.Clone(), "desired state");
    }

    public Task RecordAppliedAsync(string clusterIdentifier, ClusterConfiguration configuration, string executionId, CancellationToken cancellationToken) =>
        DynamoRunLedger.StoreAsync(() => _store.PutDesiredStateAsync(
            new DesiredStateRecord(clusterIdentifier, System.Text.Encoding.UTF8.GetString(RequestWriter.WriteConfiguration(configuration.ToFullChange())), executionId, time.GetUtcNow()),
            cancellationToken));

    private static HeldChange ToHeld(StoredChange change)
    {
        var parsed = RequestParser.Parse(change.Request);
        var request = parsed.Request ?? throw new InvalidOperationException(
            $"queued change {change.ChangeId} of cluster {change.Cluster} holds a request this version cannot read: {string.Join("; ", parsed.Issues)}");
        return new HeldChange(new PlannedChange(change.ChangeId, change.SubmittedAt, request), change.Key, QueuedChangeStatuses.Name(change.Status), change.Holder, change.Source, change.Window, change.Attempts);
    }
}
