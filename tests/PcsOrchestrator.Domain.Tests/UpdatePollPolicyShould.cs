using PcsOrchestrator.Domain.Timing;

namespace PcsOrchestrator.Domain.Tests;

public sealed class UpdatePollPolicyShould
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FarDeadline = Now.AddHours(24);

    /// <summary>Ten earlier updates of about eight minutes, most recent first.</summary>
    private static readonly double[] EightMinutes = [470, 495, 452, 510, 488, 466, 530, 480, 444, 501];

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void PollEveryThirtySeconds_WithoutEnoughHistory(int known)
    {
        var schedule = UpdatePollPolicy.Default.Schedule(EightMinutes.Take(known).ToArray());

        schedule.Should().Be(PollSchedule.Fixed(30));
        schedule.IsFixed.Should().BeTrue();
        Waits(schedule, 0, 7_200).Should().AllSatisfy(w => w.Should().Be(30));
    }

    [Fact]
    public void WaitUntilCompletionBecomesLikely_ThenPollDensely_WithHistory()
    {
        var schedule = UpdatePollPolicy.Default.Schedule(EightMinutes);

        schedule.IsFixed.Should().BeFalse();
        schedule.BasedOn.Should().Be(10);
        schedule.FirstSeconds.Should().BeInRange(300, 444, "the first look comes before the fastest update recorded");
        schedule.DenseUntilSeconds.Should().BeInRange(530, 900, "the dense window covers the slowest update recorded");
        schedule.Next(TimeSpan.Zero, Now, FarDeadline).WholeSeconds.Should().Be(schedule.FirstSeconds);
        schedule.DelaySeconds(schedule.FirstSeconds).Should().Be(30);
        schedule.DelaySeconds(schedule.DenseUntilSeconds!.Value - 1).Should().Be(30);
    }

    [Fact]
    public void BackOffGently_PastTheDenseWindow_UpToTheLongestGap()
    {
        var schedule = UpdatePollPolicy.Default.Schedule(EightMinutes);
        var tail = Waits(schedule, schedule.DenseUntilSeconds!.Value, 6 * 3_600);

        tail.Should().BeInAscendingOrder();
        tail[0].Should().Be(30);
        tail[^1].Should().Be(420, "no gap is longer than MaxInterval (7 minutes, under half the lock lease)");
    }

    [Fact]
    public void NeverWaitPastTheDeadline_AndGiveUpWhenNoWholeSecondIsLeft()
    {
        var schedule = UpdatePollPolicy.Default.Schedule(EightMinutes);

        schedule.Next(TimeSpan.Zero, Now, Now.AddSeconds(100)).WholeSeconds.Should().Be(100);
        schedule.Next(TimeSpan.FromSeconds(500), Now, Now.AddSeconds(10)).WholeSeconds.Should().Be(10);
        schedule.Next(TimeSpan.FromSeconds(500), Now, Now.AddMilliseconds(900)).GiveUp.Should().BeTrue();
    }

    [Fact]
    public void WidenTheWindow_WhenTheHistoryIsShortOrSpread()
    {
        var five = UpdatePollPolicy.Default.Schedule(EightMinutes.Take(5).ToArray());
        var ten = UpdatePollPolicy.Default.Schedule(EightMinutes);
        var spread = UpdatePollPolicy.Default.Schedule([240, 900, 300, 720, 480, 600, 360, 840, 420, 540]);

        (five.DenseUntilSeconds!.Value - five.FirstSeconds).Should().BeGreaterThan(ten.DenseUntilSeconds!.Value - ten.FirstSeconds);
        spread.FirstSeconds.Should().BeLessThanOrEqualTo(240);
        spread.DenseUntilSeconds.Should().BeGreaterThanOrEqualTo(900);
    }

    [Fact]
    public void NotTrustIdenticalDurationsToTheSecond()
    {
        var schedule = UpdatePollPolicy.Default.Schedule(Enumerable.Repeat(480.0, 10).ToArray());

        schedule.FirstSeconds.Should().BeLessThan(480);
        schedule.DenseUntilSeconds.Should().BeGreaterThan(480 + 30);
    }

    [Fact]
    public void IgnoreDurationsThatCannotBeDurations()
    {
        var schedule = UpdatePollPolicy.Default.Schedule([double.NaN, -5, 0, double.PositiveInfinity, 480]);

        schedule.IsFixed.Should().BeTrue("one real duration is not enough history");
    }

    [Fact]
    public void DetectEveryUpdate_InTheDenseWindow_WithinOneInterval()
    {
        var schedule = UpdatePollPolicy.Default.Schedule(EightMinutes);
        var polls = PollTimes(schedule, 7_200);

        foreach (var duration in Enumerable.Range(schedule.FirstSeconds, schedule.DenseUntilSeconds!.Value - schedule.FirstSeconds))
        {
            var detectedAt = polls.First(p => p >= duration);
            (detectedAt - duration).Should().BeLessThanOrEqualTo(30);
        }
    }

    [Fact]
    public void PollFixedAsTheBaselineDoes_WhenAskedFor()
    {
        var fixed15 = UpdatePollPolicy.Fixed(TimeSpan.FromSeconds(15)).Schedule(EightMinutes);

        fixed15.Should().Be(PollSchedule.Fixed(15));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.975, 1.959964)]
    [InlineData(0.995, 2.575829)]
    [InlineData(0.02, -2.053749)]
    public void ComputeNormalQuantiles(double p, double expected) =>
        Quantiles.Normal(p).Should().BeApproximately(expected, 1e-5);

    [Theory]
    [InlineData(0.975, 4, 2.776445)]
    [InlineData(0.975, 9, 2.262157)]
    [InlineData(0.995, 9, 3.249836)]
    [InlineData(0.98, 19, 2.204701)]
    public void ComputeStudentTQuantiles_WithinThreeTenthsOfAPercent(double p, int degrees, double expected) =>
        Quantiles.StudentT(p, degrees).Should().BeApproximately(expected, expected * 0.003);

    private static List<int> Waits(PollSchedule schedule, int from, int until)
    {
        var waits = new List<int>();
        for (var elapsed = from; elapsed < until;)
        {
            var wait = schedule.Next(TimeSpan.FromSeconds(elapsed), Now, FarDeadline).WholeSeconds;
            wait.Should().BePositive();
            waits.Add(wait);
            elapsed += wait;
        }

        return waits;
    }

    private static List<int> PollTimes(PollSchedule schedule, int until)
    {
        var times = new List<int>();
        var elapsed = 0;
        foreach (var wait in Waits(schedule, 0, until))
        {
            elapsed += wait;
            times.Add(elapsed);
        }

        return times;
    }
}
