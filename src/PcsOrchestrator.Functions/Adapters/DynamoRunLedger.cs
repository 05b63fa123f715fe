using System.Net;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Ports;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Functions.Adapters;

/// <summary>
/// The workflow's ledger on DynamoDB: idempotency records, the cluster lock and the audit log. Store failures become
/// <see cref="StepException"/>s: IdempotencyKeyReused, LockLost (fencing), StoreTransient (throttling, 5xx, network).
/// </summary>
public sealed class DynamoRunLedger(IAmazonDynamoDB dynamo, TableNames tables, TimeProvider time) : IRunLedger
{
    private readonly IdempotencyStore _keys = new(dynamo, tables.Idempotency, time);
    private readonly ClusterLock _lock = new(dynamo, tables.Lock, time);
    private readonly AuditLog _audit = new(dynamo, tables.Audit, time);

    public Task<KeyClaim> ClaimKeyAsync(string key, string payloadHash, string owner, string clientToken, DateTimeOffset claimExpiresAt, CancellationToken cancellationToken) =>
        StoreAsync(async () =>
        {
            try
            {
                var result = await _keys.ClaimAsync(key, payloadHash, owner, clientToken, claimExpiresAt, cancellationToken);
                return result.Kind == ClaimResultKind.Completed
                    ? new KeyClaim(KeyClaimStatus.Completed, result.Record.Owner, result.Record.Result)
                    : new KeyClaim(KeyClaimStatus.Claimed, owner, null);
            }
            catch (IdempotencyInProgressException ex)
            {
                return new KeyClaim(KeyClaimStatus.HeldByOther, ex.Owner, null);
            }
            catch (IdempotencyKeyReusedException ex)
            {
                throw new StepException(ErrorNames.IdempotencyKeyReused, ex.Message + "; use a new idempotency key for a different change", ex);
            }
        });

    public Task CompleteKeyAsync(string key, string owner, string resultJson, CancellationToken cancellationToken) =>
        StoreAsync(() => Owned(() => _keys.CompleteAsync(key, owner, resultJson, cancellationToken)));

    public Task<string?> FinishedResultAsync(string key, string owner, CancellationToken cancellationToken) =>
        StoreAsync(async () =>
        {
            var record = await _keys.GetAsync(key, cancellationToken);
            return record is { Status: IdempotencyStatus.Completed or IdempotencyStatus.Failed } && record.Owner == owner ? record.Result : null;
        });

    /// <summary>Frees the key for a later attempt. A key this run no longer owns (taken over, completed, or never
    /// claimed) has nothing to release: that is not a failure of the run being recorded.</summary>
    public Task ReleaseKeyAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        StoreAsync(async () =>
        {
            try
            {
                await _keys.FailAsync(key, owner, reason, cancellationToken);
                return true;
            }
            catch (OwnershipLostException)
            {
                return false;
            }
        });

    public Task<LockClaim> AcquireLockAsync(string clusterIdentifier, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        StoreAsync(async () =>
        {
            var attempt = await _lock.AcquireAsync(clusterIdentifier, owner, lease, cancellationToken);
            return new LockClaim(attempt.Acquired, attempt.Lease?.FencingToken ?? 0, attempt.HeldBy, attempt.HeldUntil);
        });

    public Task RenewLockAsync(string clusterIdentifier, string owner, long fencingToken, TimeSpan lease, CancellationToken cancellationToken) =>
        StoreAsync(() => Fenced(() => _lock.RenewAsync(clusterIdentifier, owner, fencingToken, lease, cancellationToken)));

    public Task ReleaseLockAsync(string clusterIdentifier, string owner, CancellationToken cancellationToken) =>
        StoreAsync(() => _lock.ReleaseAsync(clusterIdentifier, owner, cancellationToken));

    public Task<AuditMark> AppendAuditAsync(Ports.AuditDraft entry, CancellationToken cancellationToken) =>
        AppendAuditAsync(entry, null, cancellationToken);

    /// <summary>
    /// Appends the entry with <paramref name="companions"/> in the same transaction (a queued change's state change);
    /// a companion whose condition fails raises <see cref="CompanionConditionFailedException"/> and nothing is written.
    /// </summary>
    internal async Task<AuditMark> AppendAuditAsync(Ports.AuditDraft entry, IReadOnlyList<Amazon.DynamoDBv2.Model.TransactWriteItem>? companions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var details = new JsonObject();
        Add(details, "changes", entry.Changes);
        Add(details, "before", entry.Before);
        Add(details, "after", entry.After);
        Add(details, "error", entry.Error);
        Add(details, "window", entry.Window);
        if (entry.DurationSeconds is { } duration)
        {
            details["durationSeconds"] = duration;
        }

        if (entry.Polls is { } polls)
        {
            details["polls"] = polls;
        }

        var draft = new Persistence.AuditDraft(entry.ClusterIdentifier, entry.EventType, entry.ExecutionId)
        {
            IdempotencyKey = entry.IdempotencyKey,
            Source = entry.Source,
            Actor = entry.Actor,
            Reason = entry.Reason,
            Details = details.Count == 0 ? null : details.ToJsonString(),
        };
        var guard = entry.FencingToken is { } fence ? (_lock, entry.ExecutionId, fence) : ((ClusterLock, string, long)?)null;
        var expected = entry.ExpectedHead is { Sequence: > 0 } mark ? new AuditHead(mark.Sequence, mark.Hash) : null;
        var appended = await StoreAsync(() => Fenced(() => _audit.AppendAsync(draft, cancellationToken, guard, expected, companions)));
        return new AuditMark { Sequence = appended.Sequence, Hash = appended.Hash };
    }

    public Task<IReadOnlyList<double>> RecentUpdateDurationsAsync(string clusterIdentifier, int count, int scanLimit, CancellationToken cancellationToken) =>
        StoreAsync(async () =>
        {
            // Filtered on the event type: a window's per-change entries between two updates cost no extra requests.
            var succeeded = await _audit.RecentOfTypeAsync(clusterIdentifier, AuditEvents.Succeeded, count, scanLimit, cancellationToken);
            return (IReadOnlyList<double>)[.. succeeded.Select(e => DurationOf(e.Details)).OfType<double>()];
        });

    /// <summary>The <c>durationSeconds</c> of an entry's details; an entry without one (or unreadable) has none.</summary>
    private static double? DurationOf(string? details)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(details) is JsonObject o && o["durationSeconds"] is JsonValue v && v.TryGetValue<double>(out var seconds) ? seconds : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void Add(JsonObject details, string name, JsonNode? value)
    {
        if (value is not null)
        {
            details[name] = value.DeepClone();
        }
    }

    private static async Task<T> Fenced<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (LockLostException ex)
        {
            throw new StepException(ErrorNames.LockLost, ex.Message + "; another execution took the cluster (this run's lease expired)", ex);
        }
    }

    private static async Task<bool> Owned(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (OwnershipLostException ex)
        {
            throw new StepException(ErrorNames.LockLost, ex.Message, ex);
        }
    }

    internal static async Task<T> StoreAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex) when (ex.StatusCode >= HttpStatusCode.InternalServerError || ex.ErrorCode is "ProvisionedThroughputExceededException" or "ThrottlingException" or "RequestLimitExceeded" or "TransactionConflictException")
        {
            throw new StepException(ErrorNames.StoreTransient, $"DynamoDB failed transiently ({ex.ErrorCode}): {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or AmazonClientException)
        {
            throw new StepException(ErrorNames.StoreTransient, $"DynamoDB could not be reached: {ex.Message}", ex);
        }
    }
}
