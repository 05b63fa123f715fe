namespace PcsOrchestrator.Domain.Timing;

/// <summary>Quantile functions the poll policy needs, in closed form (no iteration, no tables).</summary>
public static class Quantiles
{
    private const double Low = 0.02425;
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01, 1];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1];

    /// <summary>
    /// The standard normal quantile (P. J. Acklam's rational approximation, relative error below 1.2e-9).
    /// </summary>
    public static double Normal(double p)
    {
        if (double.IsNaN(p) || p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability strictly between 0 and 1 is required");
        }

        if (p < Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return Horner(C, q) / Horner(D, q);
        }

        if (p > 1 - Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -Horner(C, q) / Horner(D, q);
        }

        var centred = p - 0.5;
        var r = centred * centred;
        return Horner(A, r) * centred / Horner(B, r);
    }

    /// <summary>
    /// Student's t quantile with <paramref name="degreesOfFreedom"/> degrees of freedom, by the Cornish-Fisher
    /// expansion around the normal quantile (Abramowitz and Stegun 26.7.5). Within 0.3% of the exact value from
    /// 4 degrees of freedom on, for the levels a poll policy uses (0.9 to 0.999); coarser below.
    /// </summary>
    public static double StudentT(double p, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        var z = Normal(p);
        double n = degreesOfFreedom;
        var z2 = z * z;
        var g1 = (z2 + 1) * z / 4;
        var g2 = (((5 * z2) + 16) * z2 + 3) * z / 96;
        var g3 = ((((3 * z2) + 19) * z2 + 17) * z2 - 15) * z / 384;
        var g4 = (((((79 * z2) + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
        return z + (g1 / n) + (g2 / (n * n)) + (g3 / (n * n * n)) + (g4 / (n * n * n * n));
    }

    private static double Horner(double[] coefficients, double x)
    {
        var sum = 0.0;
        foreach (var c in coefficients)
        {
            sum = (sum * x) + c;
        }

        return sum;
    }
}
