using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>The physical names of the three tables (configuration: never hard-coded).</summary>
public sealed record TableNames(string Idempotency, string Lock, string Audit)
{
    public const string IdempotencyVariable = "IDEMPOTENCY_TABLE_NAME";
    public const string LockVariable = "LOCK_TABLE_NAME";
    public const string AuditVariable = "AUDIT_TABLE_NAME";

    public static TableNames FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new TableNames(
            environment(IdempotencyVariable) ?? throw new InvalidOperationException($"{IdempotencyVariable} is not set"),
            environment(LockVariable) ?? throw new InvalidOperationException($"{LockVariable} is not set"),
            environment(AuditVariable) ?? throw new InvalidOperationException($"{AuditVariable} is not set"));
    }

    public static TableNames WithPrefix(string prefix) => new($"{prefix}-idempotency", $"{prefix}-locks", $"{prefix}-audit");
}

/// <summary>
/// The one place the tables are defined: keys, the audit GSI and the TTL attribute. template.yaml declares the same
/// (a deployment test compares them); <see cref="CreateAsync"/> creates them locally for the CLI and the tests.
/// </summary>
public static class TableDefinitions
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string TtlAttribute = "ttl";
    public const string ExecutionIndex = "byExecution";
    public const string ExecutionAttribute = "executionId";

    /// <summary>Logical id in template.yaml → the table's key schema, for the template comparison.</summary>
    public static IReadOnlyDictionary<string, CreateTableRequest> Logical { get; } = new Dictionary<string, CreateTableRequest>
    {
        ["IdempotencyTable"] = Idempotency("IdempotencyTable"),
        ["LockTable"] = Lock("LockTable"),
        ["AuditTable"] = Audit("AuditTable"),
    };

    /// <summary>Tables with a TTL attribute (logical id → attribute).</summary>
    public static IReadOnlyDictionary<string, string> TimeToLive { get; } = new Dictionary<string, string> { ["IdempotencyTable"] = TtlAttribute };

    public static CreateTableRequest Idempotency(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition(PartitionKey, ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement(PartitionKey, KeyType.HASH)],
    };

    public static CreateTableRequest Lock(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition(PartitionKey, ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement(PartitionKey, KeyType.HASH)],
    };

    public static CreateTableRequest Audit(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions =
        [
            new AttributeDefinition(PartitionKey, ScalarAttributeType.S),
            new AttributeDefinition(SortKey, ScalarAttributeType.S),
            new AttributeDefinition(ExecutionAttribute, ScalarAttributeType.S),
        ],
        KeySchema = [new KeySchemaElement(PartitionKey, KeyType.HASH), new KeySchemaElement(SortKey, KeyType.RANGE)],
        GlobalSecondaryIndexes =
        [
            new GlobalSecondaryIndex
            {
                IndexName = ExecutionIndex,
                KeySchema = [new KeySchemaElement(ExecutionAttribute, KeyType.HASH), new KeySchemaElement(SortKey, KeyType.RANGE)],
                Projection = new Projection { ProjectionType = ProjectionType.ALL },
            },
        ],
    };

    /// <summary>
    /// Creates the three tables (if absent), waits until they are ACTIVE and, unless <paramref name="enableTimeToLive"/>
    /// is false, turns TTL on. DynamoDB Local deletes expired items by the machine's own clock, so a stack that runs on
    /// a virtual clock (tests, whose clock may stand days behind the machine's) leaves TTL off: an expired record is
    /// treated as absent by the code's own conditions either way.
    /// </summary>
    public static async Task CreateAsync(IAmazonDynamoDB dynamo, TableNames names, CancellationToken cancellationToken, bool enableTimeToLive = true)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(names);
        foreach (var request in new[] { Idempotency(names.Idempotency), Lock(names.Lock), Audit(names.Audit) })
        {
            try
            {
                await dynamo.CreateTableAsync(request, cancellationToken);
            }
            catch (ResourceInUseException)
            {
                // Already there: creating is idempotent.
            }

            for (var i = 0; i < 100; i++)
            {
                var table = await dynamo.DescribeTableAsync(request.TableName, cancellationToken);
                if (table.Table.TableStatus == TableStatus.ACTIVE)
                {
                    break;
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        if (!enableTimeToLive)
        {
            return;
        }

        var ttl = await dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = names.Idempotency }, cancellationToken);
        if (ttl.TimeToLiveDescription?.TimeToLiveStatus != TimeToLiveStatus.ENABLED)
        {
            await dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = names.Idempotency,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = TtlAttribute, Enabled = true },
            }, cancellationToken);
        }
    }
}
