using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

public enum IdempotencyStatus
{
    InProgress,
    Completed,
    Failed,
}

/// <summary>One idempotency record. Times are epoch seconds in the table.</summary>
public sealed record IdempotencyRecord(
    string Key,
    IdempotencyStatus Status,
    string Owner,
    string ClientToken,
    string PayloadHash,
    string? Result,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ClaimExpiresAt,
    DateTimeOffset ExpiresAt);

public enum ClaimResultKind
{
    Claimed,
    Completed,
}

public sealed record ClaimResult(ClaimResultKind Kind, IdempotencyRecord Record);

/// <summary>
/// The decision logic of idempotency, pure and in one place: given the record a conditional claim found (or null),
/// what the claim means. The store does only the primitives.
/// </summary>
public static class IdempotencyRules
{
    /// <summary>Whether <paramref name="existing"/> may be replaced by a new claim of <paramref name="owner"/>.</summary>
    public static bool Claimable(IdempotencyRecord? existing, string owner, string payloadHash, DateTimeOffset now) =>
        existing is null
        || existing.ExpiresAt <= now
        || (existing.PayloadHash == payloadHash && (existing.Status == IdempotencyStatus.Failed
            || (existing.Status == IdempotencyStatus.InProgress && (existing.Owner == owner || existing.ClaimExpiresAt <= now))));

    /// <summary>Why a claim was refused: the stored result, a concurrent owner, or a reused key.</summary>
    public static ClaimResult Refused(IdempotencyRecord existing, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.PayloadHash != payloadHash)
        {
            throw new IdempotencyKeyReusedException(existing.Key, existing.PayloadHash, payloadHash);
        }

        return existing.Status == IdempotencyStatus.Completed
            ? new ClaimResult(ClaimResultKind.Completed, existing)
            : throw new IdempotencyInProgressException(existing.Key, existing.Owner, existing.ClaimExpiresAt);
    }
}

