using Amazon.DynamoDBv2.Model;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Persistence.Tests;

/// <summary>The per-cluster queue of changes in the maintenance table and its transitions.</summary>
[Trait("Category", "Integration")]
public sealed class QueuedChangesShould(DynamoDbLocal dynamo) : DynamoTest(dynamo)
{
    private const string Request = """{"clusterIdentifier":"pcs_a","slurmConfiguration":{"scaleDownIdleTimeInSeconds":900}}""";

    private MaintenanceStore Store => new(Dynamo, Tables.Maintenance, Time);

    private DateTimeOffset Start { get; } = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    private Task<List<string>> SnapshotAsync() => MaintenanceTable.SnapshotAsync(Dynamo, Tables.Maintenance, Ct);

    private QueuedChangeDraft Draft(string key, int minute = 0, string cluster = "pcs_a") =>
        new(cluster, key, Request, Start.AddMinutes(minute), "exec-submit") { RequestedBy = "alice", Reason = "CHG-1", Source = "cli", Window = "nightly" };

    private async Task<QueuedChange> PendingAsync(string key = "CHG-1", int minute = 0) => await Store.EnqueueAsync(Draft(key, minute), Ct);

    [Fact]
    public void MakeTheChangeIdFromTheSubmissionTicksAndTheKeysHash()
    {
        var at = new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.FromHours(1));

        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        MaintenanceStore.ChangeId(at, "abc").Should().Be("0639311544000000000-ba7816bf8f01cfea", "2026-11-24T22:00Z is 639311544000000000 ticks");
        MaintenanceStore.ChangeId(DateTimeOffset.MinValue.AddTicks(42), "abc").Should().Be("0000000000000000042-ba7816bf8f01cfea", "19 digits, zero-padded");
        MaintenanceStore.ChangeId(at.ToUniversalTime(), "abc").Should().Be(MaintenanceStore.ChangeId(at, "abc"), "the id uses UTC ticks");
        MaintenanceStore.ChangeId(at, "abd").Should().NotBe(MaintenanceStore.ChangeId(at, "abc"));
        string.CompareOrdinal(MaintenanceStore.ChangeId(at.AddTicks(1), "aaa"), MaintenanceStore.ChangeId(at, "zzz")).Should().BePositive("ids sort by submission first");
    }

    [Fact]
    public async Task EnqueueAPendingChange_WithEveryAttribute()
    {
        Time.Advance(TimeSpan.FromSeconds(3));

        var queued = await PendingAsync();

        var id = MaintenanceStore.ChangeId(Start, "CHG-1");
        queued.Should().Be(new QueuedChange("pcs_a", id, "CHG-1", QueuedChangeStatus.Pending, Request, Start, "exec-submit", "alice", "CHG-1", "cli", "nightly", 0, null, null, Start.AddSeconds(3), null));
        (await Store.GetChangeAsync("pcs_a", id, Ct)).Should().Be(queued);
        (await SnapshotAsync()).Should().Equal(
            $"cluster#pcs_a|change#{id}|attempts=0;changeId={id};cluster=pcs_a;key=CHG-1;reason=CHG-1;request={Request};requestedBy=alice;source=cli;status=pending;" +
            "submittedAt=2026-11-24T22:00:00.0000000+00:00;submittedBy=exec-submit;updatedAt=2026-11-24T22:00:03.0000000+00:00;window=nightly");
    }

    [Fact]
    public async Task TreatASecondEnqueueOfTheSameSubmissionAsANoOp_ReturningTheStoredChange()
    {
        var first = await PendingAsync();
        await Store.TakeAsync("pcs_a", first.ChangeId, "exec-1", Ct);
        var stored = await Store.GetChangeAsync("pcs_a", first.ChangeId, Ct);
        var before = await SnapshotAsync();
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await Store.EnqueueAsync(Draft("CHG-1") with { Request = "{}", SubmittedBy = "exec-retry" }, Ct);

        again.Should().Be(stored, "the stored change comes back as it is now, not as the retry described it");
        again.Status.Should().Be(QueuedChangeStatus.Applying);
        (await SnapshotAsync()).Should().Equal(before);
    }

    [Fact]
    public async Task RefuseAnotherKeyUnderAnExistingChangeId()
    {
        var id = MaintenanceStore.ChangeId(Start, "CHG-1");
        await Dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = Tables.Maintenance,
            Item = new()
            {
                ["pk"] = new AttributeValue { S = "cluster#pcs_a" }, ["sk"] = new AttributeValue { S = "change#" + id }, ["cluster"] = new AttributeValue { S = "pcs_a" },
                ["changeId"] = new AttributeValue { S = id }, ["key"] = new AttributeValue { S = "CHG-other" }, ["status"] = new AttributeValue { S = "pending" },
                ["request"] = new AttributeValue { S = "{}" }, ["submittedAt"] = new AttributeValue { S = "2026-11-24T22:00:00.0000000+00:00" },
                ["submittedBy"] = new AttributeValue { S = "exec-0" }, ["attempts"] = new AttributeValue { N = "0" }, ["updatedAt"] = new AttributeValue { S = "2026-11-24T22:00:00.0000000+00:00" },
            },
        }, Ct);
        var before = await SnapshotAsync();

        var conflict = await Assert.ThrowsAsync<ChangeIdConflictException>(() => PendingAsync());

        conflict.Message.Should().Be($"queued change {id} of cluster pcs_a already exists with another idempotency key ('CHG-other', not 'CHG-1')");
        (await SnapshotAsync()).Should().Equal(before);
    }

    [Fact]
    public async Task ListTheClustersChangesInSubmissionOrder_WhateverTheOrderTheyWereQueuedIn_AcrossPages()
    {
        var big = "{\"notes\":\"" + new string('r', 150_000) + "\"}";
        int[] minutes = [7, 1, 12, 3, 0, 9, 4, 11, 2, 8, 5, 10, 6];
        foreach (var minute in minutes)
        {
            await Store.EnqueueAsync(Draft($"CHG-{minute}", minute) with { Request = big }, Ct);
        }

        await Store.EnqueueAsync(Draft("CHG-elsewhere", 5, cluster: "pcs_b"), Ct);

        var listed = await Store.ListChangesAsync("pcs_a", null, Ct);

        listed.Select(c => c.Key).Should().Equal(minutes.Order().Select(m => $"CHG-{m}"), "13 changes of 150 KB take two pages");
        listed.Should().OnlyContain(c => c.Request == big && c.Cluster == "pcs_a");
        (await Store.ListChangesAsync("pcs_b", null, Ct)).Select(c => c.Key).Should().Equal("CHG-elsewhere");
        (await Store.ListChangesAsync("pcs_c", null, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task FilterTheListByStatus()
    {
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await PendingAsync($"CHG-{i}", i)).ChangeId);
        }

        await Store.TakeAsync("pcs_a", ids[1], "exec-1", Ct);
        await Store.TakeAsync("pcs_a", ids[2], "exec-1", Ct);
        await Store.CompleteAsync("pcs_a", ids[2], "exec-1", "applied in window nightly", Ct);
        await Store.CancelAsync("pcs_a", ids[3], "bob", "not needed", Ct);
        await Store.TakeAsync("pcs_a", ids[4], "exec-1", Ct);
        await Store.FailAsync("pcs_a", ids[4], "exec-1", "UpdateFailed: ValidationException", requeue: false, Ct);

        async Task<IEnumerable<string>> Keys(params QueuedChangeStatus[] statuses) => (await Store.ListChangesAsync("pcs_a", statuses, Ct)).Select(c => c.Key);

        (await Keys(QueuedChangeStatus.Pending)).Should().Equal("CHG-0", "CHG-5");
        (await Keys(QueuedChangeStatus.Applying)).Should().Equal("CHG-1");
        (await Keys(QueuedChangeStatus.Applied, QueuedChangeStatus.Cancelled, QueuedChangeStatus.Failed)).Should().Equal("CHG-2", "CHG-3", "CHG-4");
        (await Keys(QueuedChangeStatus.Pending, QueuedChangeStatus.Pending)).Should().Equal("CHG-0", "CHG-5");
        (await Keys()).Should().BeEmpty("an empty set of statuses matches none");
        (await Store.ListChangesAsync("pcs_a", null, Ct)).Should().HaveCount(6);
    }

    [Fact]
    public async Task FindAChangeByAPrefixOfItsIdOrByItsExactKey()
    {
        var one = await PendingAsync("CHG-1", 0);
        var ten = await PendingAsync("CHG-10", 1);
        var other = await PendingAsync("OPS-7", 2);

        (await Store.FindChangesAsync("pcs_a", "CHG-1", Ct)).Should().Equal(one);
        (await Store.FindChangesAsync("pcs_a", "CHG-10", Ct)).Should().Equal(ten);
        (await Store.FindChangesAsync("pcs_a", "CHG", Ct)).Should().BeEmpty("a key must match exactly");
        (await Store.FindChangesAsync("pcs_a", ten.ChangeId[..24], Ct)).Should().Equal(ten);
        (await Store.FindChangesAsync("pcs_a", ten.ChangeId[..9], Ct)).Should().Equal(one, ten, other);
        (await Store.FindChangesAsync("pcs_a", other.ChangeId, Ct)).Should().Equal(other);
        (await Store.FindChangesAsync("pcs_b", "CHG-1", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task TakeAPendingChange_AgainForTheSameHolder_ButNotForAnother()
    {
        var change = await PendingAsync();
        Time.Advance(TimeSpan.FromMinutes(1));

        var taken = await Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var retried = await Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var before = await SnapshotAsync();
        var other = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.TakeAsync("pcs_a", change.ChangeId, "exec-2", Ct));

        taken.Should().Be(change with { Status = QueuedChangeStatus.Applying, Holder = "exec-1", UpdatedAt = Start.AddMinutes(1) });
        retried.Should().Be(taken);
        other.Found.Should().Be(taken);
        other.Transition.Should().Be("take");
        other.InnerException.Should().BeOfType<Amazon.DynamoDBv2.Model.ConditionalCheckFailedException>();
        other.Message.Should().Be($"cannot take queued change {change.ChangeId} of cluster pcs_a as exec-2: it is applying (holder exec-1)");
        (await SnapshotAsync()).Should().Equal(before);
    }

    [Fact]
    public async Task CompleteOnlyForTheHolder_WithTheOutcomeAndTheTtl()
    {
        var change = await PendingAsync();
        var taken = await Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var before = await SnapshotAsync();
        var byOther = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.CompleteAsync("pcs_a", change.ChangeId, "exec-2", "applied", Ct));
        (await SnapshotAsync()).Should().Equal(before);
        Time.Advance(TimeSpan.FromMinutes(10));

        var applied = await Store.CompleteAsync("pcs_a", change.ChangeId, "exec-1", "applied in window nightly", Ct);
        var twice = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.CompleteAsync("pcs_a", change.ChangeId, "exec-1", "applied again", Ct));
        var takeAfter = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct));

        byOther.Found.Should().Be(taken);
        applied.Should().Be(taken with
        {
            Status = QueuedChangeStatus.Applied, Outcome = "applied in window nightly", UpdatedAt = Start.AddMinutes(10), ExpiresAt = Start.AddMinutes(10).AddDays(90),
        });
        (await Store.GetChangeAsync("pcs_a", change.ChangeId, Ct)).Should().Be(applied);
        twice.Found.Should().Be(applied, "a retry can tell from the change as found that it already completed it");
        twice.Message.Should().EndWith("as exec-1: it is applied (holder exec-1)");
        takeAfter.Found!.Status.Should().Be(QueuedChangeStatus.Applied);
    }

    [Fact]
    public async Task ReleaseOnlyForTheHolder_BackToPendingWithoutAHolderOrAnAttempt()
    {
        var change = await PendingAsync();
        await Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var before = await SnapshotAsync();

        var byOther = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.ReleaseAsync("pcs_a", change.ChangeId, "exec-2", Ct));
        (await SnapshotAsync()).Should().Equal(before);
        var released = await Store.ReleaseAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var again = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.ReleaseAsync("pcs_a", change.ChangeId, "exec-1", Ct));
        var next = await Store.TakeAsync("pcs_a", change.ChangeId, "exec-2", Ct);

        byOther.Message.Should().EndWith("as exec-2: it is applying (holder exec-1)");
        released.Should().Be(change, "pending, no holder, attempts 0 (the clock did not move)");
        again.Message.Should().EndWith("as exec-1: it is pending (no holder)");
        next.Holder.Should().Be("exec-2");
    }

    [Fact]
    public async Task FailOnlyForTheHolder_CountingTheAttempt_AndRequeueWithoutHolderOrTtl()
    {
        var change = await PendingAsync();
        await Store.TakeAsync("pcs_a", change.ChangeId, "exec-1", Ct);
        var before = await SnapshotAsync();
        var byOther = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.FailAsync("pcs_a", change.ChangeId, "exec-2", "no", requeue: true, Ct));
        (await SnapshotAsync()).Should().Equal(before);
        await Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Tables.Maintenance,
            Key = new() { ["pk"] = new AttributeValue { S = "cluster#pcs_a" }, ["sk"] = new AttributeValue { S = "change#" + change.ChangeId } },
            UpdateExpression = "SET #ttl = :ttl",
            ExpressionAttributeNames = new() { ["#ttl"] = "ttl" },
            ExpressionAttributeValues = new() { [":ttl"] = new AttributeValue { N = "1800000000" } },
        }, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));

        var requeued = await Store.FailAsync("pcs_a", change.ChangeId, "exec-1", "the window closed before the update finished", requeue: true, Ct);
        await Store.TakeAsync("pcs_a", change.ChangeId, "exec-2", Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        var failed = await Store.FailAsync("pcs_a", change.ChangeId, "exec-2", "UpdateFailed: slurmCustomSettings refused", requeue: false, Ct);
        var failAgain = await Assert.ThrowsAsync<QueuedChangeStateException>(() => Store.FailAsync("pcs_a", change.ChangeId, "exec-2", "again", requeue: true, Ct));

        byOther.Transition.Should().Be("requeue");
        requeued.Should().Be(change with { Attempts = 1, Outcome = "the window closed before the update finished", UpdatedAt = Start.AddMinutes(1) }, "pending, no holder, no ttl");
        failed.Should().Be(change with
        {
            Status = QueuedChangeStatus.Failed, Attempts = 2, Holder = "exec-2", Outcome = "UpdateFailed: slurmCustomSettings refused",
            UpdatedAt = Start.AddMinutes(2), ExpiresAt = Start.AddMinutes(2).AddDays(90),
        });
        failAgain.Found.Should().Be(failed);
    }

    [Fact]
    public async Task CancelOnlyAPendingChange_NamingWhoCancelledItAndWhy()
    {
        var pending = await PendingAsync("CHG-1", 0);
        var applying = await PendingAsync("CHG-2", 1);
        await Store.TakeAsync("pcs_a", applying.ChangeId, "exec-1", Ct);
        var store = new MaintenanceStore(Dynamo, Tables.Maintenance, Time) { Retention = TimeSpan.FromDays(7) };
        Time.Advance(TimeSpan.FromMinutes(3));
        var before = await SnapshotAsync();

        var refused = await Assert.ThrowsAsync<QueuedChangeStateException>(() => store.CancelAsync("pcs_a", applying.ChangeId, "bob", "wrong value", Ct));
        var absent = await Assert.ThrowsAsync<QueuedChangeStateException>(() => store.CancelAsync("pcs_a", "0000000000000000000-0000000000000000", "bob", null, Ct));
        (await SnapshotAsync()).Should().Equal(before);
        var cancelled = await store.CancelAsync("pcs_a", pending.ChangeId, "bob", "wrong value", Ct);
        var twice = await Assert.ThrowsAsync<QueuedChangeStateException>(() => store.CancelAsync("pcs_a", pending.ChangeId, "carol", null, Ct));

        refused.Message.Should().Be($"cannot cancel queued change {applying.ChangeId} of cluster pcs_a as bob: it is applying (holder exec-1)");
        refused.Found!.Holder.Should().Be("exec-1");
        absent.Found.Should().BeNull();
        absent.Message.Should().EndWith("as bob: it does not exist");
        cancelled.Should().Be(pending with
        {
            Status = QueuedChangeStatus.Cancelled, Outcome = "cancelled by bob: wrong value", UpdatedAt = Start.AddMinutes(3), ExpiresAt = Start.AddMinutes(3).AddDays(7),
        });
        twice.Found.Should().Be(cancelled);
        (await store.CancelAsync("pcs_a", (await PendingAsync("CHG-3", 2)).ChangeId, "carol", null, Ct)).Outcome.Should().Be("cancelled by carol");
    }

    [Fact]
    public async Task LetExactlyOneOfACancelAndATakeRacingOnTheSameChangeWin()
    {
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await PendingAsync($"CHG-{i}", i)).ChangeId);
        }

        var races = await Task.WhenAll(ids.Select(async id =>
        {
            var take = Outcome(() => Store.TakeAsync("pcs_a", id, "exec-1", Ct));
            var cancel = Outcome(() => Store.CancelAsync("pcs_a", id, "bob", "changed my mind", Ct));
            return (Id: id, Take: await take, Cancel: await cancel);
        }));

        foreach (var (id, take, cancel) in races)
        {
            (take.Won ^ cancel.Won).Should().BeTrue($"exactly one of take and cancel wins on {id}");
            var stored = await Store.GetChangeAsync("pcs_a", id, Ct);
            stored!.Status.Should().Be(take.Won ? QueuedChangeStatus.Applying : QueuedChangeStatus.Cancelled);
            (take.Won ? cancel.Found : take.Found).Should().Be(stored, "the loser was shown the winner's change");
        }
    }

    [Fact]
    public async Task BuildTransitionsAsTransactionItems_ThatRefuseAsTheAwaitedCallsDo()
    {
        var change = await PendingAsync();

        await Dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = [Store.TakeWrite("pcs_a", change.ChangeId, "exec-1")] }, Ct);
        var refused = await Assert.ThrowsAsync<TransactionCanceledException>(() =>
            Dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = [Store.CancelWrite("pcs_a", change.ChangeId, "bob", null)] }, Ct));

        (await Store.GetChangeAsync("pcs_a", change.ChangeId, Ct))!.Holder.Should().Be("exec-1");
        refused.CancellationReasons.Single().Code.Should().Be("ConditionalCheckFailed");
        MaintenanceStore.ParseChange(refused.CancellationReasons.Single().Item)!.Status.Should().Be(QueuedChangeStatus.Applying, "the item as found comes back");
        new[] { Store.ReleaseWrite("pcs_a", "x", "h"), Store.CompleteWrite("pcs_a", "x", "h", "o"), Store.FailWrite("pcs_a", "x", "h", "o", true), Store.FailWrite("pcs_a", "x", "h", "o", false) }
            .Should().OnlyContain(w => w.Update != null && w.Update.TableName == Tables.Maintenance && w.Update.ReturnValuesOnConditionCheckFailure == Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    private static async Task<(bool Won, QueuedChange? Found)> Outcome(Func<Task<QueuedChange>> transition)
    {
        try
        {
            await transition();
            return (true, null);
        }
        catch (QueuedChangeStateException refused)
        {
            return (false, refused.Found);
        }
    }
}
