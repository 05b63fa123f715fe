using Amazon.DynamoDBv2;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// A test class whose commands work on the stack's four tables, freshly created in DynamoDB Local under a prefix
/// of their own (so test classes never see each other's items), with a client to arrange and inspect them.
/// </summary>
public abstract class TablesTest(DynamoDbLocal dynamoDb, string prefix) : IAsyncLifetime
{
    protected IAmazonDynamoDB Dynamo { get; } = dynamoDb.CreateClient();

    protected string Prefix { get; } = prefix + Guid.NewGuid().ToString("N")[..10];

    protected TableNames Tables => TableNames.WithPrefix(Prefix);

    /// <summary>DynamoDB Local's endpoint, as <c>--dynamodb-endpoint</c> takes it.</summary>
    protected string Endpoint => dynamoDb.Endpoint.ToString();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync() => await TableDefinitions.CreateAsync(Dynamo, Tables, Ct, enableTimeToLive: false);

    public virtual ValueTask DisposeAsync()
    {
        Dynamo.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The cells of a row of a table the commands print (their first line, when cells wrap).</summary>
    protected static List<string> Cells(string row) =>
        [.. row.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).Where(c => c.Length > 0)];
}
