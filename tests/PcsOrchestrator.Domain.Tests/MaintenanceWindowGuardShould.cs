using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class MaintenanceWindowGuardShould
{
    private static readonly MaintenanceWindow Window = new(new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(30));

    [Fact]
    public void Proceed_WithoutAWindow() =>
        MaintenanceWindowGuard.Evaluate(Requests.Now, null, null).Should().Be(WindowDecision.Go);

    [Fact]
    public void Proceed_WhenTheUpdateFitsBeforeTheCutoffAndTheEnd() =>
        MaintenanceWindowGuard.Evaluate(Window.End.AddHours(-2), Window, TimeSpan.FromMinutes(20)).Proceed.Should().BeTrue();

    [Fact]
    public void Proceed_ExactlyAtTheLatestStart_WhenTheUpdateFits() =>
        MaintenanceWindowGuard.Evaluate(Window.LatestStart, Window, TimeSpan.FromMinutes(30)).Proceed.Should().BeTrue();

    [Fact]
    public void Defer_AfterTheCutoff()
    {
        var decision = MaintenanceWindowGuard.Evaluate(Window.LatestStart.AddSeconds(1), Window, TimeSpan.FromMinutes(1));

        decision.Proceed.Should().BeFalse();
        decision.Reason.Should().Contain("cutoff").And.Contain("2026-11-25T05:30:00Z");
    }

    [Fact]
    public void Defer_WhenTheExpectedDurationRunsPastTheEnd()
    {
        var decision = MaintenanceWindowGuard.Evaluate(Window.End.AddMinutes(-40), Window, TimeSpan.FromMinutes(45));

        decision.Proceed.Should().BeFalse();
        decision.Reason.Should().Contain("45 min").And.Contain("2026-11-25T06:00:00Z");
    }

    [Fact]
    public void Defer_BeforeTheWindowOpens()
    {
        var window = Window with { Start = Window.End.AddHours(-4) };

        var decision = MaintenanceWindowGuard.Evaluate(window.Start.Value.AddMinutes(-1), window, TimeSpan.FromMinutes(10));

        decision.Proceed.Should().BeFalse();
        decision.Reason.Should().Contain("opens at 2026-11-25T02:00:00Z");
        MaintenanceWindowGuard.Evaluate(window.Start.Value, window, TimeSpan.FromMinutes(10)).Proceed.Should().BeTrue();
    }

    [Fact]
    public void AssumeFifteenMinutes_WhenNoDurationIsExpected() =>
        MaintenanceWindowGuard.Evaluate(Window.End.AddMinutes(-14), new MaintenanceWindow(Window.End, TimeSpan.Zero), null).Proceed.Should().BeFalse();
}
