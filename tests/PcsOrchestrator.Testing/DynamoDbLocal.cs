using Amazon.DynamoDBv2;
using PcsOrchestrator.Local;

namespace PcsOrchestrator.Testing;

/// <summary>DynamoDB Local for a whole test assembly (an xUnit assembly fixture); the process is stopped at the end.</summary>
public sealed class DynamoDbLocal : Xunit.IAsyncLifetime
{
    private DynamoDbLocalProcess? _process;

    public Uri Endpoint => _process?.Endpoint ?? throw new InvalidOperationException("DynamoDB Local has not started");

    public async ValueTask InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        _process = await DynamoDbLocalProcess.StartAsync(startup.Token);
    }

    public IAmazonDynamoDB CreateClient() => DynamoDbLocalProcess.Client(Endpoint);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
