using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Persistence.Tests;

[Trait("Category", "Integration")]
public sealed class ClusterLockShould(DynamoDbLocal dynamo) : DynamoTest(dynamo)
{
    private ClusterLock Lock => new(Dynamo, Tables.Lock, Time);

    [Fact]
    public async Task LetOneOf20ContendingOwnersHoldIt_ThenTheNextWithAHigherFence()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Lock.AcquireAsync("pcs_one", $"exec-{i}", TimeSpan.FromMinutes(15), Ct)));

        var winner = attempts.Should().ContainSingle(a => a.Acquired).Which;
        attempts.Where(a => !a.Acquired).Should().OnlyContain(a => a.HeldBy == winner.Lease!.Owner);
        winner.Lease!.FencingToken.Should().Be(1);

        (await Lock.ReleaseAsync("pcs_one", "exec-nobody", Ct)).Should().BeFalse("only the owner releases");
        (await Lock.ReleaseAsync("pcs_one", winner.Lease.Owner, Ct)).Should().BeTrue();
        var loser = attempts.First(a => !a.Acquired);
        var next = await Lock.AcquireAsync("pcs_one", "exec-next", TimeSpan.FromMinutes(15), Ct);
        next.Acquired.Should().BeTrue();
        next.Lease!.FencingToken.Should().Be(2, "every acquisition increments the fence, release does not reset it");
        loser.Acquired.Should().BeFalse();
    }

    [Fact]
    public async Task BeReacquiredIdempotentlyByItsOwner()
    {
        var first = await Lock.AcquireAsync("pcs_two", "exec-1", TimeSpan.FromMinutes(15), Ct);
        var again = await Lock.AcquireAsync("pcs_two", "exec-1", TimeSpan.FromMinutes(15), Ct);

        again.Acquired.Should().BeTrue();
        again.Lease!.FencingToken.Should().Be(first.Lease!.FencingToken);
    }

    [Fact]
    public async Task BeTakenOverAfterTheLeaseExpires_AndRefuseTheStaleOwnersGuardedWrite()
    {
        var audit = new AuditLog(Dynamo, Tables.Audit, Time);
        var stale = (await Lock.AcquireAsync("pcs_three", "exec-old", TimeSpan.FromMinutes(15), Ct)).Lease!;
        await audit.AppendAsync(new AuditDraft("pcs_three", "requested", "exec-old"), Ct, (Lock, stale.Owner, stale.FencingToken));

        Time.Advance(TimeSpan.FromMinutes(16));
        var fresh = await Lock.AcquireAsync("pcs_three", "exec-new", TimeSpan.FromMinutes(15), Ct);

        fresh.Acquired.Should().BeTrue();
        fresh.Lease!.FencingToken.Should().Be(stale.FencingToken + 1);
        var staleWrite = () => audit.AppendAsync(new AuditDraft("pcs_three", "update-started", "exec-old"), Ct, (Lock, stale.Owner, stale.FencingToken));
        await staleWrite.Should().ThrowAsync<LockLostException>();
        var staleRenew = () => Lock.RenewAsync("pcs_three", stale.Owner, stale.FencingToken, TimeSpan.FromMinutes(15), Ct);
        await staleRenew.Should().ThrowAsync<LockLostException>();
        (await audit.QueryAsync("pcs_three", 10, null, Ct)).Entries.Select(e => e.ExecutionId).Should().Equal("exec-old");
        await audit.AppendAsync(new AuditDraft("pcs_three", "requested", "exec-new"), Ct, (Lock, "exec-new", fresh.Lease.FencingToken));
    }
}
