using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Persistence.Tests;

[Trait("Category", "Integration")]
public sealed class IdempotencyStoreShould(DynamoDbLocal dynamo) : DynamoTest(dynamo)
{
    private IdempotencyStore Store => new(Dynamo, Tables.Idempotency, Time);

    private DateTimeOffset ClaimUntil => Time.GetUtcNow().AddHours(1);

    [Fact]
    public async Task LetExactlyOneOf50ParallelClaimsWin()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                return (await Store.ClaimAsync("key-1", "hash-a", $"exec-{i}", "token-0001", ClaimUntil, Ct)).Kind.ToString();
            }
            catch (IdempotencyInProgressException)
            {
                return "in-progress";
            }
        }));

        outcomes.Count(o => o == nameof(ClaimResultKind.Claimed)).Should().Be(1);
        outcomes.Count(o => o == "in-progress").Should().Be(49);
    }

    [Fact]
    public async Task ReturnTheStoredResult_ForACompletedKey()
    {
        await Store.ClaimAsync("key-2", "hash-a", "exec-1", "token-0001", ClaimUntil, Ct);
        await Store.CompleteAsync("key-2", "exec-1", """{"outcome":"succeeded"}""", Ct);

        var again = await Store.ClaimAsync("key-2", "hash-a", "exec-2", "token-0001", ClaimUntil, Ct);

        again.Kind.Should().Be(ClaimResultKind.Completed);
        again.Record.Result.Should().Be("""{"outcome":"succeeded"}""");
        again.Record.Owner.Should().Be("exec-1");
    }

    [Fact]
    public async Task RefuseTheSameKeyWithADifferentPayload()
    {
        await Store.ClaimAsync("key-3", "hash-a", "exec-1", "token-0001", ClaimUntil, Ct);

        var act = () => Store.ClaimAsync("key-3", "hash-b", "exec-2", "token-0001", ClaimUntil, Ct);

        await act.Should().ThrowAsync<IdempotencyKeyReusedException>();
    }

    [Fact]
    public async Task TakeOverAnInProgressClaimPastItsExpiry()
    {
        await Store.ClaimAsync("key-4", "hash-a", "exec-1", "token-0001", Time.GetUtcNow().AddMinutes(10), Ct);
        var early = () => Store.ClaimAsync("key-4", "hash-a", "exec-2", "token-0001", ClaimUntil, Ct);
        (await early.Should().ThrowAsync<IdempotencyInProgressException>()).Which.Owner.Should().Be("exec-1");

        Time.Advance(TimeSpan.FromMinutes(11));
        var late = await Store.ClaimAsync("key-4", "hash-a", "exec-2", "token-0001", ClaimUntil, Ct);

        late.Kind.Should().Be(ClaimResultKind.Claimed);
        (await Store.GetAsync("key-4", Ct))!.Owner.Should().Be("exec-2");
        var stale = () => Store.CompleteAsync("key-4", "exec-1", "{}", Ct);
        await stale.Should().ThrowAsync<OwnershipLostException>("the first owner lost the key");
    }

    [Fact]
    public async Task LeaveAFailedKeyReclaimable_AndLetTheSameOwnerClaimAgain()
    {
        await Store.ClaimAsync("key-5", "hash-a", "exec-1", "token-0001", ClaimUntil, Ct);
        (await Store.ClaimAsync("key-5", "hash-a", "exec-1", "token-0001", ClaimUntil, Ct)).Kind.Should().Be(ClaimResultKind.Claimed, "a retried step of the same execution");
        await Store.FailAsync("key-5", "exec-1", "UpdateFailed", Ct);

        var retry = await Store.ClaimAsync("key-5", "hash-a", "exec-2", "token-0001", ClaimUntil, Ct);

        retry.Kind.Should().Be(ClaimResultKind.Claimed);
    }

    [Fact]
    public async Task TreatARecordPastItsTtlAsAbsent()
    {
        await Store.ClaimAsync("key-6", "hash-a", "exec-1", "token-0001", ClaimUntil, Ct);
        await Store.CompleteAsync("key-6", "exec-1", "{}", Ct);
        Time.Advance(TimeSpan.FromDays(8));

        (await Store.ClaimAsync("key-6", "hash-b", "exec-2", "token-0001", ClaimUntil, Ct)).Kind.Should().Be(ClaimResultKind.Claimed);
    }
}

public sealed class IdempotencyRulesShould
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    private static IdempotencyRecord Record(IdempotencyStatus status, string owner = "a", string hash = "h", int claimMinutes = 10, int ttlDays = 7) =>
        new("k", status, owner, "token-0001", hash, "{}", Now, Now, Now.AddMinutes(claimMinutes), Now.AddDays(ttlDays));

    [Theory]
    [InlineData(IdempotencyStatus.Failed, "b", "h", 10, 7, true)]
    [InlineData(IdempotencyStatus.Failed, "b", "x", 10, 7, false)]
    [InlineData(IdempotencyStatus.InProgress, "a", "h", 10, 7, true)]
    [InlineData(IdempotencyStatus.InProgress, "b", "h", 10, 7, false)]
    [InlineData(IdempotencyStatus.InProgress, "b", "h", -1, 7, true)]
    [InlineData(IdempotencyStatus.Completed, "b", "h", 10, 7, false)]
    [InlineData(IdempotencyStatus.Completed, "b", "x", 10, -1, true)]
    public void DecideWhetherAClaimMayReplaceARecord(IdempotencyStatus status, string owner, string hash, int claimMinutes, int ttlDays, bool claimable) =>
        IdempotencyRules.Claimable(Record(status, claimMinutes: claimMinutes, ttlDays: ttlDays), owner, hash, Now).Should().Be(claimable);

    [Fact]
    public void ExplainARefusal()
    {
        IdempotencyRules.Refused(Record(IdempotencyStatus.Completed), "h").Kind.Should().Be(ClaimResultKind.Completed);
        ((Action)(() => IdempotencyRules.Refused(Record(IdempotencyStatus.InProgress), "h"))).Should().Throw<IdempotencyInProgressException>();
        ((Action)(() => IdempotencyRules.Refused(Record(IdempotencyStatus.Completed), "other"))).Should().Throw<IdempotencyKeyReusedException>();
    }
}
