using System.Collections.Concurrent;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Readiness;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Ports;
using PcsOrchestrator.Functions.Steps;

namespace PcsOrchestrator.Functions.Tests;

/// <summary>A hand-written PCS stand-in for pure step tests: it records every call and answers from fields the test sets.</summary>
internal sealed class RecordingPcs : IPcsGateway
{
    public string Status { get; set; } = "ACTIVE";

    public ClusterConfiguration Configuration { get; set; } = ClusterConfiguration.Defaults;

    public List<string> ChildStatuses { get; } = [];

    public List<(string Token, SlurmConfigurationChange Payload)> Updates { get; } = [];

    public Exception? UpdateFailure { get; set; }

    public Task<ClusterView> GetClusterAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterView("pcs_demo123", clusterIdentifier, Status, Configuration, []));

    public Task<ClusterSnapshot> GetSnapshotAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterSnapshot(
            new ResourceStatus(ResourceKind.Cluster, "pcs_demo123", clusterIdentifier, Status),
            [.. ChildStatuses.Select((s, i) => new ResourceStatus(ResourceKind.Queue, $"pcs_q{i}", $"queue-{i}", s))],
            []));

    public Task<ClusterView> UpdateClusterAsync(string clusterIdentifier, string clientToken, SlurmConfigurationChange slurmConfiguration, CancellationToken cancellationToken)
    {
        if (UpdateFailure is { } failure)
        {
            throw failure;
        }

        Updates.Add((clientToken, slurmConfiguration));
        Status = "UPDATING";
        return Task.FromResult(new ClusterView("pcs_demo123", clusterIdentifier, Status, Configuration, []));
    }
}

/// <summary>An in-memory ledger with the same rules as the DynamoDB one, for pure step tests.</summary>
internal sealed class RecordingLedger : IRunLedger
{
    public ConcurrentDictionary<string, (string Owner, string Status, string? Result, string Hash)> Keys { get; } = new();

    public ConcurrentDictionary<string, (string Owner, long Fence)> Locks { get; } = new();

    public List<AuditDraft> Audit { get; } = [];

    private long _fence;

    public Task<KeyClaim> ClaimKeyAsync(string key, string payloadHash, string owner, string clientToken, DateTimeOffset claimExpiresAt, CancellationToken cancellationToken)
    {
        if (Keys.TryGetValue(key, out var existing))
        {
            if (existing.Hash != payloadHash)
            {
                throw new StepException(Domain.ErrorNames.IdempotencyKeyReused, "different payload");
            }

            if (existing.Status == "COMPLETED")
            {
                return Task.FromResult(new KeyClaim(KeyClaimStatus.Completed, existing.Owner, existing.Result));
            }

            if (existing.Status == "IN_PROGRESS" && existing.Owner != owner)
            {
                return Task.FromResult(new KeyClaim(KeyClaimStatus.HeldByOther, existing.Owner, null));
            }
        }

        Keys[key] = (owner, "IN_PROGRESS", null, payloadHash);
        return Task.FromResult(new KeyClaim(KeyClaimStatus.Claimed, owner, null));
    }

    public Task CompleteKeyAsync(string key, string owner, string resultJson, CancellationToken cancellationToken)
    {
        Keys[key] = (owner, "COMPLETED", resultJson, Keys[key].Hash);
        return Task.CompletedTask;
    }

    public Task<string?> FinishedResultAsync(string key, string owner, CancellationToken cancellationToken) =>
        Task.FromResult(Keys.TryGetValue(key, out var record) && record.Status is "COMPLETED" or "FAILED" && record.Owner == owner ? record.Result : null);

    public Task ReleaseKeyAsync(string key, string owner, string reason, CancellationToken cancellationToken)
    {
        Keys[key] = (owner, "FAILED", reason, Keys[key].Hash);
        return Task.CompletedTask;
    }

