using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Persistence.Tests;

/// <summary>Windows, their cluster memberships, and desired states in the maintenance table.</summary>
[Trait("Category", "Integration")]
public sealed class MaintenanceStoreShould(DynamoDbLocal dynamo) : DynamoTest(dynamo)
{
    private const string Nightly = """{"schedule":"cron(0 2 * * ? *)","timeZone":"Europe/Berlin","durationMinutes":240,"cutoffMinutes":60}""";
    private const string Weekly = """{"schedule":"cron(0 4 ? * SUN *)","timeZone":"UTC","durationMinutes":120,"cutoffMinutes":30}""";

    private MaintenanceStore Store => new(Dynamo, Tables.Maintenance, Time);

    private Task<List<string>> SnapshotAsync() => MaintenanceTable.SnapshotAsync(Dynamo, Tables.Maintenance, Ct);

    private Task<List<string>> KeysAsync() => MaintenanceTable.KeysAsync(Dynamo, Tables.Maintenance, Ct);

    [Fact]
    public async Task CreateAWindowAtVersion1_WithAMembershipForEachOfItsClusters()
    {
        var created = await Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_b"], 0, "alice", Ct);

        created.Should().BeEquivalentTo(new WindowRecord("nightly", Nightly, ["pcs_a", "pcs_b"], 1, Time.GetUtcNow(), "alice"));
        (await Store.GetWindowAsync("nightly", Ct)).Should().BeEquivalentTo(created);
        (await Store.WindowOfClusterAsync("pcs_a", Ct)).Should().Be("nightly");
        (await Store.WindowOfClusterAsync("pcs_b", Ct)).Should().Be("nightly");
        (await Store.WindowOfClusterAsync("pcs_c", Ct)).Should().BeNull();
        (await SnapshotAsync()).Should().Equal(
            "cluster#pcs_a|window|cluster=pcs_a;window=nightly",
            "cluster#pcs_b|window|cluster=pcs_b;window=nightly",
            $"windows|window#nightly|clusters=[pcs_a,pcs_b];definition={Nightly};name=nightly;updatedAt=2026-11-24T22:00:00.0000000+00:00;updatedBy=alice;version=1");
    }

    [Fact]
    public async Task IncrementTheVersionOnEachChange_AndMoveTheMembershipsWithTheClusters()
    {
        await Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_b"], 0, "alice", Ct);
        Time.Advance(TimeSpan.FromMinutes(5));

        var second = await Store.PutWindowAsync("nightly", Weekly, ["pcs_b", "pcs_c"], 1, "bob", Ct);
        var third = await Store.PutWindowAsync("nightly", Weekly, ["pcs_c"], null, null, Ct);

        second.Should().BeEquivalentTo(new WindowRecord("nightly", Weekly, ["pcs_b", "pcs_c"], 2, Time.GetUtcNow(), "bob"));
        third.Version.Should().Be(3, "a put without an expected version still counts");
        third.UpdatedBy.Should().BeNull();
        (await Store.GetWindowAsync("nightly", Ct)).Should().BeEquivalentTo(third);
        (await Store.WindowOfClusterAsync("pcs_a", Ct)).Should().BeNull("pcs_a was removed in version 2");
        (await Store.WindowOfClusterAsync("pcs_b", Ct)).Should().BeNull("pcs_b was removed in version 3");
        (await Store.WindowOfClusterAsync("pcs_c", Ct)).Should().Be("nightly");
        (await KeysAsync()).Should().Equal("cluster#pcs_c|window", "windows|window#nightly");
    }

    [Fact]
    public async Task RefuseAnUnexpectedVersion_AndWriteNothing()
    {
        await Store.PutWindowAsync("nightly", Nightly, ["pcs_a"], 0, "alice", Ct);
        await Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_b"], 1, "alice", Ct);
        var before = await SnapshotAsync();

        var exists = await Assert.ThrowsAsync<WindowVersionConflictException>(() => Store.PutWindowAsync("nightly", Weekly, ["pcs_c"], 0, "bob", Ct));
        var stale = await Assert.ThrowsAsync<WindowVersionConflictException>(() => Store.PutWindowAsync("nightly", Weekly, ["pcs_c"], 1, "bob", Ct));
        var absent = await Assert.ThrowsAsync<WindowVersionConflictException>(() => Store.PutWindowAsync("weekly", Weekly, ["pcs_c"], 1, "bob", Ct));
        var staleDelete = await Assert.ThrowsAsync<WindowVersionConflictException>(() => Store.DeleteWindowAsync("nightly", 1, Ct));

        (exists.Name, exists.Expected, exists.Actual).Should().Be(("nightly", 0L, 2L));
        exists.Message.Should().Be("maintenance window 'nightly' is at version 2, not absent as expected: read it again and reapply the change");
        (stale.Expected, stale.Actual).Should().Be((1L, 2L));
        (absent.Name, absent.Expected, absent.Actual).Should().Be(("weekly", 1L, (long?)null));
        (staleDelete.Expected, staleDelete.Actual).Should().Be((1L, 2L));
        (await SnapshotAsync()).Should().Equal(before);
    }

