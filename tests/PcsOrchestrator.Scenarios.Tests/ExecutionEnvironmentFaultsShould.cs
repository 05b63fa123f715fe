using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// Failures of the functions' execution environment under the real definition, with every function in its own
/// `bootstrap` process behind the Lambda emulator (as `local up` runs them): a process killed in the middle of an
/// invocation and an invocation running past its timeout. Step Functions reports both as Lambda.Unknown; the
/// definition retries it, and every handler is safe to run again. Each case checks the terminal state, that PCS
/// applied the update once, that no lock is left held, and the audit entry of the outcome.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExecutionEnvironmentFaultsShould(DynamoDbLocal dynamo)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SucceedOnce_WhenApplysBootstrapIsKilledWhileUpdateClusterIsInFlight()
    {
        await using var world = await World.StartAsync(dynamo, TimeSpan.FromSeconds(60));
        var killed = 0;
        world.Services.Pcs.BeforeNext("UpdateCluster", _ =>
        {
            if (world.Services.Lambda.ProcessIdOf("ApplyFunction") is { } pid)
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                killed = pid;
            }

            return Task.CompletedTask;
        });

        var finished = await world.RunAsync("killed-apply");

        killed.Should().BePositive("Apply's process was running when its UpdateCluster arrived");
        world.Services.Lambda.ProcessIdOf("ApplyFunction").Should().NotBe(killed, "the retry ran in a new execution environment");
        (await world.FailedTasksAsync(finished)).Should().Equal([("Lambda.Unknown", "Runtime.ExitError")]);
        await world.ShouldHaveSucceededOnceAsync(finished);
    }

    [Fact]
    public async Task SucceedOnce_WhenAPollRunsPastItsLambdaTimeout()
    {
        await using var world = await World.StartAsync(dynamo, TimeSpan.FromSeconds(5));
        world.Services.Pcs.BeforeNext("UpdateCluster", _ =>
        {
            // The first GetCluster after the update answers after the function's 5 s timeout.
            world.Services.Pcs.Arm(new Fault(FaultKind.Delay, 1, "GetCluster", DelayMilliseconds: 7_000));
            return Task.CompletedTask;
        });

        var finished = await world.RunAsync("slow-poll");

        (await world.FailedTasksAsync(finished)).Should().Equal([("Lambda.Unknown", "Sandbox.Timedout")]);
        await world.ShouldHaveSucceededOnceAsync(finished);
    }

    private sealed class World : IAsyncDisposable
    {
        private readonly StepFunctionsClient _client;

        private World(LocalServices services, StepFunctionsClient client, string clusterId)
        {
            Services = services;
            _client = client;
            ClusterId = clusterId;
        }

        public LocalServices Services { get; }

        public string ClusterId { get; }

        public static async Task<World> StartAsync(DynamoDbLocal dynamo, TimeSpan functionTimeout)
        {
            var seed = EmulatorSeed.Parse(File.ReadAllText(Path.Combine(ToolsFolder.RepositoryRoot(), "local", "demo-seed.json")));
            var services = await LocalServices.StartAsync(new LocalServicesOptions
            {
                Definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "statemachine", "update-cluster.asl.json")),
                BootstrapCommand = "dotnet",
                BootstrapArguments = [Path.Combine(AppContext.BaseDirectory, "bootstrap.dll")],
                Seed = seed,
                Speed = 60,
                DynamoEndpoint = dynamo.Endpoint,
                TablePrefix = "e" + Guid.NewGuid().ToString("N")[..12],
                FunctionTimeout = functionTimeout,
            }, Ct);
            var client = new StepFunctionsClient(new StepFunctionsClientOptions { Endpoint = services.StepFunctions.Endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("test", "test") });
            using var pcs = new PcsClient(new PcsClientOptions { Endpoint = services.Pcs.Endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("test", "test") });
            var clusterId = (await pcs.GetClusterAsync("demo-cluster", Ct)).Id;
            return new World(services, client, clusterId);
        }

        public async Task<DescribeExecutionResponse> RunAsync(string name)
        {
            var input = new JsonObject
            {
                ["clusterIdentifier"] = "demo-cluster",
                ["requestedBy"] = "alice",
                ["reason"] = name,
                ["slurmConfiguration"] = new JsonObject { ["scaleDownIdleTimeInSeconds"] = 1800 },
            }.ToJsonString();
            var arn = (await _client.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = Services.StepFunctions.StateMachineArn, Name = name, Input = input }, Ct)).ExecutionArn;
            var until = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                var described = await _client.DescribeExecutionAsync(arn, Ct);
                if (described.Status != ExecutionStatuses.Running || DateTime.UtcNow > until)
                {
                    return described;
                }

                await Task.Delay(200, Ct);
            }
        }

        /// <summary>The error of every failed Lambda task in the execution's history, with the errorType Lambda reported.</summary>
        public async Task<List<(string? Error, string? ErrorType)>> FailedTasksAsync(DescribeExecutionResponse execution) =>
            [.. (await _client.GetExecutionHistoryAsync(execution.ExecutionArn, Ct))
                .Where(e => e.Type == "LambdaFunctionFailed")
                .Select(e => (e.Details?.Error, JsonNode.Parse(e.Details?.Cause ?? "{}")?["errorType"]?.GetValue<string>()))];

        public async Task ShouldHaveSucceededOnceAsync(DescribeExecutionResponse finished)
        {
            finished.Status.Should().Be(ExecutionStatuses.Succeeded, finished.Cause);
            JsonNode.Parse(finished.Output!)!["outcome"]!.GetValue<string>().Should().Be("succeeded");
            Services.Pcs.AppliedUpdates(ClusterId).Should().Be(1, "PCS applied the update exactly once");
            Services.Pcs.Calls.Where(c => c.Operation == "UpdateCluster" && c.Status == 200).Select(c => JsonNode.Parse(c.Body)!["clientToken"]!.GetValue<string>())
                .Distinct().Should().ContainSingle("every attempt carried the run's client token");
            using var dynamo = DynamoDbLocalProcess.Client(Services.DynamoEndpoint);
            var audit = new AuditLog(dynamo, Services.Tables.Audit, TimeProvider.System);
            (await audit.QueryAsync("demo-cluster", 1, null, Ct)).Entries.Single().EventType.Should().Be("succeeded");
            (await audit.VerifyAsync("demo-cluster", Ct)).Intact.Should().BeTrue();
            var lockItem = await dynamo.GetItemAsync(new Amazon.DynamoDBv2.Model.GetItemRequest
            {
                TableName = Services.Tables.Lock,
                Key = new() { ["pk"] = new Amazon.DynamoDBv2.Model.AttributeValue { S = "demo-cluster" } },
                ConsistentRead = true,
            }, Ct);
            lockItem.Item.Should().NotContainKey("owner", "the lock was released");
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await Services.DisposeAsync();
        }
    }
}
