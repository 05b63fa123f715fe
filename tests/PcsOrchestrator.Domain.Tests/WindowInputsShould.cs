using System.Text.Json;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class WindowInputsShould
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ReadWhatTheWindowsScheduleSends()
    {
        var input = Json("""{"window":"sunday-night","scheduledTime":"2026-11-29T01:00:00Z","scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/pcs/sunday-night"}""");

        WindowInputs.IsWindowInput(input).Should().BeTrue();
        var (opening, run, issues) = WindowInputs.Parse(input);

        issues.Should().BeEmpty();
        run.Should().BeNull();
        opening.Should().Be(new WindowOpening("sunday-night", Utc("2026-11-29T01:00:00Z"), "arn:aws:scheduler:us-east-1:123456789012:schedule/pcs/sunday-night"));
    }

    [Fact]
    public void RoundTripAWindowRun_WithAStableKeyAndExecutionName()
    {
        var run = new WindowRun("sunday-night", "demo-cluster", new MaintenanceWindow(Utc("2026-11-29T05:00:00Z"), TimeSpan.FromHours(1)) { Start = Utc("2026-11-29T01:00:00Z") }, DriftMode.Correct, Utc("2026-11-29T01:00:00Z"));

        var (_, again, issues) = WindowInputs.Parse(Json(System.Text.Encoding.UTF8.GetString(run.ToJson())));

        issues.Should().BeEmpty();
        again.Should().Be(run);
        run.IdempotencyKey.Should().Be("window:sunday-night:demo-cluster:2026-11-29T01:00:00Z");
        run.ExecutionName.Should().MatchRegex("^w-sunday-night-demo-cluster-20261129T0100-[0-9a-f]{8}$");
        run.ExecutionName.Length.Should().BeLessThanOrEqualTo(80);
        (run with { ClusterIdentifier = "other-cluster" }).ExecutionName.Should().NotBe(run.ExecutionName);
    }

    [Fact]
    public void RefuseAWindowRunWhoseCutoffLeavesNoTime_NamingTheField()
    {
        var (_, run, issues) = WindowInputs.Parse(Json("""{"windowRun":{"window":"w","clusterIdentifier":"demo-cluster","start":"2026-11-29T01:00:00Z","end":"2026-11-29T02:00:00Z","cutoffMinutes":90}}"""));

        run.Should().BeNull();
        issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == "$.windowRun.cutoffMinutes" && i.Rule == Rules.Range);
    }

    [Fact]
    public void RefuseAnOpeningWithoutItsTime_OrWithABadName()
    {
        var (_, _, issues) = WindowInputs.Parse(Json("""{"window":"no spaces"}"""));

        issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo([("$.scheduledTime", Rules.Required), ("$.window", Rules.Pattern)]);
    }

    [Fact]
    public void LeaveRequestsToTheRequestIntake()
    {
        WindowInputs.IsWindowInput(Json(Requests.Full().ToJsonString())).Should().BeFalse();
        WindowInputs.IsWindowInput(Json(Requests.Scheduler(Requests.Full()).ToJsonString())).Should().BeFalse();
    }
}
