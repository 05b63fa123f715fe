using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>A held lease: who, until when, and the fencing token of this acquisition.</summary>
public sealed record Lease(string Cluster, string Owner, long FencingToken, DateTimeOffset ExpiresAt);

public sealed record LockAttempt(bool Acquired, Lease? Lease, string? HeldBy, DateTimeOffset? HeldUntil);

/// <summary>
/// A lease per cluster in DynamoDB. Acquire succeeds when the lock is free, expired, or already ours (idempotent for
/// retried steps); every new acquisition increments the fencing token, which is never reset (release keeps the item),
/// so a stale owner's later guarded write is refused (<see cref="GuardCheck"/> in a transaction).
/// </summary>
public sealed class ClusterLock(IAmazonDynamoDB dynamo, string tableName, TimeProvider time)
{
    public async Task<LockAttempt> AcquireAsync(string cluster, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + lease;
        Dictionary<string, AttributeValue>? holder;
        try
        {
            // Free, released or expired (and someone else's): take it with the next fencing token. One write in the
            // common case; a lock that is already ours is never taken again, so its owner keeps its token.
            var taken = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(cluster),
                UpdateExpression = "SET #owner = :owner, expiresAt = :expires, acquiredAt = :now ADD fence :one",
                ConditionExpression = "attribute_not_exists(pk) OR attribute_not_exists(#owner) OR (#owner <> :owner AND expiresAt <= :now)",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new() { [":owner"] = S(owner), [":expires"] = Millis(expires), [":now"] = Millis(now), [":one"] = new AttributeValue { N = "1" } },
                ReturnValues = ReturnValue.ALL_NEW,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }, cancellationToken);
            return new LockAttempt(true, ToLease(cluster, taken.Attributes), owner, expires);
        }
        catch (ConditionalCheckFailedException ex)
        {
            holder = ex.Item is { Count: > 0 } item ? item : (await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(cluster), ConsistentRead = true }, cancellationToken)).Item;
        }

        if (holder?.GetValueOrDefault("owner")?.S == owner)
        {
            try
            {
                // Ours already (a retried claim): extend, keep the token.
                var renewed = await dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = Key(cluster),
                    UpdateExpression = "SET expiresAt = :expires",
                    ConditionExpression = "#owner = :owner",
                    ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                    ExpressionAttributeValues = new() { [":expires"] = Millis(expires), [":owner"] = S(owner) },
                    ReturnValues = ReturnValue.ALL_NEW,
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                }, cancellationToken);
                return new LockAttempt(true, ToLease(cluster, renewed.Attributes), owner, expires);
            }
            catch (ConditionalCheckFailedException ex)
            {
                // Taken over between the two calls.
                holder = ex.Item is { Count: > 0 } item ? item : null;
            }
        }

        return new LockAttempt(false, null, holder?.GetValueOrDefault("owner")?.S, holder?.GetValueOrDefault("expiresAt") is { N: not null } e ? FromMillis(e) : null);
    }

    /// <summary>Extends the lease; only the owner holding this fencing token may.</summary>
    public async Task<Lease> RenewAsync(string cluster, string owner, long fencingToken, TimeSpan lease, CancellationToken cancellationToken)
    {
        var expires = time.GetUtcNow() + lease;
        try
        {
            var response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(cluster),
                UpdateExpression = "SET expiresAt = :expires",
                ConditionExpression = "#owner = :owner AND fence = :fence",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new() { [":expires"] = Millis(expires), [":owner"] = S(owner), [":fence"] = N(fencingToken) },
                ReturnValues = ReturnValue.ALL_NEW,
            }, cancellationToken);
            return ToLease(cluster, response.Attributes);
        }
        catch (ConditionalCheckFailedException ex)
        {
            throw new LockLostException(cluster, owner, fencingToken, ex);
        }
    }

    /// <summary>Releases the lock if <paramref name="owner"/> holds it; the fencing token stays for the next owner.</summary>
    public async Task<bool> ReleaseAsync(string cluster, string owner, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(cluster),
                UpdateExpression = "REMOVE #owner SET expiresAt = :zero",
                ConditionExpression = "#owner = :owner",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new() { [":owner"] = S(owner), [":zero"] = new AttributeValue { N = "0" } },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>A transaction item that fails unless <paramref name="owner"/> still holds the lock with this fencing token.</summary>
    public TransactWriteItem GuardCheck(string cluster, string owner, long fencingToken) => new()
    {
        ConditionCheck = new ConditionCheck
        {
            TableName = tableName,
            Key = Key(cluster),
            ConditionExpression = "#owner = :owner AND fence = :fence",
            ExpressionAttributeNames = new() { ["#owner"] = "owner" },
            ExpressionAttributeValues = new() { [":owner"] = S(owner), [":fence"] = N(fencingToken) },
        },
    };

    private static Lease ToLease(string cluster, Dictionary<string, AttributeValue> item) =>
        new(cluster, item["owner"].S, long.Parse(item["fence"].N, CultureInfo.InvariantCulture), FromMillis(item["expiresAt"]));

    private static Dictionary<string, AttributeValue> Key(string cluster) => new() { [TableDefinitions.PartitionKey] = S(cluster) };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Millis(DateTimeOffset instant) => N(instant.ToUnixTimeMilliseconds());

    private static DateTimeOffset FromMillis(AttributeValue value) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(value.N, CultureInfo.InvariantCulture));
}
