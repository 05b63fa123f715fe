using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class WindowPlannerShould
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static readonly ClusterConfiguration Live = new()
    {
        ScaleDownIdleTimeInSeconds = 600,
        SlurmCustomSettings = [new("PriorityWeightFairshare", "5000"), new("MinJobAge", "300"), new("Prolog", "/opt/slurm/prolog.sh")],
        DefaultPurgeTimeInDays = 30,
        AccountingMode = FeatureMode.Standard,
    };

    private static QueuedChange Change(string id, int hour, string configuration, string options = "{}")
    {
        var json = $$"""{"clusterIdentifier":"demo-cluster","apply":"next-window","slurmConfiguration":{{configuration}},"options":{{options}}}""";
        var intake = RequestIntake.Accept(json, Monday);
        intake.Issues.Should().BeEmpty();
        return new QueuedChange(id, Monday.AddHours(hour), intake.Request!);
    }

    [Fact]
    public void MergeThreeQueuedChanges_IntoOnePayload_LaterChangesWinningPerSetting()
    {
        var changes = new[]
        {
            Change("c1", 0, """{"scaleDownIdleTimeInSeconds":900,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}"""),
            Change("c2", 2, """{"slurmCustomSettings":[{"parameterName":"PriorityWeightAge","parameterValue":"1000"}]}""", """{"removeSettings":{"slurmCustomSettings":["Prolog"]}}"""),
            Change("c3", 5, """{"scaleDownIdleTimeInSeconds":1800,"accounting":{"defaultPurgeTimeInDays":90}}"""),
        };

        var plan = WindowPlanner.Plan(Live, null, DriftMode.Off, changes);

        plan.Issues.Should().BeEmpty();
        plan.Plan.Desired.ScaleDownIdleTimeInSeconds.Should().Be(1800, "c3 was submitted after c1");
        plan.Plan.Desired.SlurmCustomSettings.Should().Equal(new CustomSetting("PriorityWeightFairshare", "5000"), new CustomSetting("MinJobAge", "600"), new CustomSetting("PriorityWeightAge", "1000"));
        plan.Plan.Desired.DefaultPurgeTimeInDays.Should().Be(90);
        plan.Plan.Payload.SlurmCustomSettings.Should().HaveCount(3, "a changed list is sent whole");
        plan.Plan.Changes.Select(c => c.Path).Should().Equal(
            "slurmConfiguration.scaleDownIdleTimeInSeconds",
            "slurmConfiguration.slurmCustomSettings[MinJobAge]",
            "slurmConfiguration.slurmCustomSettings[Prolog]",
            "slurmConfiguration.slurmCustomSettings[PriorityWeightAge]",
            "slurmConfiguration.accounting.defaultPurgeTimeInDays");
        plan.Conflicts.Should().ContainSingle().Which.Should().BeEquivalentTo(new MergeConflict(WindowPlanner.ScaleDownPath, [new("c1", "900"), new("c3", "1800")]), "two changes set the idle time to different values");
        plan.Conflicts[0].Winner.ChangeId.Should().Be("c3");
        plan.Drift.Should().BeEmpty();
        plan.CorrectsDrift.Should().BeFalse();
    }

    [Fact]
    public void ReportASettingOneChangeSetsAndALaterOneRemoves_AndHonourTheRemoval()
    {
        var changes = new[]
        {
            Change("c1", 0, """{"slurmCustomSettings":[{"parameterName":"Prolog","parameterValue":"/opt/slurm/prolog-v2.sh"}]}"""),
            Change("c2", 1, "{}", """{"removeSettings":{"slurmCustomSettings":["prolog"]}}"""),
        };

        var plan = WindowPlanner.Plan(Live, null, DriftMode.Off, changes);

        plan.Plan.Desired.SlurmCustomSettings.Select(s => s.ParameterName).Should().Equal("PriorityWeightFairshare", "MinJobAge");
        plan.Conflicts.Should().ContainSingle().Which.ToString().Should().Be(
            "slurmConfiguration.slurmCustomSettings[Prolog]: c1 sets /opt/slurm/prolog-v2.sh, c2 sets (removed); c2 wins (submitted last)");
    }

    [Fact]
    public void NotReportTwoChangesThatAgree()
    {
        var same = """{"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}""";

        WindowPlanner.Plan(Live, null, DriftMode.Off, [Change("c1", 0, same), Change("c2", 1, same)]).Conflicts.Should().BeEmpty();
    }

    [Fact]
    public void LetAReplaceModeListReplaceWhatEarlierChangesLeft()
    {
        var changes = new[]
        {
            Change("c1", 0, """{"slurmCustomSettings":[{"parameterName":"PriorityWeightAge","parameterValue":"1000"}]}"""),
            Change("c2", 1, """{"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"900"}]}""", """{"settingsMode":"replace"}"""),
        };

        var plan = WindowPlanner.Plan(Live, null, DriftMode.Off, changes);

        plan.Plan.Desired.SlurmCustomSettings.Should().Equal(new CustomSetting("MinJobAge", "900"));
        plan.Conflicts.Select(c => c.Path).Should().Equal("slurmConfiguration.slurmCustomSettings[PriorityWeightAge]");
    }

    [Fact]
    public void PlanNothing_WhenNoChangeIsQueuedAndNothingDrifted()
    {
        var plan = WindowPlanner.Plan(Live, Live, DriftMode.Correct, []);

        plan.Plan.IsNoOp.Should().BeTrue();
        plan.Drift.Should().BeEmpty();
        plan.Intended.Should().BeEquivalentTo(Live);
        WindowPlanner.Plan(Live, Live, DriftMode.Off, []).Intended.Should().BeNull("without drift detection nothing needs the reference");
        plan.RollbackOnFailure.Should().BeFalse();
        plan.ExpectedDuration.Should().BeNull();
    }

    [Fact]
    public void ReportDriftWithoutTouchingIt_InReportMode()
    {
        var byHand = Live with { ScaleDownIdleTimeInSeconds = 60 };

        var plan = WindowPlanner.Plan(byHand, Live, DriftMode.Report, [Change("c1", 0, """{"accounting":{"defaultPurgeTimeInDays":90}}""")]);

        plan.Drift.Should().Equal(new DriftItem(WindowPlanner.ScaleDownPath, "600", "60"));
        plan.CorrectsDrift.Should().BeFalse();
        plan.Plan.Desired.ScaleDownIdleTimeInSeconds.Should().Be(60, "report mode leaves the hand-made change");
        plan.Plan.Changes.Select(c => c.Path).Should().Equal(WindowPlanner.PurgePath);
        plan.Intended.Should().BeEquivalentTo(Live with { DefaultPurgeTimeInDays = 90 }, "the reference stays what the orchestrator applied, so the drift is reported again next time");
    }

    [Fact]
    public void RestoreTheLastAppliedConfiguration_AndApplyTheQueuedChangesOnTop_InCorrectMode()
    {
        var byHand = Live with { ScaleDownIdleTimeInSeconds = 60, SlurmCustomSettings = [.. Live.SlurmCustomSettings, new("MaxJobCount", "1")] };

        var plan = WindowPlanner.Plan(byHand, Live, DriftMode.Correct, [Change("c1", 0, """{"accounting":{"defaultPurgeTimeInDays":90}}""")]);

        plan.Drift.Select(d => d.Path).Should().Equal(WindowPlanner.ScaleDownPath, "slurmConfiguration.slurmCustomSettings[MaxJobCount]");
        plan.CorrectsDrift.Should().BeTrue();
        plan.Plan.Desired.Should().BeEquivalentTo(Live with { DefaultPurgeTimeInDays = 90 });
        plan.Intended.Should().BeEquivalentTo(plan.Plan.Desired);
        plan.Plan.Changes.Select(c => (c.Path, c.Current, c.Desired)).Should().Equal(
            (WindowPlanner.ScaleDownPath, "60", "600"),
            ("slurmConfiguration.slurmCustomSettings[MaxJobCount]", "1", null),
            (WindowPlanner.PurgePath, "30", "90"));
    }

    [Fact]
    public void AskForRollbackWhenAnyChangeDoes_AndExpectTheLongestDuration()
    {
        var plan = WindowPlanner.Plan(Live, null, DriftMode.Off,
        [
            Change("c1", 0, """{"scaleDownIdleTimeInSeconds":900}""", """{"expectedUpdateMinutes":20}"""),
            Change("c2", 1, """{"accounting":{"defaultPurgeTimeInDays":90}}""", """{"rollbackOnFailure":true,"expectedUpdateMinutes":35}"""),
        ]);

        plan.RollbackOnFailure.Should().BeTrue();
        plan.ExpectedDuration.Should().Be(TimeSpan.FromMinutes(35));
    }

    [Fact]
    public void ReportAMergedListOverTheLimit_ThatNoSingleChangeReached()
    {
        var first = new JsonArray([.. Enumerable.Range(0, 150).Select(i => (JsonNode)Requests.Setting($"Custom{i}", "1"))]);
        var second = new JsonArray([.. Enumerable.Range(150, 100).Select(i => (JsonNode)Requests.Setting($"Custom{i}", "1"))]);
        var options = """{"allowUnlistedSettings":true}""";

        var plan = WindowPlanner.Plan(ClusterConfiguration.Defaults, null, DriftMode.Off,
        [
            Change("c1", 0, new JsonObject { ["slurmCustomSettings"] = first }.ToJsonString(), options),
            Change("c2", 1, new JsonObject { ["slurmCustomSettings"] = second }.ToJsonString(), options),
        ]);

        plan.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == "$.merged.slurmConfiguration.slurmCustomSettings" && i.Rule == Rules.TooMany);
    }
}
