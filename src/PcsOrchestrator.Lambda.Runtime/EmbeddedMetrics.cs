namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>The CloudWatch units this project uses.</summary>
public enum MetricUnit
{
    Count,
    Milliseconds,
    Seconds,
}

/// <summary>One metric value of an EMF document.</summary>
public readonly record struct MetricValue(string Name, double Value, MetricUnit Unit);

/// <summary>
/// CloudWatch Embedded Metric Format: each call writes one JSON line that CloudWatch Logs turns into metrics, e.g.
/// <code>{"_aws":{"Timestamp":1732492800000,"CloudWatchMetrics":[{"Namespace":"PcsOrchestrator","Dimensions":[["FunctionName"]],
/// "Metrics":[{"Name":"UpdatesStarted","Unit":"Count"}]}]},"FunctionName":"Apply","UpdatesStarted":1}</code>
/// Dimension values and properties are top-level members; the dimension set is the dimensions' names, in order.
/// </summary>
public sealed class EmbeddedMetrics(JsonLineWriter output, TimeProvider time, string metricNamespace)
{
    /// <summary>The namespace the project's metrics go to.</summary>
    public const string DefaultNamespace = "PcsOrchestrator";

    private static readonly string[] Reserved = ["_aws"];

    public string Namespace { get; } = string.IsNullOrWhiteSpace(metricNamespace) ? throw new ArgumentException("a metric namespace is required", nameof(metricNamespace)) : metricNamespace;

    /// <summary>Adds 1 (or <paramref name="value"/>) to a counter.</summary>
    public void Count(string name, IReadOnlyDictionary<string, string> dimensions, double value = 1) =>
        Emit(dimensions, [new MetricValue(name, value, MetricUnit.Count)]);

    /// <summary>Records a duration in milliseconds.</summary>
    public void Duration(string name, TimeSpan duration, IReadOnlyDictionary<string, string> dimensions) =>
        Emit(dimensions, [new MetricValue(name, Math.Round(duration.TotalMilliseconds, 3), MetricUnit.Milliseconds)]);

    /// <summary>Writes one EMF document with these metrics under one dimension set, plus searchable properties (not dimensions).</summary>
    public void Emit(IReadOnlyDictionary<string, string> dimensions, IReadOnlyList<MetricValue> metrics, IReadOnlyDictionary<string, string>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            throw new ArgumentException("an EMF document needs at least one metric", nameof(metrics));
        }

        if (dimensions.Count > 30)
        {
            throw new ArgumentException("EMF allows at most 30 dimensions in a set", nameof(dimensions));
        }

        var names = new HashSet<string>(Reserved, StringComparer.Ordinal);
        foreach (var name in dimensions.Keys.Concat(metrics.Select(m => m.Name)).Concat(properties?.Keys ?? []))
        {
            if (string.IsNullOrWhiteSpace(name) || !names.Add(name))
            {
                throw new ArgumentException($"member name '{name}' is blank, reserved or used twice in one EMF document", nameof(metrics));
            }
        }

        var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds();
        output.WriteLine(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("_aws");
            w.WriteNumber("Timestamp", timestamp);
            w.WriteStartArray("CloudWatchMetrics");
            w.WriteStartObject();
            w.WriteString(nameof(Namespace), Namespace);
            w.WriteStartArray("Dimensions");
            w.WriteStartArray();
            foreach (var key in dimensions.Keys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray("Metrics");
            foreach (var metric in metrics)
            {
                w.WriteStartObject();
                w.WriteString("Name", metric.Name);
                w.WriteString("Unit", UnitName(metric.Unit));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            foreach (var (key, value) in dimensions)
            {
                w.WriteString(key, value);
            }

            foreach (var metric in metrics)
            {
                w.WriteNumber(metric.Name, metric.Value);
            }

            foreach (var (key, value) in properties ?? new Dictionary<string, string>())
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        });
    }

    private static string UnitName(MetricUnit unit) => unit switch
    {
        MetricUnit.Count => "Count",
        MetricUnit.Milliseconds => "Milliseconds",
        MetricUnit.Seconds => "Seconds",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "unknown unit"),
    };
}