    [Fact]
    public async Task RefuseAClusterAlreadyInAnotherWindow()
    {
        await Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_b"], 0, "alice", Ct);
        await Store.PutWindowAsync("weekly", Weekly, ["pcs_c"], 0, "alice", Ct);
        var before = await SnapshotAsync();

        var created = await Assert.ThrowsAsync<ClusterInAnotherWindowException>(() => Store.PutWindowAsync("monthly", Weekly, ["pcs_d", "pcs_b"], 0, "bob", Ct));
        var updated = await Assert.ThrowsAsync<ClusterInAnotherWindowException>(() => Store.PutWindowAsync("weekly", Weekly, ["pcs_a"], null, "bob", Ct));

        (created.Cluster, created.OtherWindow, created.Window).Should().Be(("pcs_b", "nightly", "monthly"));
        created.Message.Should().Be("cluster pcs_b already belongs to maintenance window 'nightly': remove it there before adding it to 'monthly'");
        (updated.Cluster, updated.OtherWindow).Should().Be(("pcs_a", "nightly"));
        (await SnapshotAsync()).Should().Equal(before, "neither the window, nor pcs_d's membership, nor weekly dropping pcs_c was written");
    }

    [Fact]
    public async Task GiveAClusterToExactlyOneOfTwoWindowsThatClaimItAtOnce()
    {
        for (var i = 0; i < 8; i++)
        {
            var cluster = $"pcs_{i}";
            var outcomes = await Task.WhenAll(new[] { "east", "west" }.Select(async window =>
            {
                try
                {
                    await Store.PutWindowAsync($"{window}{i}", Nightly, [cluster], 0, window, Ct);
                    return "won";
                }
                catch (ClusterInAnotherWindowException refused)
                {
                    return refused.OtherWindow;
                }
            }));

            var owner = await Store.WindowOfClusterAsync(cluster, Ct);
            outcomes.Should().ContainSingle(o => o == "won");
            outcomes.Should().ContainSingle(o => o == owner, "the loser was told who has the cluster");
            (await Store.GetWindowAsync(owner!, Ct)).Should().NotBeNull();
        }

        (await Store.ListWindowsAsync(Ct)).Should().HaveCount(8);
    }

    [Fact]
    public async Task ListEveryWindow_OrderedByName_AcrossPages()
    {
        var names = new[] { "w-07", "W-01", "a.b", "w-03", "A_9", "w-10", "w-02", "b", "w-05", "w-11", "w-04", "w-06", "w-08", "w-09" };
        var big = "{\"notes\":\"" + new string('x', 200_000) + "\"}";
        foreach (var name in names)
        {
            await Store.PutWindowAsync(name, big, [$"pcs_{name}"], 0, null, Ct);
        }

        var windows = await Store.ListWindowsAsync(Ct);

        windows.Select(w => w.Name).Should().Equal(names.Order(StringComparer.Ordinal), "14 windows of 200 KB take three pages");
        windows.Should().OnlyContain(w => w.Definition == big && w.Version == 1 && w.Clusters.Single() == $"pcs_{w.Name}");
    }

    [Fact]
    public async Task DeleteAWindowAndItsMemberships_AndSayFalseWhenItIsAbsent()
    {
        await Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_b"], 0, "alice", Ct);
        await Store.PutWindowAsync("weekly", Weekly, ["pcs_c"], 0, "alice", Ct);
        var weekly = (await SnapshotAsync()).Where(line => line.Contains("weekly", StringComparison.Ordinal)).ToList();

        (await Store.DeleteWindowAsync("nightly", 1, Ct)).Should().BeTrue();
        (await Store.DeleteWindowAsync("nightly", null, Ct)).Should().BeFalse();
        (await Store.DeleteWindowAsync("never", 3, Ct)).Should().BeFalse();

        (await Store.GetWindowAsync("nightly", Ct)).Should().BeNull();
        (await Store.WindowOfClusterAsync("pcs_a", Ct)).Should().BeNull();
        (await SnapshotAsync()).Should().Equal(weekly, "only the other window and its membership remain");
        await Store.PutWindowAsync("monthly", Weekly, ["pcs_a"], 0, "bob", Ct);
        (await Store.WindowOfClusterAsync("pcs_a", Ct)).Should().Be("monthly", "a deleted window's clusters are free");
    }

