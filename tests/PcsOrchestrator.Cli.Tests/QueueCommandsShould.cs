using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// <c>queue list|cancel</c> as processes against DynamoDB Local: changes queued through the real
/// <see cref="MaintenanceStore"/> (as the workflow's Claim step queues them), and what the table and the audit log
/// hold after a cancellation.
/// </summary>
[Trait("Category", "Integration")]
public sealed class QueueCommandsShould(DynamoDbLocal dynamoDb) : TablesTest(dynamoDb, "que"), IClassFixture<DynamoDbLocal>
{
    private const string Cluster = "pcs-queue";
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Monday);

    private MaintenanceStore Store => new(Dynamo, Tables.Maintenance, _time);

    [Fact]
    public async Task ListTheQueueInSubmissionOrder_AndTheChangesThatEndedWithAll()
    {
        var first = await EnqueueAsync("CHG-1", "alice@example.com", "longer idle time");
        var second = await EnqueueAsync("CHG-2", "bob@example.com", "fair share weight");
        var third = await EnqueueAsync("CHG-3", "carol@example.com", "purge after 90 days");
        await Store.TakeAsync(Cluster, first.ChangeId, "exec-window-1", Ct);
        await Store.CompleteAsync(Cluster, first.ChangeId, "exec-window-1", "applied in maintenance window sunday-night", Ct);
        await Store.TakeAsync(Cluster, third.ChangeId, "arn:aws:states:us-east-1:123456789012:execution:sm:w-run-7", Ct);

        var (exit, stdout, stderr) = await QueueAsync("list", Cluster, "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var listed = JsonNode.Parse(stdout)!;
        listed["table"]!.GetValue<string>().Should().Be(Tables.Maintenance);
        var changes = listed["changes"]!.AsArray();
        changes.Select(c => c!["changeId"]!.GetValue<string>()).Should().Equal(second.ChangeId, third.ChangeId);
        changes.Select(c => c!["status"]!.GetValue<string>()).Should().Equal("pending", "applying");
        changes[0]!["idempotencyKey"]!.GetValue<string>().Should().Be("CHG-2");
        changes[0]!["submittedAt"]!.GetValue<string>().Should().Be("2026-11-30T09:02:00Z");
        changes[0]!["requestedBy"]!.GetValue<string>().Should().Be("bob@example.com");
        changes[0]!["window"]!.GetValue<string>().Should().Be("sunday-night");
        changes[0]!["request"]!["slurmConfiguration"]!["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(902, "the request comes back as JSON");

        (exit, stdout, stderr) = await QueueAsync("list", Cluster, "--all");

        exit.Should().Be(ExitCodes.Success, stderr);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("│ 0", StringComparison.Ordinal)).Select(Cells).ToList();
        rows.Should().HaveCount(3);
        // The id, time and status never wrap; the longer cells may.
        rows[0][..3].Should().Equal(first.ChangeId, "2026-11-30 09:01:00", "applied");
        rows[1][..3].Should().Equal(second.ChangeId, "2026-11-30 09:02:00", "pending");
        rows[2][..3].Should().Equal(third.ChangeId, "2026-11-30 09:03:00", "applying by w-run-7");
        rows.Select(r => r[6]).Should().Equal("0", "0", "0");
        stdout.Should().Contain($"3 changes of cluster {Cluster} (1 pending, 1 applying, 1 applied) in {Tables.Maintenance}.");

        (exit, stdout, _) = await QueueAsync("list", "pcs-empty");

        exit.Should().Be(ExitCodes.Success);
        stdout.Trim().Should().Be($"No pending queued changes for cluster pcs-empty in {Tables.Maintenance} (--all also lists those that ended).");
    }

    [Fact]
    public async Task CancelAChangeByAPrefixOfItsId_WithTheCancelledAuditEntryWrittenByTheActor()
    {
        await EnqueueAsync("CHG-1", "alice@example.com", "keep");
        var unwanted = await EnqueueAsync("CHG-2", "bob@example.com", "not needed");

        var (exit, stdout, stderr) = await QueueAsync("cancel", Cluster, unwanted.ChangeId[..24], "--reason", "superseded by CHG-9", "--actor", "dave@example.com");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Trim().Should().Be($"Cancelled change {unwanted.ChangeId} of cluster {Cluster} (queued for maintenance window sunday-night): cancelled by dave@example.com: superseded by CHG-9. Audit entry 'cancelled' written to {Tables.Audit}.");
        var changes = await Store.ListChangesAsync(Cluster, null, Ct);
        changes.Select(c => c.Status).Should().Equal(QueuedChangeStatus.Pending, QueuedChangeStatus.Cancelled);
        var entry = (await new AuditLog(Dynamo, Tables.Audit, TimeProvider.System).QueryAsync(Cluster, 10, null, Ct)).Entries.Should().ContainSingle().Subject;
        entry.EventType.Should().Be("cancelled");
        entry.Actor.Should().Be("dave@example.com");
        entry.Source.Should().Be("cli");
        entry.IdempotencyKey.Should().Be("CHG-2");
        entry.Reason.Should().Be("cancelled by dave@example.com: superseded by CHG-9");
        JsonNode.Parse(entry.Details!)!["window"]!["changeId"]!.GetValue<string>().Should().Be(unwanted.ChangeId);
    }

    [Fact]
    public async Task CancelAChangeByItsIdempotencyKey_InTheTablesTheVariablesName()
    {
        var change = await EnqueueAsync("CHG-77", "alice@example.com", "by key");
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_DYNAMODB"] = Endpoint,
            ["MAINTENANCE_TABLE_NAME"] = Tables.Maintenance,
            ["AUDIT_TABLE_NAME"] = Tables.Audit,
        };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(environment, "queue", "cancel", Cluster, "CHG-77", "--actor", "erin", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var cancelled = JsonNode.Parse(stdout)!["cancelled"]!;
        cancelled["changeId"]!.GetValue<string>().Should().Be(change.ChangeId);
        cancelled["status"]!.GetValue<string>().Should().Be("cancelled");
        cancelled["outcome"]!.GetValue<string>().Should().Be("cancelled by erin");
        (await new AuditLog(Dynamo, Tables.Audit, TimeProvider.System).VerifyAsync(Cluster, Ct)).Checked.Should().Be(1);
    }

    [Fact]
    public async Task RefuseAnUnknownChange_AnAmbiguousPrefix_AndAChangeThatIsNoLongerPending()
    {
        var applying = await EnqueueAsync("CHG-1", "alice@example.com", "one");
        var done = await EnqueueAsync("CHG-2", "bob@example.com", "two");
        await Store.TakeAsync(Cluster, applying.ChangeId, "arn:aws:states:us-east-1:123456789012:execution:sm:w-run-1", Ct);
        await Store.TakeAsync(Cluster, done.ChangeId, "exec-0", Ct);
        await Store.FailAsync(Cluster, done.ChangeId, "exec-0", "UpdateFailed: slurmctld did not start", requeue: false, Ct);

        var (exit, stdout, stderr) = await QueueAsync("cancel", Cluster, "0");

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        stderr.Trim().Should().Be($"error: '0' matches 2 queued changes of cluster {Cluster}: give more of the id, or the whole idempotency key; nothing was cancelled");

        (exit, _, stderr) = await QueueAsync("cancel", Cluster, "CHG-404");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Trim().Should().Be($"error: cluster {Cluster} has no queued change with id or key 'CHG-404' (list them with 'pcs-orchestrator queue list {Cluster} --all'); nothing was cancelled");

        (exit, _, stderr) = await QueueAsync("cancel", Cluster, applying.ChangeId, "--actor", "bob");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Trim().Should().Be($"error: change {applying.ChangeId} of cluster {Cluster} cannot be cancelled: it is being applied by execution arn:aws:states:us-east-1:123456789012:execution:sm:w-run-1");

        (exit, _, stderr) = await QueueAsync("cancel", Cluster, "CHG-2", "--actor", "bob");

        exit.Should().Be(ExitCodes.Failed);
        stderr.Trim().Should().Be($"error: change {done.ChangeId} of cluster {Cluster} cannot be cancelled: it is already failed (UpdateFailed: slurmctld did not start)");

        (await Store.ListChangesAsync(Cluster, null, Ct)).Select(c => c.Status).Should().Equal(QueuedChangeStatus.Applying, QueuedChangeStatus.Failed);
        (await new AuditLog(Dynamo, Tables.Audit, TimeProvider.System).VerifyAsync(Cluster, Ct)).Checked.Should().Be(0, "a refused cancellation writes no entry");
    }

    [Theory]
    [InlineData("list", "bad cluster!")]
    [InlineData("cancel", "bad cluster!", "CHG-1")]
    public async Task RefuseAClusterNameNoRequestCouldUse_AsABadCommandLine(params string[] arguments)
    {
        var (exit, _, stderr) = await QueueAsync(arguments);

        exit.Should().Be(ExitCodes.Usage);
        stderr.Should().StartWith("error: cluster: 'bad cluster!' ");
    }

    /// <summary>Queues a change one minute after the previous one, as the Claim step does.</summary>
    private async Task<QueuedChange> EnqueueAsync(string key, string requestedBy, string reason)
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        var idle = 900 + (int)(_time.GetUtcNow() - Monday).TotalMinutes;
        return await Store.EnqueueAsync(new QueuedChangeDraft(Cluster, key, $$$"""{"clusterIdentifier":"{{{Cluster}}}","slurmConfiguration":{"scaleDownIdleTimeInSeconds":{{{idle}}}}}""", _time.GetUtcNow(), "exec-submit")
        {
            RequestedBy = requestedBy,
            Reason = reason,
            Source = "cli",
            Window = "sunday-night",
        }, Ct);
    }

    private Task<(int Exit, string Stdout, string Stderr)> QueueAsync(params string[] arguments) =>
        CliProcess.RunAsync(["queue", .. arguments, "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint]);

}
