using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Cli.Commands;
using PcsOrchestrator.Persistence;
using PcsOrchestrator.Testing;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// <c>history</c> and <c>audit verify</c> as processes against DynamoDB Local: entries appended through the real
/// <see cref="AuditLog"/> into freshly created tables, and tampering done directly through the DynamoDB client.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AuditCommandsShould(DynamoDbLocal dynamoDb) : TablesTest(dynamoDb, "cli"), IClassFixture<DynamoDbLocal>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);
    private static readonly string[] Events = ["requested", "planned", "update-started", "succeeded", "requested"];

    [Fact]
    public async Task ListTheAuditLogNewestFirst_WithLimitAndTimeRange()
    {
        await AppendAsync("hist-cluster", Events.Length);
        await AppendAsync("someone-else", 2);

        var (exit, stdout, stderr) = await CliProcess.RunAsync("history", "hist-cluster", "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint, "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var history = JsonNode.Parse(stdout)!;
        history["table"]!.GetValue<string>().Should().Be(Tables.Audit);
        history["more"]!.GetValue<bool>().Should().BeFalse();
        var entries = history["entries"]!.AsArray();
        entries.Select(e => e!["sequence"]!.GetValue<long>()).Should().Equal(5, 4, 3, 2, 1);
        entries.Select(e => e!["eventType"]!.GetValue<string>()).Should().Equal(Enumerable.Reverse(Events));
        var newest = entries[0]!;
        newest["at"]!.GetValue<string>().Should().Be("2026-11-24T22:05:00.0000000+00:00");
        newest["executionId"]!.GetValue<string>().Should().Be("arn:aws:states:us-east-1:123456789012:execution:update-cluster:run-5");
        newest["actor"]!.GetValue<string>().Should().Be("alice@example.com");
        newest["source"]!.GetValue<string>().Should().Be("cli");
        newest["reason"]!.GetValue<string>().Should().Be("CHG-5");
        newest["details"]!["step"]!.GetValue<int>().Should().Be(5, "details that are JSON come back as JSON");

        (exit, stdout, stderr) = await CliProcess.RunAsync("history", "hist-cluster", "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint, "--output", "json", "--limit", "2");

        exit.Should().Be(ExitCodes.Success, stderr);
        history = JsonNode.Parse(stdout)!;
        history["entries"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()).Should().Equal(5, 4);
        history["more"]!.GetValue<bool>().Should().BeTrue();

        (exit, stdout, stderr) = await CliProcess.RunAsync("history", "hist-cluster", "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint, "--output", "json",
            "--from", "2026-11-24T22:02:00Z", "--to", "2026-11-24T23:04:00+01:00");

        exit.Should().Be(ExitCodes.Success, stderr);
        JsonNode.Parse(stdout)!["entries"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()).Should().Equal(4, 3, 2);

        (exit, stdout, stderr) = await CliProcess.RunAsync("history", "hist-cluster", "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint);

        exit.Should().Be(ExitCodes.Success, stderr);
        var lines = stdout.Split('\n');
        lines.Should().Contain(l => l.Contains("Time (UTC)", StringComparison.Ordinal) && l.Contains("Actor / source", StringComparison.Ordinal) && l.Contains("Execution", StringComparison.Ordinal));
        var rows = lines.Where(l => l.StartsWith("│ 2026-", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(5);
        Cells(rows[0]).Should().Equal("2026-11-24 22:05:00", "5", "requested", "run-5", "alice@example.com / cli", "CHG-5");
        Cells(rows[4]).Should().Equal("2026-11-24 22:01:00", "1", "requested", "run-1", "alice@example.com / cli", "CHG-1");
        stdout.Should().Contain($"5 entries of cluster hist-cluster in {Tables.Audit}.");
    }

    [Fact]
    public async Task PageThroughMoreEntriesThanOneQueryPage()
    {
        await AppendAsync("long-cluster", 105);

        var (exit, stdout, stderr) = await CliProcess.RunAsync("history", "long-cluster", "--table", Tables.Audit, "--dynamodb-endpoint", Endpoint, "--output", "json", "--limit", "103");

        exit.Should().Be(ExitCodes.Success, stderr);
        var history = JsonNode.Parse(stdout)!;
        history["entries"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()).Should().Equal(Enumerable.Range(3, 103).Select(i => (long)i).Reverse());
        history["more"]!.GetValue<bool>().Should().BeTrue();

        (exit, stdout, stderr) = await CliProcess.RunAsync("history", "long-cluster", "--table", Tables.Audit, "--dynamodb-endpoint", Endpoint, "--output", "json", "--limit", "500");

        exit.Should().Be(ExitCodes.Success, stderr);
        history = JsonNode.Parse(stdout)!;
        history["entries"]!.AsArray().Should().HaveCount(105);
        history["more"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task FindTheTableAndEndpoint_FromTheFunctionsVariables()
    {
        await AppendAsync("env-cluster", 2);
        var environment = new Dictionary<string, string> { ["AUDIT_TABLE_NAME"] = Tables.Audit, ["AWS_ENDPOINT_URL_DYNAMODB"] = Endpoint };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(environment, "history", "env-cluster", "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        JsonNode.Parse(stdout)!["entries"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()).Should().Equal(2, 1);

        (exit, stdout, stderr) = await CliProcess.RunAsync(environment, "audit", "verify", "env-cluster");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Trim().Should().Be($"Audit chain of cluster env-cluster is intact: 2 entries checked ({Tables.Audit}).");
    }

    [Fact]
    public async Task VerifyAnIntactChain_ThenFindTheEntryWhoseAttributeWasEdited()
    {
        await AppendAsync("edit-cluster", Events.Length);

        var (exit, stdout, stderr) = await VerifyAsync("edit-cluster");

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Trim().Should().Be($"Audit chain of cluster edit-cluster is intact: 5 entries checked ({Tables.Audit}).");

        await Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Tables.Audit,
            Key = Key("edit-cluster", 3),
            UpdateExpression = "SET reason = :r",
            ExpressionAttributeValues = new() { [":r"] = new AttributeValue { S = "nothing happened here" } },
        }, Ct);

        (exit, stdout, stderr) = await VerifyAsync("edit-cluster");

        exit.Should().Be(ExitCodes.Failed, stderr);
        stdout.Should().StartWith("Audit chain of cluster edit-cluster is BROKEN at sequence 3: entry 3 was modified: its content no longer matches its hash.");
        stdout.Should().Contain("2 entries before it verified");

        (exit, stdout, _) = await VerifyAsync("edit-cluster", "--output", "json");

        exit.Should().Be(ExitCodes.Failed);
        var result = JsonNode.Parse(stdout)!;
        result["intact"]!.GetValue<bool>().Should().BeFalse();
        result["brokenAt"]!.GetValue<long>().Should().Be(3);
        result["checked"]!.GetValue<long>().Should().Be(2);
        result["problem"]!.GetValue<string>().Should().Contain("modified");
    }

    [Fact]
    public async Task FindTheSequenceOfADeletedEntry()
    {
        await AppendAsync("gap-cluster", Events.Length);
        await Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = Tables.Audit, Key = Key("gap-cluster", 2) }, Ct);

        var (exit, stdout, stderr) = await VerifyAsync("gap-cluster", "--output", "json");

        exit.Should().Be(ExitCodes.Failed, stderr);
        var result = JsonNode.Parse(stdout)!;
        result["brokenAt"]!.GetValue<long>().Should().Be(2);
        result["checked"]!.GetValue<long>().Should().Be(1);
        result["problem"]!.GetValue<string>().Should().Be("entry 2 is missing (deleted): the next stored entry is 3");

        (exit, stdout, _) = await VerifyAsync("gap-cluster");

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().StartWith("Audit chain of cluster gap-cluster is BROKEN at sequence 2: entry 2 is missing (deleted)");
    }

    [Fact]
    public async Task ReportAMissingTable_AsSomethingThatCouldNotBeReached()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("audit", "verify", "any-cluster", "--table", Prefix + "-nope", "--dynamodb-endpoint", Endpoint);

        exit.Should().Be(ExitCodes.Environment);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith($"error: the audit table '{Prefix}-nope' does not exist at {Endpoint}");
    }

    [Theory]
    [InlineData(null, null, null, "pcs-orchestrator-audit")]
    [InlineData(null, null, "stack-AuditTable-1X2Y", "stack-AuditTable-1X2Y")]
    [InlineData(null, "mine", "stack-AuditTable-1X2Y", "mine-audit")]
    [InlineData("exact", null, "stack-AuditTable-1X2Y", "exact")]
    public void NameTheAuditTable_AsLocalUpAndTheFunctionsDo(string? table, string? prefix, string? variable, string expected)
    {
        AuditCommands.AuditTable(table, prefix, name => name == "AUDIT_TABLE_NAME" ? variable : null).Should().Be(expected);
    }

    private Task<(int Exit, string Stdout, string Stderr)> VerifyAsync(string cluster, params string[] more) =>
        CliProcess.RunAsync(["audit", "verify", cluster, "--table-prefix", Prefix, "--dynamodb-endpoint", Endpoint, .. more]);

    /// <summary>Appends <paramref name="count"/> entries one minute apart, as the functions do.</summary>
    private async Task AppendAsync(string cluster, int count)
    {
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(Dynamo, Tables.Audit, time);
        for (var i = 1; i <= count; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await log.AppendAsync(new AuditDraft(cluster, Events[(i - 1) % Events.Length], $"arn:aws:states:us-east-1:123456789012:execution:update-cluster:run-{i}")
            {
                IdempotencyKey = $"CHG-{i}",
                Actor = "alice@example.com",
                Source = "cli",
                Reason = $"CHG-{i}",
                Details = $$"""{"step":{{i}}}""",
            }, Ct);
        }
    }

    private static Dictionary<string, AttributeValue> Key(string cluster, long sequence) => new()
    {
        [TableDefinitions.PartitionKey] = new AttributeValue { S = AuditLog.Partition(cluster) },
        [TableDefinitions.SortKey] = new AttributeValue { S = AuditLog.SortKeyOf(sequence) },
    };

}
