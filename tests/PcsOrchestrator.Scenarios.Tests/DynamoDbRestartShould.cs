using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// DynamoDB unavailable in the middle of a run: DynamoDB Local (file-backed, so it comes back with its data) is stopped
/// just as PCS serves UpdateCluster, and started again three seconds later on the same port. Apply's audit write fails
/// with StoreTransient, the definition retries Apply with backoff, the retry re-sends the same client token, and the
/// run ends as if nothing happened: succeeded, the update applied once, the lock released, the chain intact.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DynamoDbRestartShould : IAsyncDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "pcso-ddb-" + Guid.NewGuid().ToString("N")[..8]);
    private DynamoDbLocalProcess? _dynamo;
    private Task? _restarted;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SucceedOnce_WhenDynamoDbIsStoppedDuringTheUpdate_AndComesBack()
    {
        var port = DynamoDbLocalProcess.FreePort();
        _dynamo = await DynamoDbLocalProcess.StartAsync(Ct, port, _data);
        await using var local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "statemachine", "update-cluster.asl.json")),
            // Apply's retries (2 s doubling to 60 s, full jitter: about 61 s of clock time expected) take about 20 s of real
            // time at 3x, longer than DynamoDB Local needs to come back on a loaded machine; at 10x (about 6 s) a slow
            // restart under CI load once exhausted them.
            Time = new ScaledTimeProvider(3),
            DynamoEndpoint = _dynamo.Endpoint,
            TablePrefix = "r" + Guid.NewGuid().ToString("N")[..8],
            Durations = new EmulatorDurations { Update = TimeSpan.FromSeconds(30) },
            Random = new SeededRandomSource(3),
        }, Ct);
        var clusterId = (await local.CreateDemoClusterAsync("demo-cluster", Ct)).Id;
        local.Pcs.BeforeNext("UpdateCluster", async _ =>
        {
            await _dynamo.DisposeAsync();
            _restarted = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3), Ct);
                _dynamo = await DynamoDbLocalProcess.StartAsync(Ct, port, _data);
            }, Ct);
        });

        var result = await local.Start("outage", new JsonObject
        {
            ["clusterIdentifier"] = "demo-cluster",
            ["requestedBy"] = "alice",
            ["slurmConfiguration"] = new JsonObject { ["scaleDownIdleTimeInSeconds"] = 1800 },
        }).Completion;

        _restarted.Should().NotBeNull("DynamoDB Local was stopped during the run");
        await _restarted!;
        result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
        result.Output!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        result.History.Should().Contain(e => e.Type == "LambdaFunctionFailed" && e.Details != null && e.Details["error"]!.GetValue<string>() == "StoreTransient",
            "Apply failed while DynamoDB was down, and was retried");
        local.Pcs.AppliedUpdates(clusterId).Should().Be(1);
        (await local.Audit.QueryAsync("demo-cluster", 1, null, Ct)).Entries.Single().EventType.Should().Be("succeeded");
        (await local.Audit.VerifyAsync("demo-cluster", Ct)).Intact.Should().BeTrue();
    }

    public async ValueTask DisposeAsync()
    {
        if (_restarted is not null)
        {
            // A restart still under way would leave its DynamoDB Local behind.
            await _restarted.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        if (_dynamo is not null)
        {
            await _dynamo.DisposeAsync();
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