    public Task<LockClaim> AcquireLockAsync(string clusterIdentifier, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (Locks.TryGetValue(clusterIdentifier, out var held) && held.Owner != owner)
        {
            return Task.FromResult(new LockClaim(false, 0, held.Owner, null));
        }

        var fence = ++_fence;
        Locks[clusterIdentifier] = (owner, fence);
        return Task.FromResult(new LockClaim(true, fence, owner, null));
    }

    public int Renewals { get; private set; }

    public Task RenewLockAsync(string clusterIdentifier, string owner, long fencingToken, TimeSpan lease, CancellationToken cancellationToken) =>
        ++Renewals > 0 && Locks.TryGetValue(clusterIdentifier, out var held) && held.Owner == owner && held.Fence == fencingToken
            ? Task.CompletedTask
            : throw new StepException(Domain.ErrorNames.LockLost, "lost");

    public Task ReleaseLockAsync(string clusterIdentifier, string owner, CancellationToken cancellationToken)
    {
        if (Locks.TryGetValue(clusterIdentifier, out var held) && held.Owner == owner)
        {
            Locks.TryRemove(clusterIdentifier, out _);
        }

        return Task.CompletedTask;
    }

    public Task<Contracts.AuditMark> AppendAuditAsync(AuditDraft entry, CancellationToken cancellationToken)
    {
        lock (Audit)
        {
            Audit.Add(entry);
            return Task.FromResult(new Contracts.AuditMark { Sequence = Audit.Count, Hash = "hash-" + Audit.Count });
        }
    }

    public Task<IReadOnlyList<double>> RecentUpdateDurationsAsync(string clusterIdentifier, int count, int scanLimit, CancellationToken cancellationToken)
    {
        lock (Audit)
        {
            IReadOnlyList<double> durations = [.. Audit
                .Where(a => a.ClusterIdentifier == clusterIdentifier)
                .Reverse()
                .Take(scanLimit)
                .Where(a => a.EventType == AuditEvents.Succeeded && a.DurationSeconds is not null)
                .Select(a => a.DurationSeconds!.Value)
                .Take(count)];
            return Task.FromResult(durations);
        }
    }
}

/// <summary>
/// An in-memory maintenance table with the DynamoDB store's transition rules (conditional on status and holder), for
/// pure step tests. Every entry written with a transition lands in <see cref="Ledger"/>'s audit list.
/// </summary>
internal sealed class RecordingMaintenance(RecordingLedger ledger) : IMaintenanceLedger
{
    public RecordingLedger Ledger { get; } = ledger;

    public List<WindowDefinition> Windows { get; } = [];

    public List<(string Cluster, string ChangeId, string Key, DateTimeOffset SubmittedAt, string Request, string? Source, string Window)> Queue { get; } = [];

