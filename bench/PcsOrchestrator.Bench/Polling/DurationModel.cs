using System.Globalization;

namespace PcsOrchestrator.Bench.Polling;

/// <summary>A fixed duration that a share of the simulated updates take exactly.</summary>
public readonly record struct FixedDuration(double Seconds, double Probability);

/// <summary>
/// How long simulated updates take: a lognormal (median, sigma of the log) mixed with a few fixed durations, each
/// with its own probability; the lognormal takes the rest.
/// </summary>
public sealed record DurationModel(double MedianSeconds, double Sigma, IReadOnlyList<FixedDuration> Fixed)
{
    /// <summary>Issue 8's mix: lognormal with median 8 min and sigma 0.5 (96 %), and 1, 5, 20 and 60 min (1 % each).</summary>
    public static DurationModel Issue8 { get; } = new(480, 0.5,
    [
        new(60, 0.01),
        new(300, 0.01),
        new(1200, 0.01),
        new(3600, 0.01),
    ]);

    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u = random.NextDouble();
        foreach (var f in Fixed)
        {
            if (u < f.Probability)
            {
                return f.Seconds;
            }

            u -= f.Probability;
        }

        // Box-Muller: one standard normal from two uniforms (1 - u keeps the logarithm finite).
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return MedianSeconds * Math.Exp(Sigma * z);
    }

    public string Describe()
    {
        var share = 1 - Fixed.Sum(f => f.Probability);
        var fixedPart = string.Join(", ", Fixed.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Seconds / 60:0.#} min ({f.Probability:0.#%})")));
        return string.Create(CultureInfo.InvariantCulture, $"lognormal median {MedianSeconds / 60:0.#} min, sigma {Sigma} ({share:0.#%}); fixed {fixedPart}");
    }
}
