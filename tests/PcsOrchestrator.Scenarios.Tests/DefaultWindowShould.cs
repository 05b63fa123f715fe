using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// The stack's own window (template parameters DefaultWindow*, read from the functions' environment) through the real
/// definition: it queues and applies the changes of the clusters it lists, and leaves alone a listed cluster that has
/// since been given a stored window of its own. Its schedule is the template's, so the openings are started here as
/// that schedule starts them (the same input).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DefaultWindowShould(DynamoDbLocal dynamo) : Scenario(dynamo)
{
    // Wednesday 2026-11-25 03:00 UTC: the first nightly opening after the clock's start (Tuesday 22:00 UTC).
    private static readonly DateTimeOffset Night = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    protected override StackDefaults Defaults => StackDefaults.FromEnvironment(name => name switch
    {
        StackDefaults.ScheduleVariable => "cron(0 3 * * ? *)",
        StackDefaults.DurationVariable => "120",
        StackDefaults.CutoffVariable => "30",
        StackDefaults.ClustersVariable => "demo-cluster, other-cluster",
        _ => null,
    });

    private async Task<JsonNode> SubmitAsync(int idle, string name)
    {
        var result = await RunAsync(Request($$"""{"scaleDownIdleTimeInSeconds":{{idle}}}"""), name);
        result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
        return result.Output!;
    }

    /// <summary>Starts the opening at <paramref name="at"/> as its schedule would, and waits for it and every run it starts.</summary>
    private async Task<JsonNode> OpenAsync(string window, DateTimeOffset at)
    {
        Time.Advance(at - Time.GetUtcNow());
        var opening = await RunAsync($$"""{"window":"{{window}}","scheduledTime":"{{at:yyyy-MM-ddTHH:mm:ssZ}}"}""", $"open-{window}-{at:yyyyMMddHHmm}");
        opening.Status.Should().Be(ExecutionStatus.Succeeded, opening.Cause);
        await Local.Executions.WhenAllCompletedAsync(TimeSpan.FromMinutes(2), Ct);
        return opening.Output!;
    }

    [Fact]
    public async Task QueueAChangeForAClusterItLists_AndApplyItWhenItOpens()
    {
        var queued = await SubmitAsync(900, "submit-1");

        queued["outcome"]!.GetValue<string>().Should().Be("queued");
        queued["window"]!.GetValue<string>().Should().Be("default");
        queued["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(Night);

        var opened = await OpenAsync("default", Night);

        opened["runs"]!.AsArray().Select(r => $"{r!["clusterIdentifier"]} {r["action"]}").Should().Equal("demo-cluster started", "other-cluster skipped");
        UpdateCalls.Should().Be(1);
        (await Local.PcsClient.GetClusterAsync(ClusterId, Ct)).SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(900);
        (await Local.Queue.ListAsync("demo-cluster", all: true, Ct)).Single().Status.Should().Be(QueuedChangeStatus.Applied);
    }

    [Fact]
    public async Task LeaveAListedClusterToTheStoredWindowItWasGiven_WhenItOpens()
    {
        var (sunday, issues) = WindowDefinition.Parse("""{"name":"sunday-night","schedule":"cron(0 2 ? * SUN *)","durationMinutes":240,"cutoffMinutes":60,"clusters":["demo-cluster"]}""");
        issues.Should().BeEmpty();
        await Local.Windows.SetAsync(sunday!, null, "ops@example.com", Ct);
        var queued = await SubmitAsync(900, "submit-1");
        queued["window"]!.GetValue<string>().Should().Be("sunday-night", "a stored window covers the cluster before the stack's does");

        var opened = await OpenAsync("default", Night);

        var run = opened["runs"]!.AsArray().Single(r => r!["clusterIdentifier"]!.GetValue<string>() == "demo-cluster")!;
        run["action"]!.GetValue<string>().Should().Be("skipped");
        run["reason"]!.GetValue<string>().Should().Be("covered by maintenance window sunday-night");
        UpdateCalls.Should().Be(0, "the change waits for its own window");
        (await Local.Queue.ListAsync("demo-cluster", all: true, Ct)).Single().Status.Should().Be(QueuedChangeStatus.Pending);

        await OpenAsync("sunday-night", new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero));

        UpdateCalls.Should().Be(1);
        (await Local.Queue.ListAsync("demo-cluster", all: true, Ct)).Single().Status.Should().Be(QueuedChangeStatus.Applied);
    }
}
