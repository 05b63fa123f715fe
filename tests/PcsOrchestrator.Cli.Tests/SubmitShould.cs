using System.CommandLine;
using System.Text.Json.Nodes;
using PcsOrchestrator.Cli.Commands;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Cli.Tests;

/// <summary><c>submit</c>'s <c>--apply</c> in each of the three input shapes, and its refusals before anything is started.</summary>
public sealed class SubmitShould
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("direct-request.json", "")]
    [InlineData("eventbridge-event.json", "detail")]
    [InlineData("scheduler-input.json", "request")]
    public void SetApplyInTheRequest_WhereverTheInputShapeKeepsIt(string file, string member)
    {
        var text = File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot(), "events", file));

        var applied = SubmitCommand.WithApply(text, ApplyMode.Now);

        var root = JsonNode.Parse(applied)!;
        var request = member.Length == 0 ? root : root[member]!;
        request["apply"]!.GetValue<string>().Should().Be("now");
        root.AsObject().Where(p => p.Key == "apply").Should().HaveCount(member.Length == 0 ? 1 : 0, "apply belongs to the request, not to the envelope");
        root.AsObject().Select(p => p.Key).Should().Equal(JsonNode.Parse(text)!.AsObject().Select(p => p.Key).Concat(member.Length == 0 ? ["apply"] : []), "nothing else changes");
        var intake = RequestIntake.Accept(applied, Now);
        intake.Request!.Apply.Should().Be(ApplyMode.Now);
        intake.Issues.Should().BeEmpty();
    }

    [Fact]
    public void ReplaceTheApplyTheFileGives()
    {
        var applied = SubmitCommand.WithApply("""{"clusterIdentifier":"demo-cluster","apply":"now","slurmConfiguration":{"scaleDownIdleTimeInSeconds":900}}""", ApplyMode.NextWindow);

        applied.Should().Be("""{"clusterIdentifier":"demo-cluster","apply":"next-window","slurmConfiguration":{"scaleDownIdleTimeInSeconds":900}}""");
        RequestIntake.Accept(applied, Now).Request!.Apply.Should().Be(ApplyMode.NextWindow);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1]")]
    [InlineData("""{"detail-type":"x","detail":"not an object"}""")]
    [InlineData("""{"scheduledTime":"2026-11-29T02:00:00Z","request":[1]}""")]
    [InlineData("""{"clusterIdentifier":"a","clusterIdentifier":"b"}""")]
    public void LeaveTextWhoseRequestIsNotAnObject_ForTheValidationToReport(string text)
    {
        SubmitCommand.WithApply(text, ApplyMode.NextWindow).Should().Be(text);
        RequestIntake.Accept(text, Now).Accepted.Should().BeFalse();
    }

    [Fact]
    public void RefuseARequestThatCannotBeQueued_BeforeStartingAnything()
    {
        var error = new StringWriter();
        var output = new StringWriter();

        // The endpoint is never reached: nothing listens there, and the request is refused before any call.
        var exit = CliApp.Run(
            ["submit", Path.Combine(CliProcess.RepositoryRoot(), "events", "scheduler-input.json"), "--apply", "next-window", "--endpoint-url", "http://127.0.0.1:9", "--state-machine-arn", "arn:aws:states:us-east-1:123456789012:stateMachine:x"],
            new InvocationConfiguration { Output = output, Error = error });

        exit.Should().Be(ExitCodes.Failed);
        output.ToString().Should().BeEmpty();
        error.ToString().Should().Be(
            "error: the request is invalid (1 issue); nothing was started:\n" +
            "  $.request.maintenanceWindow: cannot be combined with apply 'next-window': a queued change is applied in its cluster's own maintenance window [conflict]\n");
    }

    [Fact]
    public void AcceptOnlyNowOrNextWindow_AsApply()
    {
        var error = new StringWriter();

        var exit = CliApp.Run(["submit", "events/direct-request.json", "--apply", "later"], new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Contain("later").And.Contain("next-window");
    }
}
