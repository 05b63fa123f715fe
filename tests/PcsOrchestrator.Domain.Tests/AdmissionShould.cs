using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class AdmissionShould
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static WindowDefinition Window(string? defaultApply = null)
    {
        var json = $$"""{"name":"sunday-night","schedule":"cron(0 2 ? * SUN *)","timeZone":"UTC","durationMinutes":240,"cutoffMinutes":60,"clusters":["research-cluster"]{{(defaultApply is null ? string.Empty : $",\"defaultApply\":\"{defaultApply}\"")}}}""";
        var (window, issues) = WindowDefinition.Parse(json);
        issues.Should().BeEmpty();
        return window!;
    }

    private static UpdateRequest Request(string? apply = null, bool ownWindow = false)
    {
        var body = Requests.Full();
        body.Remove("idempotencyKey");
        if (!ownWindow)
        {
            body.Remove("maintenanceWindow");
        }

        if (apply is not null)
        {
            body["apply"] = apply;
        }

        var intake = RequestIntake.Accept(body.ToJsonString(), Monday);
        intake.Issues.Should().BeEmpty();
        return intake.Request!;
    }

    [Fact]
    public void QueueForTheNextWindow_WhenTheRequestSaysNothingAndTheStackDefaultsToTheNextWindow()
    {
        var decision = Admission.Decide(Request(), Window(), ApplyMode.NextWindow, Monday);

        decision.Apply.Should().Be(ApplyMode.NextWindow);
        decision.Window.Should().Be("sunday-night");
        decision.Reason.Should().Contain("the stack's default").And.Contain("opens next at 2026-11-29T02:00:00Z");
        decision.Refused.Should().BeFalse();
    }

    [Fact]
    public void FollowTheWindowsOwnDefault_OverTheStacks()
    {
        Admission.Decide(Request(), Window("now"), ApplyMode.NextWindow, Monday).Apply.Should().Be(ApplyMode.Now);
        Admission.Decide(Request(), Window("next-window"), ApplyMode.Now, Monday).Apply.Should().Be(ApplyMode.NextWindow);
        Admission.Decide(Request(), Window(), ApplyMode.Now, Monday).Apply.Should().Be(ApplyMode.Now);
    }

    [Fact]
    public void ApplyNow_WhenTheRequestSaysSo_EvenForAClusterWithAWindow()
    {
        var decision = Admission.Decide(Request("now"), Window("next-window"), ApplyMode.NextWindow, Monday);

        decision.Apply.Should().Be(ApplyMode.Now);
        decision.Reason.Should().Contain("outside maintenance window sunday-night");
    }

    [Fact]
    public void ApplyNow_WhenTheRequestCarriesItsOwnWindow()
    {
        Admission.Decide(Request(ownWindow: true), Window("next-window"), ApplyMode.NextWindow, Monday).Apply.Should().Be(ApplyMode.Now);
    }

    [Fact]
    public void ApplyNow_ForAClusterWithoutAWindow_AndRefuseTheNextWindowThere()
    {
        Admission.Decide(Request(), null, ApplyMode.NextWindow, Monday).Apply.Should().Be(ApplyMode.Now);

        var refused = Admission.Decide(Request("next-window"), null, ApplyMode.NextWindow, Monday);
        refused.Refused.Should().BeTrue();
        refused.Refusal.Should().Contain("research-cluster has no maintenance window");
    }

    [Fact]
    public void RefuseNextWindowWithTheRequestsOwnWindow_OrADryRun_AndRequeueWithApplyNow()
    {
        var body = Requests.Full();
        body["apply"] = "next-window";
        body["options"]!["dryRun"] = true;
        var issues = RequestIntake.Accept(body.ToJsonString(), Monday).Issues;
        issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo([("$.maintenanceWindow", Rules.Conflict), ("$.options.dryRun", Rules.Conflict)]);

        var now = Requests.Full();
        now.Remove("maintenanceWindow");
        now["apply"] = "now";
        now["options"]!["requeueOnFailure"] = true;
        RequestIntake.Accept(now.ToJsonString(), Monday).Issues.Should().ContainSingle()
            .Which.Should().Match<ValidationIssue>(i => i.Path == "$.options.requeueOnFailure" && i.Rule == Rules.Conflict);

        var bad = Requests.Full();
        bad["apply"] = "tomorrow";
        RequestIntake.Accept(bad.ToJsonString(), Monday).Issues.Should().ContainSingle()
            .Which.Should().Match<ValidationIssue>(i => i.Path == "$.apply" && i.Rule == Rules.Enum);
    }

    [Fact]
    public void CarryApplyAndRequeueThroughTheNormalizedRequest()
    {
        var body = Requests.Full();
        body.Remove("maintenanceWindow");
        body["apply"] = "next-window";
        body["options"]!["requeueOnFailure"] = true;
        var request = RequestIntake.Accept(body.ToJsonString(), Monday).Request!;

        var again = RequestIntake.Accept(System.Text.Encoding.UTF8.GetString(Parsing.RequestWriter.Write(request)), Monday);

        again.Issues.Should().BeEmpty();
        again.Request!.Apply.Should().Be(ApplyMode.NextWindow);
        again.Request.Options.RequeueOnFailure.Should().BeTrue();
        again.Identity!.PayloadHash.Should().Be(RequestIntake.Accept(body.ToJsonString(), Monday).Identity!.PayloadHash);
        JsonNode.Parse(Parsing.RequestWriter.Write(request))!["apply"]!.GetValue<string>().Should().Be("next-window");
    }
}
