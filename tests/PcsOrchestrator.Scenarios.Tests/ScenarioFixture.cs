using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

[assembly: AssemblyFixture(typeof(DynamoDbLocal))]

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>One scenario's world: its own tables, its own PCS emulator with a demo cluster, virtual time that jumps over waits.</summary>
public abstract class Scenario(DynamoDbLocal dynamo) : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    protected JumpingTimeProvider Time { get; } = new(Start);

    protected LocalDeployment Local { get; private set; } = null!;

    protected string ClusterId { get; private set; } = string.Empty;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected virtual EmulatorDurations Durations => new() { Update = TimeSpan.FromMinutes(8) };

    protected virtual TimeSpan PcsAttemptTimeout => TimeSpan.FromSeconds(10);

    /// <summary>The stack's defaults (template parameters DefaultApply, DefaultWindow*): none unless a scenario sets them.</summary>
    protected virtual Functions.Adapters.StackDefaults Defaults => Functions.Adapters.StackDefaults.None;

    /// <summary>Fault injection a scenario may set at any time: true loses the answer of a Task whose handler ran (Lambda.Unknown).</summary>
    protected Func<TaskInvocation, bool>? LoseAnswer { get; set; }

    public async ValueTask InitializeAsync()
    {
        Local = await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "statemachine", "update-cluster.asl.json")),
            Time = Time,
            DynamoEndpoint = dynamo.Endpoint,
            TablePrefix = "s" + Guid.NewGuid().ToString("N")[..12],
            Durations = Durations,
            Random = new SeededRandomSource(11),
            PcsAttemptTimeout = PcsAttemptTimeout,
            Defaults = Defaults,
            LoseAnswer = invocation => LoseAnswer?.Invoke(invocation) == true,
        }, Ct);
        ClusterId = (await Local.CreateDemoClusterAsync("demo-cluster", Ct)).Id;
        Local.Pcs.ClearCalls();
    }

    public async ValueTask DisposeAsync() => await Local.DisposeAsync();

    protected async Task<ExecutionResult> RunAsync(string json, string name = "exec-1") =>
        await Local.Start(name, JsonNode.Parse(json)).Completion.WaitAsync(TimeSpan.FromMinutes(2), Ct);

    protected async Task<IReadOnlyList<AuditEntry>> AuditAsync()
    {
        var page = await Local.Audit.QueryAsync("demo-cluster", 100, null, Ct);
        return [.. page.Entries.Reverse()];
    }

    /// <summary>Whether any execution still holds the cluster's lock (the item keeps its fencing token after release).</summary>
    protected async Task<bool> LockHeldAsync()
    {
        var item = await Local.Dynamo.GetItemAsync(new Amazon.DynamoDBv2.Model.GetItemRequest
        {
            TableName = Local.Tables.Lock,
            Key = new() { ["pk"] = new Amazon.DynamoDBv2.Model.AttributeValue { S = "demo-cluster" } },
            ConsistentRead = true,
        }, Ct);
        return item.Item is { Count: > 0 } found && found.ContainsKey("owner")
            && long.Parse(found["expiresAt"].N, System.Globalization.CultureInfo.InvariantCulture) > Time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    protected int UpdateCalls => Local.Pcs.Calls.Count(c => c.Operation == "UpdateCluster" && c.Status == 200);

    protected async Task<AuditVerification> VerifyAsync() => await Local.Audit.VerifyAsync("demo-cluster", Ct);

    protected static string Request(string change = """{"scaleDownIdleTimeInSeconds":1800,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}""", string options = "{}", string extra = "") =>
        $$"""{"clusterIdentifier":"demo-cluster","requestedBy":"alice","reason":"CHG-1","slurmConfiguration":{{change}},"options":{{options}}{{extra}}}""";
}
