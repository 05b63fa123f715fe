using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Domain.Tests;

public sealed class WindowScheduleShould
{
    private static WindowSchedule Schedule(string expression, string zone = "UTC", int duration = 120, int cutoff = 30, DateTimeOffset? anchor = null)
    {
        var (schedule, issues) = WindowSchedule.Parse(expression, zone, duration, cutoff, anchor);
        issues.Should().BeEmpty();
        return schedule!;
    }

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void OpenAtTheSameLocalTime_OnBothSidesOfAutumnsDaylightSavingChange()
    {
        // Saturdays 22:00 in Berlin: CEST (UTC+2) until 25 October 2026, CET (UTC+1) after.
        var windows = Schedule("cron(0 22 ? * SAT *)", "Europe/Berlin").Occurrences(Utc("2026-10-17T00:00:00Z"), 3);

        windows.Select(w => w.Start).Should().Equal(Utc("2026-10-17T20:00:00Z"), Utc("2026-10-24T20:00:00Z"), Utc("2026-10-31T21:00:00Z"));
        windows[0].End.Should().Be(Utc("2026-10-17T22:00:00Z"));
        windows[0].LatestStart.Should().Be(Utc("2026-10-17T21:30:00Z"), "the cutoff is 30 minutes before the end");
    }

    [Fact]
    public void OpenRightAfterTheGap_WhenSpringsChangeSkipsTheLocalTime()
    {
        // 02:30 on 29 March 2026 does not exist in Berlin (02:00 CET jumps to 03:00 CEST).
        var windows = Schedule("cron(30 2 ? * SUN *)", "Europe/Berlin").Occurrences(Utc("2026-03-21T00:00:00Z"), 3);

        windows.Select(w => w.Start).Should().Equal(Utc("2026-03-22T01:30:00Z"), Utc("2026-03-29T01:00:00Z"), Utc("2026-04-05T00:30:00Z"));
    }

    [Fact]
    public void OpenOnce_WhenAutumnsChangeRepeatsTheLocalTime()
    {
        // 02:30 on 25 October 2026 happens twice in Berlin; the window opens at the first.
        var windows = Schedule("cron(30 2 ? * SUN *)", "Europe/Berlin", duration: 60, cutoff: 10).Occurrences(Utc("2026-10-24T00:00:00Z"), 2);

        windows.Select(w => w.Start).Should().Equal(Utc("2026-10-25T00:30:00Z"), Utc("2026-11-01T01:30:00Z"));
    }

    [Fact]
    public void ReadDayOfWeekAsEventBridgeDoes_OneIsSunday()
    {
        var weekdays = Schedule("cron(0 6 ? * 2-6 *)").Occurrences(Utc("2026-11-21T00:00:00Z"), 6);

        weekdays.Select(w => w.Start!.Value.DayOfWeek).Should().Equal(DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Monday);
        Schedule("cron(0 6 ? * 1 *)").Occurrences(Utc("2026-11-21T00:00:00Z"), 1)[0].Start!.Value.DayOfWeek.Should().Be(DayOfWeek.Sunday);
        Schedule("cron(0 6 ? * 6#3 *)").Occurrences(Utc("2026-11-01T00:00:00Z"), 1)[0].Start.Should().Be(Utc("2026-11-20T06:00:00Z"), "the third Friday");
        Schedule("cron(0 6 ? * 6L *)").Occurrences(Utc("2026-11-01T00:00:00Z"), 1)[0].Start.Should().Be(Utc("2026-11-27T06:00:00Z"), "the last Friday");
    }

    [Fact]
    public void KeepToTheYearField()
    {
        var windows = Schedule("cron(0 3 1 * ? 2027)").Occurrences(Utc("2026-11-01T00:00:00Z"), 2);

        windows.Select(w => w.Start).Should().Equal(Utc("2027-01-01T03:00:00Z"), Utc("2027-02-01T03:00:00Z"));
    }

    [Fact]
    public void CountRateSchedulesFromTheirAnchor_AndOpenAtOnceForAnAtSchedule()
    {
        var rate = Schedule("rate(6 hours)", duration: 240, anchor: Utc("2026-11-24T01:00:00Z")).Occurrences(Utc("2026-11-25T04:10:00Z"), 2);
        var once = Schedule("at(2026-12-24T18:00:00)", "America/New_York").Occurrences(Utc("2026-11-25T00:00:00Z"), 2);

        rate.Select(w => w.Start).Should().Equal(new DateTimeOffset?[] { Utc("2026-11-25T01:00:00Z"), Utc("2026-11-25T07:00:00Z") }, "the window opened at 01:00 is still open at 04:10");
        once.Should().ContainSingle().Which.Start.Should().Be(Utc("2026-12-24T23:00:00Z"));
    }

    [Fact]
    public void SayWhichWindowIsOpen_AndWhichIsTheNextAnUpdateCanStartIn()
    {
        var schedule = Schedule("cron(0 22 ? * * *)", "UTC", duration: 120, cutoff: 30);

        schedule.OpenAt(Utc("2026-11-25T23:00:00Z"))!.Start.Should().Be(Utc("2026-11-25T22:00:00Z"));
        schedule.OpenAt(Utc("2026-11-25T21:59:00Z")).Should().BeNull();
        schedule.NextUsable(Utc("2026-11-25T23:00:00Z"))!.Start.Should().Be(Utc("2026-11-25T22:00:00Z"), "an update may still start until 23:30");
        schedule.NextUsable(Utc("2026-11-25T23:45:00Z"))!.Start.Should().Be(Utc("2026-11-26T22:00:00Z"), "past the cutoff the next window is tomorrow's");
    }

    [Theory]
    [InlineData("cron(0 2 * * * *)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("cron(0 2 ? * *)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("cron(0 25 ? * * *)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("cron(0 2 ? * 8 *)", "UTC", 60, 10, "$.schedule", Rules.Range)]
    [InlineData("cron(0 2 ? * */2 *)", "UTC", 60, 10, "$.schedule", Rules.Range)]
    [InlineData("cron(0 2 ? * * 1969)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("rate(1 days)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("rate(0 hours)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("every sunday", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("at(2026-13-01T00:00:00)", "UTC", 60, 10, "$.schedule", Rules.Pattern)]
    [InlineData("cron(0 2 ? * SUN *)", "Mars/Olympus_Mons", 60, 10, "$.timeZone", Rules.TimeZone)]
    [InlineData("cron(0 2 ? * SUN *)", "UTC", 0, 0, "$.durationMinutes", Rules.Range)]
    [InlineData("cron(0 2 ? * SUN *)", "UTC", 60, 60, "$.cutoffMinutes", Rules.Range)]
    [InlineData("cron(0 2 ? * SUN *)", "UTC", 60, -1, "$.cutoffMinutes", Rules.Range)]
    public void RejectABadDefinition_NamingTheFieldAndTheRule(string expression, string zone, int duration, int cutoff, string path, string rule)
    {
        var (schedule, issues) = WindowSchedule.Parse(expression, zone, duration, cutoff);

        schedule.Should().BeNull();
        issues.Should().Contain(i => i.Path == path && i.Rule == rule, string.Join(" | ", issues));
    }

    [Fact]
    public void RequireAnAnchor_ForARateSchedule()
    {
        var (_, issues) = WindowSchedule.Parse("rate(7 days)", "UTC", 60, 10);

        issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == "$.anchor" && i.Rule == Rules.Required);
    }
}
