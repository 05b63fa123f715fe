using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Planning;

namespace PcsOrchestrator.Domain.Tests;

public sealed class PlannerShould
{
    private static readonly ClusterConfiguration Current = new()
    {
        ScaleDownIdleTimeInSeconds = 600,
        SlurmCustomSettings = [new("MinJobAge", "300"), new("Prolog", "/opt/prolog.sh"), new("PriorityWeightAge", "10")],
        SlurmdbdCustomSettings = [new("PurgeJobAfter", "12month")],
        AccountingMode = FeatureMode.Standard,
    };

    [Fact]
    public void KeepSettingsTheRequestDoesNotName_InMergeMode_AndSendTheChangedListWhole()
    {
        var change = new SlurmConfigurationChange { SlurmCustomSettings = [new("MinJobAge", "600")] };

        var plan = Planner.Plan(Current, change, new UpdateOptions());

        plan.Desired.SlurmCustomSettings.Should().Equal(new CustomSetting("MinJobAge", "600"), new CustomSetting("Prolog", "/opt/prolog.sh"), new CustomSetting("PriorityWeightAge", "10"));
        plan.Payload.Should().BeEquivalentTo(new SlurmConfigurationChange { SlurmCustomSettings = plan.Desired.SlurmCustomSettings },
            "only the changed list is sent, and it is sent whole because PCS replaces lists");
        plan.Changes.Should().Equal(new ConfigurationChange("slurmConfiguration.slurmCustomSettings[MinJobAge]", "300", "600"));
    }

    [Fact]
    public void ApplyExplicitRemovals_InMergeMode()
    {
        var options = new UpdateOptions { RemoveSettings = new SettingRemovals(["prolog"], [], []) };

        var plan = Planner.Plan(Current, new SlurmConfigurationChange(), options);

        plan.Desired.SlurmCustomSettings.Select(s => s.ParameterName).Should().Equal("MinJobAge", "PriorityWeightAge");
        plan.Changes.Should().Equal(new ConfigurationChange("slurmConfiguration.slurmCustomSettings[Prolog]", "/opt/prolog.sh", null));
    }

    [Fact]
    public void SendTheRequestsListAsTheWholeList_InReplaceMode()
    {
        var change = new SlurmConfigurationChange { SlurmCustomSettings = [new("MinJobAge", "300")] };

        var plan = Planner.Plan(Current, change, new UpdateOptions { SettingsMode = SettingsMode.Replace });

        plan.Desired.SlurmCustomSettings.Should().Equal(new CustomSetting("MinJobAge", "300"));
        plan.Desired.SlurmdbdCustomSettings.Should().Equal(Current.SlurmdbdCustomSettings, "a list the request does not give stays as it is");
        plan.Changes.Select(c => c.Path).Should().Equal(
            "slurmConfiguration.slurmCustomSettings[PriorityWeightAge]", "slurmConfiguration.slurmCustomSettings[Prolog]");
    }

    [Fact]
    public void ReportNoOp_WhenTheRequestAsksForWhatIsThere()
    {
        var change = new SlurmConfigurationChange
        {
            ScaleDownIdleTimeInSeconds = 600,
            SlurmCustomSettings = [new("PriorityWeightAge", "10")],
            Accounting = new AccountingChange(-1, FeatureMode.Standard),
            SlurmRest = new SlurmRestChange(FeatureMode.None),
        };

        var plan = Planner.Plan(Current, change, new UpdateOptions());

        plan.IsNoOp.Should().BeTrue();
        plan.Payload.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void SendOnlyTheChangedScalarSections()
    {
        var change = new SlurmConfigurationChange
        {
            ScaleDownIdleTimeInSeconds = 900,
            Accounting = new AccountingChange(30, FeatureMode.Standard),
            SlurmRest = new SlurmRestChange(FeatureMode.Standard),
        };

        var plan = Planner.Plan(Current, change, new UpdateOptions());

        plan.Payload.Should().BeEquivalentTo(new SlurmConfigurationChange
        {
            ScaleDownIdleTimeInSeconds = 900,
            Accounting = new AccountingChange(30, null),
            SlurmRest = new SlurmRestChange(FeatureMode.Standard),
        });
        plan.Changes.Select(c => (c.Path, c.Current, c.Desired)).Should().Equal(
            ("slurmConfiguration.scaleDownIdleTimeInSeconds", "600", "900"),
            ("slurmConfiguration.accounting.defaultPurgeTimeInDays", "-1", "30"),
            ("slurmConfiguration.slurmRest.mode", "NONE", "STANDARD"));
    }

    [Fact]
    public void TreatWhatGetClusterLeavesOut_AsTheServiceDefaults()
    {
        var reported = ClusterConfiguration.FromReported(new SlurmConfigurationChange { SlurmCustomSettings = [new("MinJobAge", "300")] });

        reported.ScaleDownIdleTimeInSeconds.Should().Be(600);
        reported.DefaultPurgeTimeInDays.Should().Be(-1);
        reported.AccountingMode.Should().Be(FeatureMode.None);
        reported.SlurmRestMode.Should().Be(FeatureMode.None);
        reported.CgroupCustomSettings.Should().BeEmpty();
        Planner.Plan(reported, new SlurmConfigurationChange { ScaleDownIdleTimeInSeconds = 600 }, new UpdateOptions()).IsNoOp.Should().BeTrue();
    }

    [Fact]
    public void IgnoreListOrder_WhenComparing()
    {
        var reordered = Current with { SlurmCustomSettings = [.. Current.SlurmCustomSettings.Reverse()] };

        Planner.Diff(Current, reordered).Should().BeEmpty();
        Planner.Payload(Current, reordered).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void RollBackToTheCapturedConfiguration_WithAFullPayload()
    {
        var failed = Planner.Apply(Current, new SlurmConfigurationChange { ScaleDownIdleTimeInSeconds = 900 }, new UpdateOptions());

        var rollback = Planner.Plan(failed, Current.ToFullChange(), new UpdateOptions { SettingsMode = SettingsMode.Replace });

        rollback.Desired.Should().BeEquivalentTo(Current);
        rollback.Payload.Should().BeEquivalentTo(new SlurmConfigurationChange { ScaleDownIdleTimeInSeconds = 600 });
    }
}