/// <summary>
/// Idempotency records in DynamoDB (Powertools semantics adapted to a multi-step workflow): a conditional put claims
/// a key that is absent, expired, failed, or in progress past its claim expiry (or already ours); a completed key
/// returns its stored result; a concurrent claim raises <see cref="IdempotencyInProgressException"/>; another
/// payload under the same key raises <see cref="IdempotencyKeyReusedException"/>.
/// </summary>
public sealed class IdempotencyStore(IAmazonDynamoDB dynamo, string tableName, TimeProvider time)
{
    /// <summary>How long a record is kept after it completed or failed (the TTL).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    public async Task<ClaimResult> ClaimAsync(string key, string payloadHash, string owner, string clientToken, DateTimeOffset claimExpiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new IdempotencyRecord(key, IdempotencyStatus.InProgress, owner, clientToken, payloadHash, null, now, now, claimExpiresAt, claimExpiresAt + Retention);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = tableName,
                    Item = ToItem(record),
                    ConditionExpression = "attribute_not_exists(pk) OR #ttl <= :now OR (payloadHash = :hash AND (#status = :failed OR (#status = :inProgress AND (#owner = :owner OR claimExpiresAt <= :now))))",
                    ExpressionAttributeNames = new() { ["#ttl"] = TableDefinitions.TtlAttribute, ["#status"] = "status", ["#owner"] = "owner" },
                    ExpressionAttributeValues = new()
                    {
                        [":now"] = Number(now),
                        [":hash"] = new AttributeValue { S = payloadHash },
                        [":failed"] = new AttributeValue { S = nameof(IdempotencyStatus.Failed) },
                        [":inProgress"] = new AttributeValue { S = nameof(IdempotencyStatus.InProgress) },
                        [":owner"] = new AttributeValue { S = owner },
                    },
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                }, cancellationToken);
                return new ClaimResult(ClaimResultKind.Claimed, record);
            }
            catch (ConditionalCheckFailedException ex)
            {
                var existing = ex.Item is { Count: > 0 } item ? FromItem(item) : await GetAsync(key, cancellationToken);
                if (existing is null || IdempotencyRules.Claimable(existing, owner, payloadHash, now))
                {
                    continue; // It changed between the put and the read: try again.
                }

                try
                {
                    return IdempotencyRules.Refused(existing, payloadHash);
                }
                catch (Exception refused) when (refused is IdempotencyInProgressException or IdempotencyKeyReusedException)
                {
                    throw refused is IdempotencyInProgressException p
                        ? new IdempotencyInProgressException(p.Key, p.Owner, p.ClaimExpiresAt, ex)
                        : new IdempotencyKeyReusedException(key, existing.PayloadHash, payloadHash, ex);
                }
            }
        }

        throw new IdempotencyInProgressException(key, "(changing)", claimExpiresAt);
    }

    public Task CompleteAsync(string key, string owner, string result, CancellationToken cancellationToken) =>
        FinishAsync(key, owner, IdempotencyStatus.Completed, result, cancellationToken);

    /// <summary>Marks the key failed: a later request with the same key and payload may claim it again.</summary>
    public Task FailAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        FinishAsync(key, owner, IdempotencyStatus.Failed, reason, cancellationToken);

    public async Task<IdempotencyRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tableName,
            Key = new() { [TableDefinitions.PartitionKey] = new AttributeValue { S = key } },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? FromItem(item) : null;
    }

    private async Task FinishAsync(string key, string owner, IdempotencyStatus status, string result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = new() { [TableDefinitions.PartitionKey] = new AttributeValue { S = key } },
                UpdateExpression = "SET #status = :status, #result = :result, updatedAt = :now, #ttl = :ttl",
                ConditionExpression = "#owner = :owner AND #status = :inProgress",
                ExpressionAttributeNames = new() { ["#status"] = "status", ["#result"] = "result", ["#ttl"] = TableDefinitions.TtlAttribute, ["#owner"] = "owner" },
                ExpressionAttributeValues = new()
                {
                    [":status"] = new AttributeValue { S = status.ToString() },
                    [":result"] = new AttributeValue { S = result },
                    [":now"] = Number(now),
                    [":ttl"] = Number(now + Retention),
                    [":owner"] = new AttributeValue { S = owner },
                    [":inProgress"] = new AttributeValue { S = nameof(IdempotencyStatus.InProgress) },
                },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException ex)
        {
            var existing = await GetAsync(key, cancellationToken);
            if (existing is not null && existing.Owner == owner && existing.Status == status)
            {
                return; // Already done by an earlier attempt of the same step.
            }

            throw new OwnershipLostException($"idempotency key '{key}' is not in progress for {owner} (it is {existing?.Status.ToString() ?? "absent"}, owner {existing?.Owner ?? "none"})", ex);
        }
    }

    private static Dictionary<string, AttributeValue> ToItem(IdempotencyRecord r) => new()
    {
        [TableDefinitions.PartitionKey] = new AttributeValue { S = r.Key },
        ["status"] = new AttributeValue { S = r.Status.ToString() },
        ["owner"] = new AttributeValue { S = r.Owner },
        ["clientToken"] = new AttributeValue { S = r.ClientToken },
        ["payloadHash"] = new AttributeValue { S = r.PayloadHash },
        ["createdAt"] = Number(r.CreatedAt),
        ["updatedAt"] = Number(r.UpdatedAt),
        ["claimExpiresAt"] = Number(r.ClaimExpiresAt),
        [TableDefinitions.TtlAttribute] = Number(r.ExpiresAt),
    };

    private static IdempotencyRecord FromItem(Dictionary<string, AttributeValue> item) => new(
        item[TableDefinitions.PartitionKey].S,
        Enum.Parse<IdempotencyStatus>(item["status"].S),
        item["owner"].S,
        item.TryGetValue("clientToken", out var token) ? token.S : string.Empty,
        item["payloadHash"].S,
        item.TryGetValue("result", out var result) ? result.S : null,
        Time(item["createdAt"]),
        Time(item["updatedAt"]),
        Time(item["claimExpiresAt"]),
        Time(item[TableDefinitions.TtlAttribute]));

    internal static AttributeValue Number(DateTimeOffset instant) => new() { N = instant.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };

    internal static DateTimeOffset Time(AttributeValue value) => DateTimeOffset.FromUnixTimeSeconds(long.Parse(value.N, CultureInfo.InvariantCulture));
}
