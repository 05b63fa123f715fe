using System.Text;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Tests;

public sealed class RequestIntakeShould
{
    [Fact]
    public void AcceptTheSeedExample_WithEveryValueItGives()
    {
        var result = RequestIntake.Accept(Requests.Seed, Requests.Now);

        result.Issues.Should().BeEmpty();
        var request = result.Request!;
        request.ClusterIdentifier.Should().Be("pcs_abc123def4");
        request.ClientToken.Should().Be("seed-token-0001");
        request.SlurmConfiguration.ScaleDownIdleTimeInSeconds.Should().Be(600);
        request.SlurmConfiguration.SlurmCustomSettings.Should().Equal(new CustomSetting("MinJobAge", "600"), new CustomSetting("PriorityWeightAge", "1000"));
        request.SlurmConfiguration.Accounting.Should().Be(new AccountingChange(-1, FeatureMode.Standard));
        request.SlurmConfiguration.SlurmRest.Should().Be(new SlurmRestChange(FeatureMode.Standard));
        request.Origin.Should().Be(RequestOrigin.Direct);
        result.Identity!.ClientToken.Should().Be("seed-token-0001", "an explicit client token is used as given");
        result.Deadline.Should().Be(Requests.Now.AddSeconds(UpdateOptions.DefaultTimeoutSeconds));
    }

    [Fact]
    public void AcceptEveryFieldOfTheCurrentModelAndTheOrchestrationMetadata()
    {
        var result = RequestIntake.Accept(Requests.Full().ToJsonString(), Requests.Now);

        result.Issues.Should().BeEmpty();
        var r = result.Request!;
        r.SlurmConfiguration.SlurmdbdCustomSettings.Should().Equal(new CustomSetting("PurgeJobAfter", "12month"));
        r.SlurmConfiguration.CgroupCustomSettings.Should().Equal(new CustomSetting("ConstrainCores", "yes"));
        r.SlurmConfiguration.Accounting.Should().Be(new AccountingChange(30, FeatureMode.Standard));
        r.IdempotencyKey.Should().Be("CHG-1234");
        r.RequestedBy.Should().Be("alice@example.com");
        r.Reason.Should().Be("Raise idle time for the weekend");
        r.Source.Should().Be("cli");
        r.MaintenanceWindow.Should().Be(new MaintenanceWindow(new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(30)));
        r.Options.RollbackOnFailure.Should().BeTrue();
        r.Options.TimeoutSeconds.Should().Be(7200);
        r.Options.SettingsMode.Should().Be(SettingsMode.Merge);
        r.Options.RemoveSettings.SlurmCustomSettings.Should().Equal("Prolog");
        r.Options.ExpectedUpdateMinutes.Should().Be(20);
        result.Identity!.IdempotencyKey.Should().Be("CHG-1234");
        result.Deadline.Should().Be(Requests.Now.AddSeconds(7200));
    }

