using System.Text;
using Amazon.DynamoDBv2.Model;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Persistence.Tests;

[Trait("Category", "Integration")]
public sealed class AuditLogShould(DynamoDbLocal dynamo) : DynamoTest(dynamo)
{
    private AuditLog Log => new(Dynamo, Tables.Audit, Time);

    private async Task AppendAsync(string cluster, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Log.AppendAsync(new AuditDraft(cluster, i % 2 == 0 ? "waiting" : "requested", $"exec-{i % 3}") { Details = $$"""{"n":{{i}}}""", Actor = "alice" }, Ct);
        }
    }

    [Fact]
    public async Task VerifyAnIntactChain()
    {
        await AppendAsync("pcs_a", 12);

        var result = await Log.VerifyAsync("pcs_a", Ct);

        result.Should().Be(new AuditVerification(true, 12, null, null));
    }

    [Fact]
    public async Task ChainOntoTheExpectedHead_AndFallBackToReading_WhenAnotherWriterMovedIt()
    {
        var first = await Log.AppendAsync(new AuditDraft("pcs_head", "requested", "exec-1"), Ct);
        var second = await Log.AppendAsync(new AuditDraft("pcs_head", "planned", "exec-1"), Ct, expected: new AuditHead(first.Sequence, first.Hash));
        await Log.AppendAsync(new AuditDraft("pcs_head", "duplicate", "exec-2"), Ct);

        var stale = await Log.AppendAsync(new AuditDraft("pcs_head", "update-started", "exec-1"), Ct, expected: new AuditHead(second.Sequence, second.Hash));
        var forged = await Log.AppendAsync(new AuditDraft("pcs_head", "succeeded", "exec-1"), Ct, expected: new AuditHead(stale.Sequence, AuditLog.Genesis));

        second.Sequence.Should().Be(2);
        second.PreviousHash.Should().Be(first.Hash);
        stale.Sequence.Should().Be(4, "the head another writer moved was read again");
        forged.Sequence.Should().Be(5, "a head with the right sequence but another hash is not trusted either");
        forged.PreviousHash.Should().Be(stale.Hash);
        (await Log.VerifyAsync("pcs_head", Ct)).Should().Be(new AuditVerification(true, 5, null, null));
    }

    [Fact]
    public async Task DetectAModifiedEntry()
    {
        await AppendAsync("pcs_b", 6);
        await Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Tables.Audit,
            Key = new() { ["pk"] = new AttributeValue { S = AuditLog.Partition("pcs_b") }, ["sk"] = new AttributeValue { S = AuditLog.SortKeyOf(3) } },
            UpdateExpression = "SET actor = :mallory",
            ExpressionAttributeValues = new() { [":mallory"] = new AttributeValue { S = "mallory" } },
        }, Ct);

        var result = await Log.VerifyAsync("pcs_b", Ct);

        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(3);
        result.Problem.Should().Contain("modified");
    }

    [Fact]
    public async Task DetectADeletedEntry_InTheMiddleAndAtTheEnd()
    {
        await AppendAsync("pcs_c", 6);
        await Delete("pcs_c", 4);
        var middle = await Log.VerifyAsync("pcs_c", Ct);
        await AppendAsync("pcs_d", 3);
        await Delete("pcs_d", 3);
        var end = await Log.VerifyAsync("pcs_d", Ct);

        middle.Should().Match<AuditVerification>(v => !v.Intact && v.BrokenAt == 4 && v.Problem!.Contains("missing"));
        end.Should().Match<AuditVerification>(v => !v.Intact && v.Problem!.Contains("deleted"));
    }

    [Fact]
    public async Task DetectReorderedEntries()
    {
        await AppendAsync("pcs_e", 5);
        var two = await Get("pcs_e", 2);
        var three = await Get("pcs_e", 3);
        (two["sk"], three["sk"]) = (three["sk"], two["sk"]);
        (two["seq"], three["seq"]) = (three["seq"], two["seq"]);
        await Dynamo.PutItemAsync(new PutItemRequest { TableName = Tables.Audit, Item = two }, Ct);
        await Dynamo.PutItemAsync(new PutItemRequest { TableName = Tables.Audit, Item = three }, Ct);

        var result = await Log.VerifyAsync("pcs_e", Ct);

        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
    }

    [Fact]
    public async Task ReturnEveryEntryExactlyOnce_NewestFirst_AcrossPages()
    {
        await AppendAsync("pcs_f", 23);
        var seen = new List<long>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Log.QueryAsync("pcs_f", 5, token, Ct);
            seen.AddRange(page.Entries.Select(e => e.Sequence));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        seen.Should().Equal(Enumerable.Range(1, 23).Reverse().Select(i => (long)i));
        pages.Should().Be(5);
    }

    [Fact]
    public async Task FindTheNewestEntriesOfOneType_AmongManyOthers_WithinTheEvaluationLimit()
    {
        for (var update = 1; update <= 6; update++)
        {
            for (var other = 0; other < 40; other++)
            {
                await Log.AppendAsync(new AuditDraft("pcs_w", "applied", "exec-" + update) { Details = "{}" }, Ct);
            }

            await Log.AppendAsync(new AuditDraft("pcs_w", "succeeded", "exec-" + update) { Details = $$"""{"durationSeconds":{{update}}}""" }, Ct);
        }

        var newest = await Log.RecentOfTypeAsync("pcs_w", "succeeded", 4, 1000, Ct);
        var limited = await Log.RecentOfTypeAsync("pcs_w", "succeeded", 4, 100, Ct);

        newest.Select(e => e.ExecutionId).Should().Equal("exec-6", "exec-5", "exec-4", "exec-3");
        limited.Select(e => e.ExecutionId).Should().Equal(["exec-6", "exec-5", "exec-4"], "the newest 100 entries hold three of them");
        newest.Should().OnlyContain(e => e.EventType == "succeeded");
    }

    [Fact]
    public async Task FilterByTimeRange()
    {
        await AppendAsync("pcs_g", 10);
        var start = new DateTimeOffset(2026, 11, 24, 22, 0, 3, TimeSpan.Zero);

        var page = await Log.QueryAsync("pcs_g", 100, null, Ct, from: start, to: start.AddSeconds(2));

        page.Entries.Select(e => e.Sequence).Should().Equal(5L, 4L, 3L);
    }

    [Fact]
    public async Task KeepOneChain_WhenManyWritersAppendAtOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Log.AppendAsync(new AuditDraft("pcs_h", "requested", $"exec-{i}"), Ct)));

        (await Log.VerifyAsync("pcs_h", Ct)).Should().Be(new AuditVerification(true, 12, null, null));
        (await Log.QueryAsync("pcs_h", 100, null, Ct)).Entries.Select(e => e.ExecutionId).Should().OnlyHaveUniqueItems().And.HaveCount(12);
    }

    [Fact]
    public async Task StoreAMegabyteOfDetails_UnderTheItemLimit_AndReadThemBackIntact()
    {
        var random = new Random(5);
        var settings = new StringBuilder("{\"before\":[");
        for (var i = 0; i < 12000; i++)
        {
            settings.Append($$"""{"parameterName":"Setting{{i}}","parameterValue":"{{Convert.ToBase64String(RandomBytes(random))}}"},""");
        }

        var details = settings.Append("{}]}").ToString();
        details.Length.Should().BeGreaterThan(1_000_000);

        await Log.AppendAsync(new AuditDraft("pcs_i", "succeeded", "exec-big") { Details = details }, Ct);
        await Log.AppendAsync(new AuditDraft("pcs_i", "requested", "exec-next"), Ct);

        var entries = (await Log.QueryAsync("pcs_i", 10, null, Ct)).Entries;
        entries.Select(e => e.Sequence).Should().Equal(2L, 1L);
        entries[1].Details.Should().Be(details);
        (await Log.VerifyAsync("pcs_i", Ct)).Intact.Should().BeTrue();
        var scan = await Dynamo.ScanAsync(new ScanRequest { TableName = Tables.Audit }, Ct);
        var sizes = scan.Items.Select(i => i.Values.Sum(v => (v.S?.Length ?? 0) + (int)(v.B?.Length ?? 0))).ToList();
        sizes.Should().OnlyContain(size => size < 400_000);
        sizes.Count.Should().BeGreaterThan(3, "the large details were split into part items");
    }

    [Fact]
    public async Task FindOneExecutionsEntries_ThroughTheIndex()
    {
        await Log.AppendAsync(new AuditDraft("pcs_j", "requested", "exec-x"), Ct);
        await Log.AppendAsync(new AuditDraft("pcs_j", "requested", "exec-y"), Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        await Log.AppendAsync(new AuditDraft("pcs_j", "succeeded", "exec-x"), Ct);

        var entries = await Log.QueryExecutionAsync("exec-x", Ct);

        entries.Select(e => (e.Sequence, e.EventType)).Should().Equal((1L, "requested"), (3L, "succeeded"));
    }

    [Fact]
    public void HashTheCanonicalContent_SoAnyFieldChangeChangesIt()
    {
        var entry = new AuditEntry("pcs_a", 1, new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero), "requested", "exec", "key", "cli", "alice", "why", "{}", AuditLog.Genesis, string.Empty);
        var hash = AuditLog.ComputeHash(entry);

        hash.Should().MatchRegex("^[0-9a-f]{64}$").And.Be(AuditLog.ComputeHash(entry with { }));
        new[]
        {
            entry with { Actor = "bob" }, entry with { Sequence = 2 }, entry with { Details = "{ }" }, entry with { PreviousHash = hash },
            entry with { At = entry.At.AddTicks(1) }, entry with { Reason = null }, entry with { EventType = "failed" },
        }.Select(AuditLog.ComputeHash).Should().NotContain(hash).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task CommitAnEntryAndItsCompanionTogether()
    {
        var store = new MaintenanceStore(Dynamo, Tables.Maintenance, Time);
        var change = await store.EnqueueAsync(new QueuedChangeDraft("pcs_k", "CHG-1", "{}", Time.GetUtcNow(), "exec-0"), Ct);
        await store.TakeAsync("pcs_k", change.ChangeId, "exec-1", Ct);

        var entry = await Log.AppendAsync(new AuditDraft("pcs_k", "succeeded", "exec-1"), Ct, companions: [store.CompleteWrite("pcs_k", change.ChangeId, "exec-1", "applied in window nightly")]);

        entry.Sequence.Should().Be(1);
        (await store.GetChangeAsync("pcs_k", change.ChangeId, Ct))!.Should().Match<QueuedChange>(c => c.Status == QueuedChangeStatus.Applied && c.Outcome == "applied in window nightly");
        (await Log.QueryAsync("pcs_k", 10, null, Ct)).Entries.Should().ContainSingle().Which.EventType.Should().Be("succeeded");
        (await Log.VerifyAsync("pcs_k", Ct)).Should().Be(new AuditVerification(true, 1, null, null));
    }

    [Fact]
    public async Task WriteNeitherTheEntryNorAnyCompanion_WhenACompanionsConditionFails()
    {
        var store = new MaintenanceStore(Dynamo, Tables.Maintenance, Time);
        var change = await store.EnqueueAsync(new QueuedChangeDraft("pcs_l", "CHG-1", "{}", Time.GetUtcNow(), "exec-0"), Ct);
        var first = await Log.AppendAsync(new AuditDraft("pcs_l", "requested", "exec-1"), Ct);
        var maintenance = await MaintenanceTable.SnapshotAsync(Dynamo, Tables.Maintenance, Ct);
        var unrelated = new TransactWriteItem
        {
            Put = new Put
            {
                TableName = Tables.Maintenance,
                Item = new() { ["pk"] = new AttributeValue { S = "cluster#pcs_l" }, ["sk"] = new AttributeValue { S = "note" } },
                ConditionExpression = "attribute_not_exists(pk)",
            },
        };

        var complete = store.CompleteWrite("pcs_l", change.ChangeId, "exec-1", "applied");
        complete.Update.ReturnValuesOnConditionCheckFailure = null;

        var refused = await Assert.ThrowsAsync<CompanionConditionFailedException>(() =>
            Log.AppendAsync(new AuditDraft("pcs_l", "succeeded", "exec-1"), Ct, expected: new AuditHead(first.Sequence, first.Hash), companions: [unrelated, complete]));

        refused.Index.Should().Be(1);
        refused.Message.Should().Be("nothing was written, neither the audit entry for cluster pcs_l nor its companions: the condition of companion 1 failed (the item it found is in Item)");
        MaintenanceStore.ParseChange(refused.Item).Should().Be(change, "the append asked for the item as found: still pending, never taken");
        complete.Update.ReturnValuesOnConditionCheckFailure.Should().BeNull("the caller's companion was not modified");
        refused.InnerException.Should().BeOfType<TransactionCanceledException>();
        (await Log.QueryAsync("pcs_l", 10, null, Ct)).Entries.Select(e => e.Sequence).Should().Equal(1L);
        (await Log.VerifyAsync("pcs_l", Ct)).Should().Be(new AuditVerification(true, 1, null, null), "the head did not move");
        (await Get("pcs_l", "head"))["seq"].N.Should().Be("1");
        (await MaintenanceTable.SnapshotAsync(Dynamo, Tables.Maintenance, Ct)).Should().Equal(maintenance, "the other companion was not written either");
        (await Log.AppendAsync(new AuditDraft("pcs_l", "failed", "exec-1"), Ct, expected: new AuditHead(first.Sequence, first.Hash))).Sequence.Should().Be(2);
    }

    [Fact]
    public async Task ReportALostLockBeforeAFailedCompanion()
    {
        var store = new MaintenanceStore(Dynamo, Tables.Maintenance, Time);
        var locks = new ClusterLock(Dynamo, Tables.Lock, Time);
        var lease = (await locks.AcquireAsync("pcs_m", "exec-1", TimeSpan.FromMinutes(15), Ct)).Lease!;

        var append = () => Log.AppendAsync(new AuditDraft("pcs_m", "succeeded", "exec-1"), Ct, (locks, "exec-1", lease.FencingToken + 1), companions: [store.CompleteWrite("pcs_m", "absent", "exec-1", "applied")]);

        await append.Should().ThrowAsync<LockLostException>();
        (await Log.QueryAsync("pcs_m", 10, null, Ct)).Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task KeepItsCompanions_WhenAMovedHeadMakesItRetry()
    {
        var store = new MaintenanceStore(Dynamo, Tables.Maintenance, Time);
        var change = await store.EnqueueAsync(new QueuedChangeDraft("pcs_n", "CHG-1", "{}", Time.GetUtcNow(), "exec-0"), Ct);
        await store.TakeAsync("pcs_n", change.ChangeId, "exec-1", Ct);
        var mine = await Log.AppendAsync(new AuditDraft("pcs_n", "update-started", "exec-1"), Ct);
        await Log.AppendAsync(new AuditDraft("pcs_n", "duplicate", "exec-2"), Ct);

        var entry = await Log.AppendAsync(new AuditDraft("pcs_n", "succeeded", "exec-1"), Ct, expected: new AuditHead(mine.Sequence, mine.Hash), companions: [store.CompleteWrite("pcs_n", change.ChangeId, "exec-1", "applied")]);

        entry.Sequence.Should().Be(3, "the first attempt chained onto a head that had moved");
        (await store.GetChangeAsync("pcs_n", change.ChangeId, Ct))!.Should().Match<QueuedChange>(c => c.Status == QueuedChangeStatus.Applied && c.Outcome == "applied");
        (await Log.VerifyAsync("pcs_n", Ct)).Should().Be(new AuditVerification(true, 3, null, null));
    }

    [Fact]
    public async Task RefuseMoreCompanionsThanOneTransactionHolds_BeforeWritingAnything()
    {
        TransactWriteItem Absent(int i) => new()
        {
            ConditionCheck = new ConditionCheck
            {
                TableName = Tables.Maintenance,
                Key = new() { ["pk"] = new AttributeValue { S = $"cluster#c{i}" }, ["sk"] = new AttributeValue { S = "window" } },
                ConditionExpression = "attribute_not_exists(pk)",
            },
        };
        var locks = new ClusterLock(Dynamo, Tables.Lock, Time);
        var lease = (await locks.AcquireAsync("pcs_o", "exec-1", TimeSpan.FromMinutes(15), Ct)).Lease!;

        var tooMany = () => Log.AppendAsync(new AuditDraft("pcs_o", "requested", "exec-1"), Ct, companions: [.. Enumerable.Range(0, 99).Select(Absent)]);
        var tooManyGuarded = () => Log.AppendAsync(new AuditDraft("pcs_o", "requested", "exec-1"), Ct, (locks, "exec-1", lease.FencingToken), companions: [.. Enumerable.Range(0, 98).Select(Absent)]);

        (await tooMany.Should().ThrowAsync<ArgumentException>()).WithMessage("the audit entry needs 2 transaction items (entry, 0 detail parts, head), so at most 98 companions fit in one transaction, not 99*");
        (await tooManyGuarded.Should().ThrowAsync<ArgumentException>()).WithMessage("*needs 3 transaction items (entry, 0 detail parts, head, lock guard), so at most 97 companions fit*");
        (await Log.QueryAsync("pcs_o", 10, null, Ct)).Entries.Should().BeEmpty();
        (await Log.AppendAsync(new AuditDraft("pcs_o", "requested", "exec-1"), Ct, (locks, "exec-1", lease.FencingToken), companions: [.. Enumerable.Range(0, 97).Select(Absent)])).Sequence.Should().Be(1, "97 companions fit beside the entry, the head and the guard");
        (await Log.AppendAsync(new AuditDraft("pcs_o", "planned", "exec-1"), Ct, companions: [.. Enumerable.Range(0, 98).Select(Absent)])).Sequence.Should().Be(2);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[48];
        random.NextBytes(bytes);
        return bytes;
    }

    private async Task<Dictionary<string, AttributeValue>> Get(string cluster, string sk) =>
        (await Dynamo.GetItemAsync(new GetItemRequest { TableName = Tables.Audit, Key = new() { ["pk"] = new AttributeValue { S = AuditLog.Partition(cluster) }, ["sk"] = new AttributeValue { S = sk } } }, Ct)).Item;

    private async Task<Dictionary<string, AttributeValue>> Get(string cluster, long seq) =>
        (await Dynamo.GetItemAsync(new GetItemRequest { TableName = Tables.Audit, Key = new() { ["pk"] = new AttributeValue { S = AuditLog.Partition(cluster) }, ["sk"] = new AttributeValue { S = AuditLog.SortKeyOf(seq) } } }, Ct)).Item;

    private Task Delete(string cluster, long seq) =>
        Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = Tables.Audit, Key = new() { ["pk"] = new AttributeValue { S = AuditLog.Partition(cluster) }, ["sk"] = new AttributeValue { S = AuditLog.SortKeyOf(seq) } } }, Ct);
}
