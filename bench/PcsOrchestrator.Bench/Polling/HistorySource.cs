namespace PcsOrchestrator.Bench.Polling;

/// <summary>
/// What the audit log holds for the cluster of each measured update: the detected durations (the time of the poll that
/// saw ACTIVE, as Finalize records <c>durationSeconds</c>) of its earlier successful updates, most recent first.
/// </summary>
public abstract class HistorySource
{
    /// <summary>A cluster never updated before.</summary>
    public static HistorySource None { get; } = new Empty();

    /// <summary>Each measured update is the next one of a cluster that has had exactly <paramref name="earlier"/>
    /// updates, themselves polled by <paramref name="strategy"/> with the history they had at the time.</summary>
    public static HistorySource FreshClusters(PollingStrategy strategy, DurationModel model, Random random, int earlier) =>
        new Fresh(strategy, model, random, earlier);

    /// <summary>One long-lived cluster: after a warm-up of <paramref name="depth"/> updates, every measured update sees
    /// the <paramref name="depth"/> detections before it, the measured ones included.</summary>
    public static HistorySource SteadyState(PollingStrategy strategy, DurationModel model, Random random, int depth) =>
        new Rolling(strategy, model, random, depth);

    /// <summary>The history the next measured update starts with.</summary>
    public abstract IReadOnlyList<double> Next();

    /// <summary>The measured update just simulated was detected at <paramref name="detectedAtSeconds"/>.</summary>
    public virtual void Detected(int detectedAtSeconds)
    {
    }

    private static List<double> Warm(PollingStrategy strategy, DurationModel model, Random random, int count)
    {
        var history = new List<double>(count + 1);
        for (var j = 0; j < count; j++)
        {
            var (_, detectedAt) = PollingBenchmark.Simulate(strategy.Start(history), model.Sample(random));
            history.Insert(0, detectedAt);
        }

        return history;
    }

    private sealed class Empty : HistorySource
    {
        public override IReadOnlyList<double> Next() => [];
    }

    private sealed class Fresh(PollingStrategy strategy, DurationModel model, Random random, int earlier) : HistorySource
    {
        public override IReadOnlyList<double> Next() => Warm(strategy, model, random, earlier);
    }

    private sealed class Rolling(PollingStrategy strategy, DurationModel model, Random random, int depth) : HistorySource
    {
        private readonly List<double> _history = Warm(strategy, model, random, depth);

        public override IReadOnlyList<double> Next() => _history;

        public override void Detected(int detectedAtSeconds)
        {
            _history.Insert(0, detectedAtSeconds);
            _history.RemoveAt(_history.Count - 1);
        }
    }
}
