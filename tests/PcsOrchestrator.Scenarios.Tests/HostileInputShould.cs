using System.Text;
using Amazon.Runtime;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Tests.Corpus;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>One deployment (its own DynamoDB Local, the PCS emulator with the demo cluster) for the whole corpus.</summary>
public sealed class HostileWorld : IAsyncLifetime
{
    public LocalDeployment Local { get; private set; } = null!;

    public StepFunctionsEndpoint Endpoint { get; private set; } = null!;

    public StepFunctionsClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var time = new JumpingTimeProvider(new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero));
        Local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "statemachine", "update-cluster.asl.json")),
            Time = time,
            TablePrefix = "h" + Guid.NewGuid().ToString("N")[..12],
            Durations = new EmulatorDurations(),
            Random = new SeededRandomSource(9),
        }, TestContext.Current.CancellationToken);
        await Local.CreateDemoClusterAsync("demo-cluster", TestContext.Current.CancellationToken);
        Local.Pcs.ClearCalls();
        Endpoint = await StepFunctionsEndpoint.StartAsync(Local.Runner, time, cancellationToken: TestContext.Current.CancellationToken);
        Client = new StepFunctionsClient(new StepFunctionsClientOptions { Endpoint = Endpoint.Endpoint, Region = "us-east-1", Credentials = new BasicAWSCredentials("test", "test") });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Endpoint.DisposeAsync();
        await Local.DisposeAsync();
    }
}

/// <summary>
/// The hostile-input corpus (tests/corpus/hostile/cases.json) against the deployed shape of the product. A case that
/// is a JSON document runs through the real definition and handlers: the execution fails with RequestInvalid, its
/// cause names the field and the rule, PCS sees no mutating call, and a case that names the demo cluster validly
/// leaves a "rejected" audit entry for its execution (one that names no valid cluster has nowhere to be audited).
/// A case whose bytes are not JSON cannot become an execution at all: StartExecution refuses it with
/// InvalidExecutionInput, and nothing runs.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostileInputShould(HostileWorld world) : IClassFixture<HostileWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(HostileCorpus.Ids), MemberType = typeof(HostileCorpus))]
    public async Task RejectTheCase_WithoutTouchingPcs(string id)
    {
        var hostile = HostileCorpus.Get(id);
        var before = world.Local.Pcs.Calls.Count;

        if (!hostile.IsUtf8)
        {
            // The request itself is not UTF-8 (the bytes sit raw inside the input string): no AWS API accepts that.
            var head = Encoding.UTF8.GetBytes("{\"stateMachineArn\":\"" + world.Endpoint.StateMachineArn + "\",\"name\":\"hostile-" + id + "\",\"input\":\"");
            byte[] body = [.. head, .. hostile.Bytes.Where(b => b != (byte)'"'), .. "\"}"u8];
            using var http = new HttpClient();
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
            using var request = new HttpRequestMessage(HttpMethod.Post, world.Endpoint.Endpoint) { Content = content };
            request.Headers.Add("X-Amz-Target", "AWSStepFunctions.StartExecution");
            using var response = await http.SendAsync(request, Ct);
            ((int)response.StatusCode).Should().Be(400, await response.Content.ReadAsStringAsync(Ct));
            (await world.Client.ListExecutionsAsync(world.Endpoint.StateMachineArn, null, Ct)).Should().NotContain(e => e.Name == "hostile-" + id);
        }
        else if (!hostile.IsJson)
        {
            var start = () => world.Client.StartExecutionAsync(new StartExecutionRequest
            {
                StateMachineArn = world.Endpoint.StateMachineArn,
                Name = "hostile-" + id,
                Input = Encoding.UTF8.GetString(hostile.Bytes),
            }, Ct);
            var refused = await start.Should().ThrowAsync<StepFunctionsException>();
            refused.Which.ErrorCode.Should().Be("InvalidExecutionInput");
            (await world.Client.ListExecutionsAsync(world.Endpoint.StateMachineArn, null, Ct)).Should().NotContain(e => e.Name == "hostile-" + id);
        }
        else
        {
            var result = await world.Local.Start("hostile-" + id, hostile.Document).Completion;

            result.Status.Should().Be(ExecutionStatus.Failed, hostile.Attack);
            result.Error.Should().Be("RequestInvalid");
            result.Cause.Should().Contain(hostile.Path).And.Contain($"[{hostile.Rule}]");
            var entries = await world.Local.Audit.QueryExecutionAsync(result.ExecutionArn, Ct);
            if (hostile.Audited)
            {
                entries.Should().ContainSingle().Which.EventType.Should().Be("rejected");
            }
            else
            {
                entries.Should().BeEmpty();
            }
        }

        world.Local.Pcs.Calls.Skip(before).Should().NotContain(c => c.Operation != "GetCluster" && c.Operation.StartsWith("List", StringComparison.Ordinal) == false,
            "a rejected request makes no PCS call that could change anything");
        world.Local.Pcs.CallCount("UpdateCluster").Should().Be(0);
    }
}
