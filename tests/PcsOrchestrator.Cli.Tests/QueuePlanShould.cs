using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// <c>queue plan</c> as a process: the pending changes (queued through the real <see cref="MaintenanceStore"/>) merged
/// into the live configuration the PCS emulator reports, as the next window would merge them, and nothing changed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class QueuePlanShould(DynamoDbLocal dynamoDb) : TablesTest(dynamoDb, "qpl"), IClassFixture<DynamoDbLocal>
{
    private const string Seed = """
        {"durations":{"createSeconds":0,"updateSeconds":480},"clusters":[{"name":"plan-cluster","slurmVersion":"24.11",
         "slurmConfiguration":{"scaleDownIdleTimeInSeconds":600,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"300"}]},
         "computeNodeGroups":["compute"],"queues":["batch"]}]}
        """;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

    private MaintenanceStore Store => new(Dynamo, Tables.Maintenance, _time);

    [Fact]
    public async Task ShowTheMergedPlanOfThePendingChanges_WithTheirConflicts_AndChangeNothing()
    {
        await using var pcs = await PcsEmulator.StartAsync(new PcsEmulatorOptions(), Ct);
        await EmulatorSeed.Parse(Seed).ApplyAsync(pcs, Ct);
        pcs.ClearCalls();
        var (window, _) = WindowDefinition.Parse("""{"name":"sunday","schedule":"cron(0 2 ? * SUN *)","durationMinutes":240,"cutoffMinutes":60,"clusters":["plan-cluster"]}""");
        await Store.PutWindowAsync("sunday", window!.ToJson(), window.Clusters, null, "ops", Ct);
        var first = await EnqueueAsync("CHG-1", """{"scaleDownIdleTimeInSeconds":900,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}""");
        var second = await EnqueueAsync("CHG-2", """{"scaleDownIdleTimeInSeconds":1800}""");
        var cancelled = await EnqueueAsync("CHG-3", """{"accounting":{"defaultPurgeTimeInDays":90}}""");
        await Store.CancelAsync("plan-cluster", cancelled.ChangeId, "ops", null, Ct);

        var (exit, stdout, stderr) = await PlanAsync(pcs, "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var report = JsonNode.Parse(stdout)!;
        report["included"]!.AsArray().Select(c => c!["changeId"]!.GetValue<string>()).Should().Equal(first.ChangeId, second.ChangeId);
        report["changes"]!.AsArray().Select(c => $"{c!["path"]}: {c["before"]} -> {c["after"]}").Should().Equal(
            "slurmConfiguration.scaleDownIdleTimeInSeconds: 600 -> 1800",
            "slurmConfiguration.slurmCustomSettings[MinJobAge]: 300 -> 600");
        report["payload"]!["accounting"].Should().BeNull("the cancelled change is not in the plan");
        var conflict = report["conflicts"]!.AsArray().Should().ContainSingle().Subject!;
        conflict["path"]!.GetValue<string>().Should().Be("slurmConfiguration.scaleDownIdleTimeInSeconds");
        conflict["winner"]!.GetValue<string>().Should().Be(second.ChangeId);
        report["maintenanceWindow"]!["nextOpening"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        pcs.Calls.Select(c => c.Operation).Should().Equal(["GetCluster"], "a plan only reads");
        (await Store.ListChangesAsync("plan-cluster", [QueuedChangeStatus.Pending], Ct)).Should().HaveCount(2, "nothing was taken");

        (exit, stdout, stderr) = await PlanAsync(pcs);

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().Contain("Maintenance window sunday opens next at ")
            .And.Contain("2 changes are pending for cluster plan-cluster, in submission order:")
            .And.Contain($"  {first.ChangeId}").And.Contain($"  {second.ChangeId}")
            .And.Contain("2 changes planned; nothing was changed.")
            .And.Contain("1 conflict between the pending changes (the later one wins):")
            .And.Contain($"{first.ChangeId}: 900").And.Contain($"{second.ChangeId}: 1800");
    }

    private async Task<QueuedChange> EnqueueAsync(string key, string configuration)
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        return await Store.EnqueueAsync(new QueuedChangeDraft("plan-cluster", key, $$"""{"clusterIdentifier":"plan-cluster","slurmConfiguration":{{configuration}}}""", _time.GetUtcNow(), "exec-submit") { Window = "sunday" }, Ct);
    }

    private Task<(int Exit, string Stdout, string Stderr)> PlanAsync(PcsEmulator pcs, params string[] arguments) =>
        CliProcess.RunAsync(
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test", ["AWS_REGION"] = "us-east-1" },
            ["queue", "plan", "plan-cluster", "--endpoint-url", pcs.Endpoint.ToString(), "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint, .. arguments]);
}
