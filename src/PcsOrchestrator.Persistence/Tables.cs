using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence;

/// <summary>The physical names of the four tables (configuration: never hard-coded).</summary>
public sealed record TableNames(string Idempotency, string Lock, string Audit, string Maintenance)
{
    public const string IdempotencyVariable = "IDEMPOTENCY_TABLE_NAME";
    public const string LockVariable = "LOCK_TABLE_NAME";
    public const string AuditVariable = "AUDIT_TABLE_NAME";
    public const string MaintenanceVariable = "MAINTENANCE_TABLE_NAME";

    public static TableNames FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new TableNames(
            environment(IdempotencyVariable) ?? throw new InvalidOperationException($"{IdempotencyVariable} is not set"),
            environment(LockVariable) ?? throw new InvalidOperationException($"{LockVariable} is not set"),
            environment(AuditVariable) ?? throw new InvalidOperationException($"{AuditVariable} is not set"),
            environment(MaintenanceVariable) ?? throw new InvalidOperationException($"{MaintenanceVariable} is not set"));
    }

    public static TableNames WithPrefix(string prefix) => new($"{prefix}-idempotency", $"{prefix}-locks", $"{prefix}-audit", $"{prefix}-maintenance");
}

/// <summary>
/// The one place the tables are defined: keys, the audit GSI and the TTL attributes. template.yaml declares the same
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
    public static IReadOnlyDictionary<string, CreateTableRequest> Logical { get; } =
        Definitions(new TableNames("IdempotencyTable", "LockTable", "AuditTable", "MaintenanceTable")).ToDictionary(t => t.Logical, t => t.Request);

    /// <summary>Tables with a TTL attribute (logical id → attribute).</summary>
    public static IReadOnlyDictionary<string, string> TimeToLive { get; } = new Dictionary<string, string>
    {
        ["IdempotencyTable"] = TtlAttribute,
        ["MaintenanceTable"] = TtlAttribute,
    };

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

    /// <summary>Maintenance windows, their cluster memberships, queued changes and desired states (see <see cref="MaintenanceStore"/>).</summary>
    public static CreateTableRequest Maintenance(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition(PartitionKey, ScalarAttributeType.S), new AttributeDefinition(SortKey, ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement(PartitionKey, KeyType.HASH), new KeySchemaElement(SortKey, KeyType.RANGE)],
    };

    /// <summary>Every table with its logical id in template.yaml, named by <paramref name="names"/>.</summary>
    private static (string Logical, CreateTableRequest Request)[] Definitions(TableNames names) =>
    [
        ("IdempotencyTable", Idempotency(names.Idempotency)),
        ("LockTable", Lock(names.Lock)),
        ("AuditTable", Audit(names.Audit)),
        ("MaintenanceTable", Maintenance(names.Maintenance)),
    ];

    /// <summary>
    /// Creates the four tables (if absent), waits until they are ACTIVE and, unless <paramref name="enableTimeToLive"/>
    /// is false, turns TTL on for every table that has one (<see cref="TimeToLive"/>). DynamoDB Local deletes expired
    /// items by the machine's own clock, so a stack that runs on a virtual clock (tests, whose clock may stand days
    /// behind the machine's) leaves TTL off: an expired record is treated as absent by the code's own conditions
    /// (idempotency) or is only history (finished queued changes) either way.
    /// </summary>
    public static async Task CreateAsync(IAmazonDynamoDB dynamo, TableNames names, CancellationToken cancellationToken, bool enableTimeToLive = true)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(names);
        var tables = Definitions(names);
        foreach (var (_, request) in tables)
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

        foreach (var (logical, request) in tables)
        {
            if (!TimeToLive.TryGetValue(logical, out var attribute))
            {
                continue;
            }

            var ttl = await dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = request.TableName }, cancellationToken);
            if (ttl.TimeToLiveDescription?.TimeToLiveStatus != TimeToLiveStatus.ENABLED)
            {
                await dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
                {
                    TableName = request.TableName,
                    TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = attribute, Enabled = true },
                }, cancellationToken);
            }
        }
    }
}
