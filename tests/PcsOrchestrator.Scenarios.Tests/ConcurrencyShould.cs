using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// Many executions at once through the local Step Functions endpoint, the real definition, the handlers, the PCS
/// emulator and DynamoDB Local, on a clock 300 times faster than real time.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConcurrencyShould(DynamoDbLocal dynamo)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpdateOnce_When100DeliveriesOfOneEventArriveTogether()
    {
        await using var world = await World.StartAsync(dynamo, TimeSpan.FromMinutes(8));
        var envelope = Envelope("evt-storm", 1800, 600);

        var arns = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => world.StartAsync($"delivery-{i:000}", envelope)));
        var results = await world.WaitAllAsync(arns);

        results.Select(r => r.Status).Should().AllBe(ExecutionStatuses.Succeeded, "every delivery ends successfully or as a recognised duplicate");
        results.Count(r => r.Outcome == "succeeded").Should().Be(1);
        results.Count(r => r.Outcome == "duplicate").Should().Be(99);
        world.UpdateCalls.Should().Be(1, "exactly one UpdateCluster reaches PCS");
        var request = RequestParser.Parse(envelope).Request!;
        var record = await world.Local.Keys.GetAsync(IdempotencyKeys.Derive(request).IdempotencyKey, Ct);
        record!.Status.Should().Be(IdempotencyStatus.Completed);
        (await world.Local.Audit.VerifyAsync("demo-cluster", Ct)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task ApplyTwentyDifferentRequestsOneAfterAnother_LosingNone()
    {
        await using var world = await World.StartAsync(dynamo, TimeSpan.FromMinutes(1));
        var idleTimeOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var starts = Enumerable.Range(1, 20).Select(async i =>
        {
            var arn = await world.StartAsync($"change-{i:00}", Envelope($"evt-{i:00}", 1000 + i, 100 + i));
            lock (idleTimeOf)
            {
                idleTimeOf[arn] = 1000 + i;
            }

            return arn;
        });

        var results = await world.WaitAllAsync(await Task.WhenAll(starts));

        results.Should().AllSatisfy(r => r.Outcome.Should().Be("succeeded", r.Cause));
        world.UpdateCalls.Should().Be(20);
        var audit = (await world.Local.Audit.QueryAsync("demo-cluster", 1000, null, Ct)).Entries.OrderBy(e => e.Sequence).ToList();
        audit.Count(e => e.EventType == "succeeded").Should().Be(20, "none is lost");
        var running = (string?)null;
        foreach (var entry in audit)
        {
            if (entry.EventType == "update-started")
            {
                running.Should().BeNull("updates of one cluster never interleave");
                running = entry.ExecutionId;
            }
            else if (entry.EventType == "succeeded")
            {
                entry.ExecutionId.Should().Be(running);
                running = null;
            }
        }

        var last = audit.Last(e => e.EventType == "update-started").ExecutionId;
        var cluster = await world.Local.PcsClient.GetClusterAsync(world.ClusterId, Ct);
        cluster.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(idleTimeOf[last], "the final configuration is the last change in the lock's order");
        (await world.Local.Audit.VerifyAsync("demo-cluster", Ct)).Intact.Should().BeTrue();
    }

    private static string Envelope(string id, int idleSeconds, int minJobAge) => new JsonObject
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = "PCS Cluster Update Requested",
        ["source"] = "com.example.hpc",
        ["account"] = "123456789012",
        ["time"] = "2026-11-24T21:59:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = new JsonObject
        {
            ["clusterIdentifier"] = "demo-cluster",
            ["requestedBy"] = "pipeline",
            ["reason"] = id,
            ["slurmConfiguration"] = new JsonObject
            {
                ["scaleDownIdleTimeInSeconds"] = idleSeconds,
                ["slurmCustomSettings"] = new JsonArray(new JsonObject { ["parameterName"] = "MinJobAge", ["parameterValue"] = minJobAge.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            },
        },
    }.ToJsonString();

    private sealed record Finished(string Status, string? Outcome, string? Cause);

    private sealed class World : IAsyncDisposable
    {
        private World(LocalDeployment local, StepFunctionsEndpoint endpoint, StepFunctionsClient client, string clusterId)
        {
            Local = local;
            Endpoint = endpoint;
            Client = client;
            ClusterId = clusterId;
        }

        public LocalDeployment Local { get; }

        public StepFunctionsEndpoint Endpoint { get; }

        public StepFunctionsClient Client { get; }

        public string ClusterId { get; }

        public int UpdateCalls => Local.Pcs.Calls.Count(c => c.Operation == "UpdateCluster" && c.Status == 200);

        public static async Task<World> StartAsync(DynamoDbLocal dynamo, TimeSpan update)
        {
            var time = new ScaledTimeProvider(300);
            var local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
            {
                Definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "statemachine", "update-cluster.asl.json")),
                Time = time,
                DynamoEndpoint = dynamo.Endpoint,
                TablePrefix = "c" + Guid.NewGuid().ToString("N")[..12],
                Durations = new EmulatorDurations { Update = update },
                Random = new SeededRandomSource(5),
            }, Ct);
            var clusterId = (await local.CreateDemoClusterAsync("demo-cluster", Ct)).Id;
            local.Pcs.ClearCalls();
            var endpoint = await StepFunctionsEndpoint.StartAsync(local.Runner, time, cancellationToken: Ct);
            var client = new StepFunctionsClient(new StepFunctionsClientOptions { Endpoint = endpoint.Endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("test", "test") });
            return new World(local, endpoint, client, clusterId);
        }

        public async Task<string> StartAsync(string name, string input) =>
            (await Client.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = Endpoint.StateMachineArn, Name = name, Input = input }, Ct)).ExecutionArn;

        /// <summary>Describes every execution until none runs (at most two real minutes).</summary>
        public async Task<IReadOnlyList<Finished>> WaitAllAsync(IReadOnlyList<string> executionArns)
        {
            var until = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                var described = await Task.WhenAll(executionArns.Select(arn => Client.DescribeExecutionAsync(arn, Ct)));
                if (described.All(d => d.Status != ExecutionStatuses.Running) || DateTime.UtcNow > until)
                {
                    return [.. described.Select(d => new Finished(d.Status, d.Output is { } output ? JsonNode.Parse(output)?["outcome"]?.GetValue<string>() : null, d.Cause))];
                }

                await Task.Delay(250, Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Endpoint.DisposeAsync();
            await Local.DisposeAsync();
        }
    }
}
