using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Scenarios.Tests;

/// <summary>
/// PCS misbehaving under a run. Each case checks the terminal state, that PCS applied the update exactly once (never
/// twice), that no lock is left held, and that the outcome has its audit entry.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FaultsShould(DynamoDbLocal dynamo) : Scenario(dynamo)
{
    protected override TimeSpan PcsAttemptTimeout => TimeSpan.FromMilliseconds(750);

    [Fact]
    public async Task SucceedOnce_ThroughABurstOf500sOnEveryOperation()
    {
        Local.Pcs.Arm(new Fault(FaultKind.ServerError, 8));

        var result = await RunAsync(Request());

        await ShouldEndAsync(result, "succeeded", "succeeded");
        Local.Pcs.Calls.Count(c => c.Status == 500).Should().Be(8);
    }

    [Fact]
    public async Task SucceedOnce_WhenUpdateClustersConnectionDropsBeforeItIsServed()
    {
        Local.Pcs.Arm(new Fault(FaultKind.Drop, 2, "UpdateCluster"));

        var result = await RunAsync(Request());

        await ShouldEndAsync(result, "succeeded", "succeeded");
        Local.Pcs.Calls.Count(c => c.Operation == "UpdateCluster" && c.Status == 0).Should().Be(2);
    }

    [Fact]
    public async Task SucceedOnce_WhenUpdateClustersResponseIsLost_BecauseTheRetryCarriesTheSameClientToken()
    {
        Local.Pcs.Arm(new Fault(FaultKind.DropAfter, 1, "UpdateCluster"));

        var result = await RunAsync(Request());

        await ShouldEndAsync(result, "succeeded", "succeeded");
        var calls = Local.Pcs.Calls.Where(c => c.Operation == "UpdateCluster").ToList();
        calls.Should().HaveCountGreaterThan(1, "the client retried the call whose answer was lost");
        calls.Select(c => ClientToken(c.Body)).Distinct().Should().ContainSingle("every attempt carries the run's client token");
    }

    [Fact]
    public async Task SucceedOnce_WhenUpdateClusterAnswersSlowerThanTheClientWaits()
    {
        Local.Pcs.Arm(new Fault(FaultKind.Delay, 1, "UpdateCluster", DelayMilliseconds: 2_000));
        Local.Pcs.Arm(new Fault(FaultKind.Delay, 2, "GetCluster", DelayMilliseconds: 2_000));

        var result = await RunAsync(Request());

        await ShouldEndAsync(result, "succeeded", "succeeded");
    }

    [Fact]
    public async Task FailWithDeadlinePassed_AndReleaseTheLock_WhenTheClusterStaysUpdating()
    {
        var result = await RunAsync(Request(options: """{"timeoutSeconds":300}"""));

        result.Error.Should().Be("DeadlinePassed");
        await ShouldEndAsync(result, null, "failed");
    }

    [Fact]
    public async Task FailClearly_WithoutUpdating_WhenPcsKeepsThrottlingPastEveryRetry()
    {
        Local.Pcs.Arm(new Fault(FaultKind.Throttle, 1_000, "UpdateCluster", RetryAfterSeconds: 1));

        var result = await RunAsync(Request());

        result.Status.Should().Be(ExecutionStatus.Failed);
        result.Error.Should().Be("PcsThrottled");
        Local.Pcs.AppliedUpdates(ClusterId).Should().Be(0);
        (await LockHeldAsync()).Should().BeFalse();
        (await AuditAsync())[^1].EventType.Should().Be("failed");
    }

    private async Task ShouldEndAsync(ExecutionResult result, string? outcome, string lastAuditEvent)
    {
        if (outcome is not null)
        {
            result.Status.Should().Be(ExecutionStatus.Succeeded, result.Cause);
            result.Output!["outcome"]!.GetValue<string>().Should().Be(outcome);
        }

        Local.Pcs.AppliedUpdates(ClusterId).Should().Be(1, "PCS applied the update exactly once");
        (await LockHeldAsync()).Should().BeFalse("no lock is left held");
        (await AuditAsync())[^1].EventType.Should().Be(lastAuditEvent);
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    private static string? ClientToken(string body) => System.Text.Json.Nodes.JsonNode.Parse(body)?["clientToken"]?.GetValue<string>();
}
