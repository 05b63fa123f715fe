namespace PcsOrchestrator.Persistence.Tests;

public sealed class TableNamesShould
{
    [Fact]
    public void NameTheFourTablesAfterAPrefix()
    {
        TableNames.WithPrefix("pcs").Should().Be(new TableNames("pcs-idempotency", "pcs-locks", "pcs-audit", "pcs-maintenance"));
    }

    [Fact]
    public void ReadTheFourTablesFromTheEnvironment_AndNameTheFirstMissingVariable()
    {
        var environment = new Dictionary<string, string>
        {
            ["IDEMPOTENCY_TABLE_NAME"] = "i",
            ["LOCK_TABLE_NAME"] = "l",
            ["AUDIT_TABLE_NAME"] = "a",
            ["MAINTENANCE_TABLE_NAME"] = "m",
        };

        TableNames.FromEnvironment(environment.GetValueOrDefault).Should().Be(new TableNames("i", "l", "a", "m"));
        environment.Remove("MAINTENANCE_TABLE_NAME");
        var missing = () => TableNames.FromEnvironment(environment.GetValueOrDefault);
        missing.Should().Throw<InvalidOperationException>().WithMessage("MAINTENANCE_TABLE_NAME is not set");
    }

    [Fact]
    public void DefineTheMaintenanceTable_WithAPartitionAndASortKey_AndTtl()
    {
        var table = TableDefinitions.Logical["MaintenanceTable"];

        table.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)).Should().Equal(("pk", "HASH"), ("sk", "RANGE"));
        table.AttributeDefinitions.Select(a => (a.AttributeName, a.AttributeType.Value)).Should().Equal(("pk", "S"), ("sk", "S"));
        table.BillingMode.Should().Be(Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST);
        (table.GlobalSecondaryIndexes ?? []).Should().BeEmpty();
        TableDefinitions.TimeToLive.Should().BeEquivalentTo(new Dictionary<string, string> { ["IdempotencyTable"] = "ttl", ["MaintenanceTable"] = "ttl" });
    }
}
