using System.Collections.Concurrent;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Readiness;
using PcsOrchestrator.Domain.Timing;
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

    public Task<string?> CompletedResultAsync(string key, string owner, CancellationToken cancellationToken) =>
        Task.FromResult(Keys.TryGetValue(key, out var record) && record.Status == "COMPLETED" && record.Owner == owner ? record.Result : null);

    public Task ReleaseKeyAsync(string key, string owner, string reason, CancellationToken cancellationToken)
    {
        Keys[key] = (owner, "FAILED", null, Keys[key].Hash);
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

internal static class Services
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    public static StepServices Create(RecordingPcs pcs, RecordingLedger ledger, TimeProvider time) =>
        new(pcs, ledger, time, new SeededRandomSource(7), new WorkflowSettings());
}
