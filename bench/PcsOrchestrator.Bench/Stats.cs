using System.Globalization;

namespace PcsOrchestrator.Bench;

/// <summary>Order statistics of a sample (nearest rank), and the formatting every table uses.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _sorted = [.. values.Order()];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("a sample needs at least one value", nameof(values));
        }
    }

    public int Count => _sorted.Length;

    public double Median => Quantile(0.5);

    public double P95 => Quantile(0.95);

    public double P99 => Quantile(0.99);

    public double Max => _sorted[^1];

    public double Quantile(double p) => _sorted[Math.Clamp((int)Math.Ceiling(p * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    public static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString("0.0", CultureInfo.InvariantCulture) + "×";

    public static string MiB(double bytes) => (bytes / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
}
