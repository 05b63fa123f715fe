namespace PcsOrchestrator.Bench.Polling;

/// <summary>
/// The least mean number of polls any policy can make on a set of update durations while keeping the p95 detection
/// lag at most <see cref="LagSeconds"/>, when all it knows is their distribution (not the duration of the update at
/// hand). Such a policy learns nothing between polls but "still updating", so it is a schedule of poll times
/// t1 &lt; t2 &lt; ... (whole seconds after UpdateCluster, as Wait states allow), or a random choice among schedules.
/// <para>
/// For a schedule, the expected calls are <c>Σk P(D &gt; t(k-1))</c> and the lag exceeds L exactly for the durations in
/// <c>(t(k-1), tk - L)</c>. Minimising <c>calls + λ · violations</c> over all schedules is a shortest path over the
/// seconds 0..max(D) (dynamic programming, O(T²)); by weak duality <c>max over λ of [that minimum - λ · 5 %]</c> is a
/// lower bound for every schedule and every random mix of schedules that keeps the violations at most 5 %
/// (<see cref="LowerCalls"/>). The best schedule found on the way that does keep them at most 5 % is an achievable
/// value (<see cref="AchievableCalls"/>): the true optimum lies between the two.
/// </para>
/// </summary>
public sealed record PollBound(double LagSeconds, double LowerCalls, double AchievableCalls, IReadOnlyList<int> AchievableSchedule)
{
    /// <summary>The bound on the empirical distribution of <paramref name="durations"/> for a p-quantile lag of <paramref name="lagSeconds"/>.</summary>
    public static PollBound Compute(IReadOnlyList<double> durations, double lagSeconds, double quantile = 0.95)
    {
        ArgumentNullException.ThrowIfNull(durations);
        ArgumentOutOfRangeException.ThrowIfLessThan(durations.Count, 1);
        var sorted = durations.Order().ToArray();
        var n = sorted.Length;

        // Nearest-rank quantile: the p95 lag is at most L when at most n - ceil(0.95 n) lags exceed L.
        var allowed = n - (int)Math.Ceiling(quantile * n);
        var horizon = (int)Math.Ceiling(sorted[^1]);

        // doneBy[t] = #(D <= t); lateBefore[t] = #(D < t - L): a poll at t misses the lag target for every duration
        // above the previous poll and below t - L.
        var doneBy = new int[horizon + 1];
        var lateBefore = new int[horizon + 1];
        for (var t = 0; t <= horizon; t++)
        {
            doneBy[t] = UpperBound(sorted, t);
            lateBefore[t] = LowerBound(sorted, t - lagSeconds);
        }

        var solver = new Solver(doneBy, lateBefore, n, horizon);
        double lower = 0, achievable = double.PositiveInfinity;
        IReadOnlyList<int> schedule = [];
        void Consider(double lambda)
        {
            var (calls, violations) = solver.Solve(lambda);
            lower = Math.Max(lower, (calls + (lambda * (violations - allowed))) / n);
            if (violations <= allowed && calls / (double)n < achievable)
            {
                achievable = calls / (double)n;
                schedule = solver.Schedule();
            }
        }

        // Violations fall as λ grows; bisect λ (on a log scale) to where they cross the allowance.
        double lo = 1e-3, hi = 1e5;
        Consider(lo);
        Consider(hi);
        for (var i = 0; i < 40; i++)
        {
            var mid = Math.Sqrt(lo * hi);
            var (_, violations) = solver.Solve(mid);
            Consider(mid);
            if (violations > allowed)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return new PollBound(lagSeconds, lower, achievable, schedule);
    }

    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Shortest path from "polled at 0" to "polled at the horizon": a step t → u costs the n - doneBy[t]
    /// updates still running at t one call each, plus λ for each duration in (t, u - L).</summary>
    private sealed class Solver(int[] doneBy, int[] lateBefore, int n, int horizon)
    {
        private readonly double[] _cost = new double[horizon + 1];
        private readonly long[] _calls = new long[horizon + 1];
        private readonly long[] _violations = new long[horizon + 1];
        private readonly int[] _next = new int[horizon + 1];

        /// <summary>The poll times of the last solution.</summary>
        public int[] Schedule()
        {
            var times = new List<int>();
            for (var t = 0; t < horizon; t = _next[t])
            {
                times.Add(_next[t]);
            }

            return [.. times];
        }

        public (long Calls, long Violations) Solve(double lambda)
        {
            _cost[horizon] = 0;
            _calls[horizon] = 0;
            _violations[horizon] = 0;
            for (var t = horizon - 1; t >= 0; t--)
            {
                var running = n - doneBy[t];
                var best = double.PositiveInfinity;
                var bestNext = horizon;
                for (var u = t + 1; u <= horizon; u++)
                {
                    var late = Math.Max(0, lateBefore[u] - doneBy[t]);
                    var cost = running + (lambda * late) + _cost[u];
                    if (cost < best)
                    {
                        best = cost;
                        bestNext = u;
                    }
                }

                _cost[t] = best;
                _next[t] = bestNext;
                _calls[t] = running + _calls[bestNext];
                _violations[t] = Math.Max(0, lateBefore[bestNext] - doneBy[t]) + _violations[bestNext];
            }

            return (_calls[0], _violations[0]);
        }
    }
}
