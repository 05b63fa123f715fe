using PcsOrchestrator.Domain.Readiness;

namespace PcsOrchestrator.Domain.Tests;

public sealed class ReadinessPolicyShould
{
    private static ClusterSnapshot Snapshot(string cluster, string[]? queues = null, string[]? groups = null) => new(
        new ResourceStatus(ResourceKind.Cluster, "pcs_abc123", "research", cluster),
        [.. (queues ?? ["ACTIVE"]).Select((s, i) => new ResourceStatus(ResourceKind.Queue, $"pcs_q{i}", $"queue-{i}", s))],
        [.. (groups ?? ["ACTIVE"]).Select((s, i) => new ResourceStatus(ResourceKind.ComputeNodeGroup, $"pcs_n{i}", $"nodes-{i}", s))]);

    [Theory]
    [InlineData("ACTIVE")]
    [InlineData("UPDATE_FAILED")]
    [InlineData("SUSPENDED")]
    public void BeReady_WhenTheClusterMayBeUpdated_AndEveryChildIsActive(string status) =>
        ReadinessPolicy.Evaluate(Snapshot(status, ["ACTIVE", "ACTIVE"], ["ACTIVE"])).Should().Be(ReadinessDecision.Ready);

    [Theory]
    [InlineData("CREATING")]
    [InlineData("UPDATING")]
    [InlineData("RESUMING")]
    public void Wait_WhileTheClusterIsInATransitionalState(string status)
    {
        var decision = ReadinessPolicy.Evaluate(Snapshot(status));

        decision.Verdict.Should().Be(ReadinessVerdict.Wait);
        decision.Reasons.Should().ContainSingle().Which.Should().Match<ReadinessReason>(r => r.Kind == ResourceKind.Cluster && r.Status == status);
    }

    [Theory]
    [InlineData("DELETING")]
    [InlineData("CREATE_FAILED")]
    [InlineData("DELETE_FAILED")]
    [InlineData("SUSPENDING")]
    [InlineData("SOMETHING_NEW")]
    public void BeBlocked_WhenTheClusterNeedsAPerson(string status) =>
        ReadinessPolicy.Evaluate(Snapshot(status)).Verdict.Should().Be(ReadinessVerdict.Blocked);

    [Theory]
    [InlineData("CREATING", ReadinessVerdict.Wait)]
    [InlineData("UPDATING", ReadinessVerdict.Wait)]
    [InlineData("RESUMING", ReadinessVerdict.Wait)]
    [InlineData("UPDATE_FAILED", ReadinessVerdict.Blocked)]
    [InlineData("DELETING", ReadinessVerdict.Blocked)]
    [InlineData("DELETED", ReadinessVerdict.Blocked)]
    [InlineData("CREATE_FAILED", ReadinessVerdict.Blocked)]
    [InlineData("DELETE_FAILED", ReadinessVerdict.Blocked)]
    [InlineData("SUSPENDING", ReadinessVerdict.Blocked)]
    [InlineData("SUSPENDED", ReadinessVerdict.Blocked)]
    public void ClassifyAChildThatIsNotActive(string status, ReadinessVerdict expected)
    {
        var decision = ReadinessPolicy.Evaluate(Snapshot("ACTIVE", ["ACTIVE"], ["ACTIVE", status]));

        decision.Verdict.Should().Be(expected);
        decision.Reasons.Should().ContainSingle().Which.Should().Match<ReadinessReason>(r =>
            r.Kind == ResourceKind.ComputeNodeGroup && r.Id == "pcs_n1" && r.Status == status && r.Explanation.Contains("nodes-1"));
    }

    [Fact]
    public void LetBlockedWinOverWait_AndListEveryReason()
    {
        var decision = ReadinessPolicy.Evaluate(Snapshot("UPDATING", ["UPDATE_FAILED"], ["CREATING"]));

        decision.Verdict.Should().Be(ReadinessVerdict.Blocked);
        decision.Reasons.Select(r => r.Id).Should().Equal("pcs_q0", "pcs_abc123", "pcs_n0");
    }

    [Fact]
    public void BeReady_ForAClusterWithNoChildren() =>
        ReadinessPolicy.Evaluate(new ClusterSnapshot(new ResourceStatus(ResourceKind.Cluster, "pcs_a", null, "ACTIVE"), [], [])).Should().Be(ReadinessDecision.Ready);
}
