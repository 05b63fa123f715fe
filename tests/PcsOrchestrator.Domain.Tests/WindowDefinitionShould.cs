using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class WindowDefinitionShould
{
    private static JsonObject Sunday() => new()
    {
        ["name"] = "sunday-night",
        ["schedule"] = "cron(0 2 ? * SUN *)",
        ["timeZone"] = "Europe/Berlin",
        ["durationMinutes"] = 240,
        ["cutoffMinutes"] = 60,
        ["clusters"] = new JsonArray("demo-cluster", "pcs_4bcc3fb087"),
        ["defaultApply"] = "next-window",
        ["drift"] = "correct",
        ["description"] = "weekly Slurm maintenance",
    };

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ReadEveryField_AndWriteThemBackUnchanged()
    {
        var (window, issues) = WindowDefinition.Parse(Sunday().ToJsonString());

        issues.Should().BeEmpty();
        window!.Name.Should().Be("sunday-night");
        window.Clusters.Should().Equal("demo-cluster", "pcs_4bcc3fb087");
        window.DefaultApply.Should().Be(ApplyMode.NextWindow);
        window.Drift.Should().Be(DriftMode.Correct);
        window.Schedule.Duration.Should().Be(TimeSpan.FromHours(4));
        window.Schedule.Cutoff.Should().Be(TimeSpan.FromHours(1));

        var (again, _) = WindowDefinition.Parse(window.ToJson());
        again!.ToJson().Should().Be(window.ToJson());
        JsonNode.DeepEquals(JsonNode.Parse(window.ToJson()), Sunday()).Should().BeTrue(window.ToJson());
    }

    [Fact]
    public void DefaultToUtc_NoCutoff_NoDrift_AndTheStacksApplyMode()
    {
        var (window, issues) = WindowDefinition.Parse("""{"name":"w","schedule":"rate(7 days)","anchor":"2026-11-29T02:00:00Z","durationMinutes":60,"clusters":["demo-cluster"]}""");

        issues.Should().BeEmpty();
        window!.Schedule.Zone.Id.Should().Be("UTC");
        window.Schedule.Cutoff.Should().Be(TimeSpan.Zero);
        window.Drift.Should().Be(DriftMode.Off);
        window.DefaultApply.Should().BeNull();
    }

    [Theory]
    [InlineData("name", "\"sunday night\"", "$.name", Rules.Pattern)]
    [InlineData("schedule", "\"every sunday\"", "$.schedule", Rules.Pattern)]
    [InlineData("timeZone", "\"Mars/Olympus\"", "$.timeZone", Rules.TimeZone)]
    [InlineData("durationMinutes", "1441", "$.durationMinutes", Rules.Range)]
    [InlineData("cutoffMinutes", "240", "$.cutoffMinutes", Rules.Range)]
    [InlineData("clusters", "[]", "$.clusters", Rules.Required)]
    [InlineData("clusters", "[\"demo-cluster\",\"demo-cluster\"]", "$.clusters[1]", Rules.Conflict)]
    [InlineData("clusters", "[\"bad name!\"]", "$.clusters[0]", Rules.Pattern)]
    [InlineData("defaultApply", "\"later\"", "$.defaultApply", Rules.Enum)]
    [InlineData("drift", "\"fix\"", "$.drift", Rules.Enum)]
    [InlineData("colour", "\"blue\"", "$.colour", Rules.UnknownField)]
    public void NameTheFieldAndTheRule_ForEachBadValue(string field, string json, string path, string rule)
    {
        var document = Sunday();
        document[field] = JsonNode.Parse(json);

        var (window, issues) = WindowDefinition.Parse(document.ToJsonString());

        window.Should().BeNull();
        issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == path && i.Rule == rule);
    }

    [Fact]
    public void RequireTheScheduleTheDurationAndTheClusters()
    {
        var (window, issues) = WindowDefinition.Parse("""{"name":"w"}""");

        window.Should().BeNull();
        issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo([("$.schedule", Rules.Required), ("$.durationMinutes", Rules.Required), ("$.clusters", Rules.Required)]);
    }

    [Fact]
    public void FindTheOccurrenceThatOpensAtAnInstant_AndNoneBetweenOccurrences()
    {
        var (window, _) = WindowDefinition.Parse(Sunday().ToJsonString());

        var occurrence = window!.OccurrenceAt(Utc("2026-11-29T01:00:00Z"));
        occurrence.Should().NotBeNull("02:00 in Berlin in November is 01:00 UTC");
        occurrence!.End.Should().Be(Utc("2026-11-29T05:00:00Z"));
        occurrence.LatestStart.Should().Be(Utc("2026-11-29T04:00:00Z"));
        window.OccurrenceAt(Utc("2026-11-29T02:00:00Z")).Should().BeNull("no occurrence opens at 03:00 local time");
    }
}
