using Amazon.DynamoDBv2;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Testing;

[assembly: AssemblyFixture(typeof(DynamoDbLocal))]

namespace PcsOrchestrator.Persistence.Tests;

/// <summary>Fresh, uniquely named tables in the shared DynamoDB Local for each test, so tests run in parallel.</summary>
public abstract class DynamoTest(DynamoDbLocal dynamo) : IAsyncLifetime
{
    protected IAmazonDynamoDB Dynamo { get; } = dynamo.CreateClient();

    protected TableNames Tables { get; } = TableNames.WithPrefix("t" + Guid.NewGuid().ToString("N")[..12]);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero));

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>TTL stays off: DynamoDB Local would reap by the machine's clock, days past the fake one.</summary>
    public async ValueTask InitializeAsync() => await TableDefinitions.CreateAsync(Dynamo, Tables, Ct, enableTimeToLive: false);

    public ValueTask DisposeAsync()
    {
        Dynamo.Dispose();
        return ValueTask.CompletedTask;
    }
}