    public Dictionary<string, (string Status, string? Holder, int Attempts, string? Outcome)> States { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ClusterConfiguration> Applied { get; } = new(StringComparer.Ordinal);

    public ApplyMode DefaultApply { get; set; } = ApplyMode.NextWindow;

    public Task<WindowDefinition?> WindowOfClusterAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        Task.FromResult(Windows.FirstOrDefault(w => w.Clusters.Contains(clusterIdentifier)));

    public Task<WindowDefinition?> GetWindowAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(Windows.FirstOrDefault(w => w.Name == name));

    public async Task<EnqueueOutcome> EnqueueAsync(QueueEntry change, AuditDraft entry, CancellationToken cancellationToken)
    {
        var id = $"{change.SubmittedAt.UtcTicks:D19}-{change.IdempotencyKey}";
        if (Queue.Any(q => q.ChangeId == id))
        {
            return new EnqueueOutcome(id, false, null);
        }

        Queue.Add((change.ClusterIdentifier, id, change.IdempotencyKey, change.SubmittedAt, change.RequestJson, change.Source, change.Window));
        States[id] = (HeldChange.Pending, null, 0, null);
        return new EnqueueOutcome(id, true, await Ledger.AppendAuditAsync(entry, cancellationToken));
    }

    public Task<IReadOnlyList<HeldChange>> ChangesForRunAsync(string clusterIdentifier, CancellationToken cancellationToken)
    {
        IReadOnlyList<HeldChange> changes = [.. Queue
            .Where(q => q.Cluster == clusterIdentifier && States[q.ChangeId].Status is HeldChange.Pending or HeldChange.Applying)
            .OrderBy(q => q.ChangeId, StringComparer.Ordinal)
            .Select(q => new HeldChange(
                new QueuedChange(q.ChangeId, q.SubmittedAt, Domain.Parsing.RequestParser.Parse(q.Request).Request!),
                q.Key, States[q.ChangeId].Status, States[q.ChangeId].Holder, q.Source, q.Window, States[q.ChangeId].Attempts))];
        return Task.FromResult(changes);
    }

    public HashSet<(string ChangeId, string Run)> Deferrals { get; } = [];

    public async Task<Contracts.AuditMark?> NoteDeferredAsync(string clusterIdentifier, string changeId, string run, AuditDraft entry, CancellationToken cancellationToken) =>
        States[changeId].Status == HeldChange.Pending && Deferrals.Add((changeId, run)) ? await Ledger.AppendAuditAsync(entry, cancellationToken) : null;

    public Task<ChangeState?> ChangeStateAsync(string clusterIdentifier, string changeId, CancellationToken cancellationToken) =>
        Task.FromResult(States.TryGetValue(changeId, out var state) ? new ChangeState(state.Status, state.Outcome, DateTimeOffset.UnixEpoch) : null);

    public Task<bool> TakeAsync(string clusterIdentifier, string changeId, string holder, string? from, CancellationToken cancellationToken)
    {
        var state = States[changeId];
        if (from is null ? state.Status == HeldChange.Pending || (state.Status == HeldChange.Applying && state.Holder == holder) : state.Status == HeldChange.Applying && state.Holder == from)
        {
            States[changeId] = (HeldChange.Applying, holder, state.Attempts, state.Outcome);
            return Task.FromResult(true);
        }

        return Task.FromResult(false);
    }

    public async Task<Contracts.AuditMark?> SettleAsync(string clusterIdentifier, string changeId, string holder, Settlement settlement, string outcome, AuditDraft entry, CancellationToken cancellationToken)
    {
        var state = States[changeId];
        if (state.Status != HeldChange.Applying || state.Holder != holder)
        {
            return null;
        }

        States[changeId] = settlement switch
        {
            Settlement.Applied => ("applied", holder, state.Attempts, outcome),
            Settlement.Failed => ("failed", holder, state.Attempts + 1, outcome),
            Settlement.Requeued => (HeldChange.Pending, null, state.Attempts + 1, outcome),
            _ => (HeldChange.Pending, null, state.Attempts, outcome),
        };
        return await Ledger.AppendAuditAsync(entry, cancellationToken);
    }

    public Task<ClusterConfiguration?> LastAppliedAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        Task.FromResult(Applied.TryGetValue(clusterIdentifier, out var configuration) ? configuration : null);

    public Task RecordAppliedAsync(string clusterIdentifier, ClusterConfiguration configuration, string executionId, CancellationToken cancellationToken)
    {
        Applied[clusterIdentifier] = configuration;
        return Task.CompletedTask;
    }

    public string StatusOf(string changeId) => States[changeId].Status;
}

/// <summary>Records the executions a window's opening starts; a name started twice is refused as Step Functions does.</summary>
internal sealed class RecordingStarter : IWorkflowStarter
{
    public List<(string StateMachineArn, string Name, string Input)> Started { get; } = [];

    public Task<bool> StartAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken)
    {
        if (Started.Any(s => s.Name == name))
        {
            return Task.FromResult(false);
        }

        Started.Add((stateMachineArn, name, input));
        return Task.FromResult(true);
    }
}

internal static class Services
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    public static StepServices Create(RecordingPcs pcs, RecordingLedger ledger, TimeProvider time, RecordingMaintenance? maintenance = null, RecordingStarter? starter = null) =>
        new(pcs, ledger, time, new SeededRandomSource(7), new WorkflowSettings(), maintenance ?? new RecordingMaintenance(ledger), starter ?? new RecordingStarter());
}