    [Fact]
    public void ParseTheSameRequestFromAllThreeShapes_ToTheSameChange()
    {
        var body = Requests.Full();
        body.Remove("idempotencyKey");
        body.Remove("source");
        body.Remove("maintenanceWindow");

        var direct = RequestIntake.Accept(body.ToJsonString(), Requests.Now);
        var fromEvent = RequestIntake.Accept(Requests.EventBridge(body.DeepClone()).ToJsonString(), Requests.Now);
        var fromSchedule = RequestIntake.Accept(Requests.Scheduler(body.DeepClone()).ToJsonString(), Requests.Now);

        foreach (var result in new[] { direct, fromEvent, fromSchedule })
        {
            result.Issues.Should().BeEmpty();
        }

        fromEvent.Request!.SlurmConfiguration.Should().BeEquivalentTo(direct.Request!.SlurmConfiguration);
        fromSchedule.Request!.SlurmConfiguration.Should().BeEquivalentTo(direct.Request!.SlurmConfiguration);
        fromEvent.Request.Options.Should().BeEquivalentTo(direct.Request.Options);
        new[] { fromEvent.Identity!.PayloadHash, fromSchedule.Identity!.PayloadHash }.Should().AllBe(direct.Identity!.PayloadHash);

        fromEvent.Request.Origin.Should().Be(RequestOrigin.EventBridge);
        fromEvent.Request.Source.Should().Be("com.example.hpc");
        fromEvent.Request.Trigger!.EventId.Should().Be("6f9a2d1e-0000-4000-8000-000000000001");
        fromEvent.Identity.IdempotencyKey.Should().Be("event:6f9a2d1e-0000-4000-8000-000000000001", "the event id is the default key");

        fromSchedule.Request.Origin.Should().Be(RequestOrigin.Scheduler);
        fromSchedule.Request.Trigger!.ScheduledTime.Should().Be(new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero));
        fromSchedule.Identity.IdempotencyKey.Should().NotBe(direct.Identity.IdempotencyKey, "each schedule occurrence is its own request");
    }

    [Fact]
    public void RoundTripEveryFieldThroughTheRequestWriter()
    {
        var parsed = RequestIntake.Accept(Requests.Full().ToJsonString(), Requests.Now).Request!;

        var again = RequestIntake.Accept(PcsOrchestrator.Domain.Parsing.RequestWriter.Write(parsed), Requests.Now);

        again.Issues.Should().BeEmpty();
        again.Request.Should().BeEquivalentTo(parsed);
    }

    [Fact]
    public void GiveEachScheduleOccurrenceItsOwnKey_AndARedeliveredOccurrenceTheSameKey()
    {
        var body = Requests.Full();
        body.Remove("idempotencyKey");
        body.Remove("maintenanceWindow");
        string Key(string time) => RequestIntake.Accept(Requests.Scheduler(body.DeepClone(), time).ToJsonString(), Requests.Now).Identity!.IdempotencyKey;

        Key("2026-11-24T22:00:00Z").Should().Be(Key("2026-11-24T22:00:00Z"));
        Key("2026-11-24T22:00:00Z").Should().NotBe(Key("2026-12-01T22:00:00Z"));
    }

    [Fact]
    public void DeriveTheWindowEnd_FromTheScheduledTimeAndDuration()
    {
        var body = Requests.Full();
        body["maintenanceWindow"] = new JsonObject { ["durationMinutes"] = 120, ["cutoffMinutes"] = 30 };

        var result = RequestIntake.Accept(Requests.Scheduler(body).ToJsonString(), Requests.Now);

        result.Issues.Should().BeEmpty();
        result.Request!.MaintenanceWindow.Should().Be(new MaintenanceWindow(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(30))
        {
            Start = new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero),
        });
    }

    [Fact]
    public void AcceptEveryStandardEnvelopeField_IncludingReplayName()
    {
        var envelope = Requests.EventBridge(JsonNode.Parse(Requests.Seed)!);
        envelope["replay-name"] = "replay-1";
        envelope["resources"] = new JsonArray("arn:aws:pcs:us-east-1:123456789012:cluster/pcs_abc123def4");

        RequestIntake.Accept(envelope.ToJsonString(), Requests.Now).Issues.Should().BeEmpty();
    }

    [Theory]
    [InlineData("[]", "$", Rules.Type)]
    [InlineData("\"text\"", "$", Rules.Type)]
    [InlineData("{", "$", Rules.InvalidJson)]
    [InlineData("{\"clusterIdentifier\": \"abc\"} trailing", "$", Rules.InvalidJson)]
    [InlineData("{\"clusterIdentifier\": \"abc\", /* comment */ \"reason\": \"x\"}", "$", Rules.InvalidJson)]
    [InlineData("{\"clusterIdentifier\": \"abc\", \"clusterIdentifier\": \"def\"}", "$.clusterIdentifier", Rules.DuplicateProperty)]
    public void RejectMalformedDocuments_AtTheRoot(string json, string path, string rule)
    {
        var result = RequestIntake.Accept(json, Requests.Now);

        result.Accepted.Should().BeFalse();
        result.Issues.Should().Contain(i => i.Path == path && i.Rule == rule);
    }

    [Fact]
    public void RejectInvalidUtf8_WithoutThrowing()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"clusterIdentifier\": \"ab"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("c\"}")];

        var result = RequestIntake.Accept(bytes, Requests.Now);

        result.Issues.Should().ContainSingle().Which.Rule.Should().Be(Rules.InvalidJson);
    }

    [Fact]
    public void RejectAPayloadOverStepFunctionsInputLimit()
    {
        var body = Requests.Full();
        body["reason"] = new string('x', 300 * 1024);

        var result = RequestIntake.Accept(body.ToJsonString(), Requests.Now);

        result.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == "$" && i.Rule == Rules.TooLarge);
    }

    [Fact]
    public void RejectDeepNesting_AsInvalidJson()
    {
        var json = "{\"clusterIdentifier\":\"abc\",\"reason\":" + new string('[', 100) + new string(']', 100) + "}";

        var result = RequestIntake.Accept(json, Requests.Now);

        result.Issues.Should().ContainSingle().Which.Rule.Should().Be(Rules.InvalidJson);
    }

    [Fact]
    public void RejectAnEnvelopeWhoseDetailIsNotAnObject()
    {
        var envelope = Requests.EventBridge(JsonValue.Create("update please")!);

        var result = RequestIntake.Accept(envelope.ToJsonString(), Requests.Now);

        result.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == "$.detail" && i.Rule == Rules.Type);
    }

    [Fact]
    public void ReportUnknownFields_AtTheirPath_WithACaseHint()
    {
        var envelope = Requests.EventBridge(JsonNode.Parse(Requests.Seed)!);
        envelope["extra"] = 1;
        ((JsonObject)envelope["detail"]!)["clusterIdentifer"] = "typo";
        ((JsonObject)envelope["detail"]!["slurmConfiguration"]!)["ScaleDownIdleTimeInSeconds"] = 5;

        var result = RequestIntake.Accept(envelope.ToJsonString(), Requests.Now);

        result.Issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo(new[]
        {
            ("$.extra", Rules.UnknownField),
            ("$.detail.clusterIdentifer", Rules.UnknownField),
            ("$.detail.slurmConfiguration.ScaleDownIdleTimeInSeconds", Rules.UnknownField),
        });
        result.Issues.Single(i => i.Path.EndsWith("ScaleDownIdleTimeInSeconds", StringComparison.Ordinal)).Message
            .Should().Contain("did you mean 'scaleDownIdleTimeInSeconds'");
    }

    [Fact]
    public void RejectReadOnlyClusterFields_InTheChange()
    {
        var body = JsonNode.Parse(Requests.Seed)!.AsObject();
        body["slurmConfiguration"]!["authKey"] = new JsonObject { ["secretArn"] = "arn:x", ["secretVersion"] = "1" };

        var result = RequestIntake.Accept(body.ToJsonString(), Requests.Now);

        result.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i =>
            i.Path == "$.slurmConfiguration.authKey" && i.Rule == Rules.UnknownField && i.Message.Contains("read-only"));
    }

    [Fact]
    public void CollectEveryViolation_InOnePass()
    {
        var body = Requests.Full();
        body["clusterIdentifier"] = "x";
        body["slurmConfiguration"]!["scaleDownIdleTimeInSeconds"] = 0;
        body["slurmConfiguration"]!["accounting"]!["defaultPurgeTimeInDays"] = 0;
        body["slurmConfiguration"]!["slurmRest"]!["mode"] = "standard";

        var result = RequestIntake.Accept(body.ToJsonString(), Requests.Now);

        result.Issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo(new[]
        {
            ("$.clusterIdentifier", Rules.Pattern),
            ("$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Range),
            ("$.slurmConfiguration.accounting.defaultPurgeTimeInDays", Rules.NotZero),
            ("$.slurmConfiguration.slurmRest.mode", Rules.Enum),
        });
        result.Issues.Single(i => i.Rule == Rules.Enum).Message.Should().Contain("did you mean 'STANDARD'");
        result.Identity.Should().BeNull("nothing about a rejected request is derived");
    }

    [Fact]
    public void RejectARequestThatNamesNoChange()
    {
        var result = RequestIntake.Accept("""{"clusterIdentifier":"research-cluster"}""", Requests.Now);

        result.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i =>
            i.Path == "$.slurmConfiguration" && i.Rule == Rules.EmptyChange);
    }

    [Fact]
    public void AcceptARequestThatOnlyRemovesASetting()
    {
        var result = RequestIntake.Accept(
            """{"clusterIdentifier":"research-cluster","options":{"removeSettings":{"slurmCustomSettings":["Prolog"]}}}""", Requests.Now);

        result.Issues.Should().BeEmpty();
    }
}