    [Fact]
    public async Task ReplaceFortyClustersWithFortyOthers_InOneChange()
    {
        var first = Enumerable.Range(0, 40).Select(i => $"pcs_a{i}").ToList();
        var second = Enumerable.Range(0, 40).Select(i => $"pcs_b{i}").ToList();

        await Store.PutWindowAsync("big", Nightly, first, 0, null, Ct);
        var replaced = await Store.PutWindowAsync("big", Nightly, second, 1, null, Ct);

        replaced.Clusters.Should().Equal(second);
        (await KeysAsync()).Should().Equal(second.Select(c => $"cluster#{c}|window").Append("windows|window#big").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task KeepAWindowWithoutClusters()
    {
        var empty = await Store.PutWindowAsync("spare", Nightly, [], 0, null, Ct);

        (await Store.GetWindowAsync("spare", Ct)).Should().BeEquivalentTo(empty);
        empty.Clusters.Should().BeEmpty();
        (await KeysAsync()).Should().Equal("windows|window#spare");
    }

    [Theory]
    [InlineData("")]
    [InlineData("night ly")]
    [InlineData("nächtlich")]
    [InlineData("a/b")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task RefuseAnInvalidWindowName(string name)
    {
        var put = () => Store.PutWindowAsync(name, Nightly, ["pcs_a"], null, null, Ct);

        (await put.Should().ThrowAsync<ArgumentException>()).WithMessage("window name '*' must be 1 to 64 characters of 0-9, a-z, A-Z, '-', '_' and '.'*");
        (await SnapshotAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task RefuseTooManyEmptyOrRepeatedClusters_BeforeWritingAnything()
    {
        var tooMany = () => Store.PutWindowAsync("nightly", Nightly, [.. Enumerable.Range(0, 41).Select(i => $"pcs_{i}")], null, null, Ct);
        var empty = () => Store.PutWindowAsync("nightly", Nightly, ["pcs_a", ""], null, null, Ct);
        var repeated = () => Store.PutWindowAsync("nightly", Nightly, ["pcs_a", "pcs_a"], null, null, Ct);
        var longest = await Store.PutWindowAsync(new string('n', 64), Nightly, ["pcs_a"], null, null, Ct);

        (await tooMany.Should().ThrowAsync<ArgumentException>()).WithMessage("window 'nightly' lists 41 clusters; at most 40 are allowed*");
        (await empty.Should().ThrowAsync<ArgumentException>()).WithMessage("cluster 1 of window 'nightly' is empty*");
        (await repeated.Should().ThrowAsync<ArgumentException>()).WithMessage("window 'nightly' lists cluster pcs_a twice*");
        longest.Version.Should().Be(1, "64 characters are allowed");
        (await KeysAsync()).Should().Equal("cluster#pcs_a|window", $"windows|window#{new string('n', 64)}");
    }

    [Fact]
    public async Task RoundTripTheDesiredState_AndNeverReplaceItWithAnOlderOne()
    {
        var at = Time.GetUtcNow();
        var first = new DesiredStateRecord("pcs_a", """{"scaleDownIdleTimeInSeconds":600}""", "exec-1", at);
        var later = new DesiredStateRecord("pcs_a", """{"scaleDownIdleTimeInSeconds":900}""", "exec-2", at.AddMinutes(30));
        var late = new DesiredStateRecord("pcs_a", """{"scaleDownIdleTimeInSeconds":300}""", "exec-0", at.AddTicks(1));

        (await Store.PutDesiredStateAsync(first, Ct)).Should().BeTrue();
        (await Store.GetDesiredStateAsync("pcs_a", Ct)).Should().Be(first);
        (await Store.PutDesiredStateAsync(later, Ct)).Should().BeTrue();
        (await Store.PutDesiredStateAsync(late, Ct)).Should().BeFalse("an older state arrived late");
        (await Store.PutDesiredStateAsync(later with { Configuration = "{}" }, Ct)).Should().BeTrue("the same time replaces (a retried write)");

        (await Store.GetDesiredStateAsync("pcs_a", Ct)).Should().Be(later with { Configuration = "{}" });
        (await Store.GetDesiredStateAsync("pcs_b", Ct)).Should().BeNull();
        (await SnapshotAsync()).Should().Equal("cluster#pcs_a|desired|at=2026-11-24T22:30:00.0000000+00:00;cluster=pcs_a;configuration={};executionId=exec-2");
    }
}
