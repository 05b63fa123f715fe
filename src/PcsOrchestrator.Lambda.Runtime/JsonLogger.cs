using System.Text.Json;

namespace PcsOrchestrator.Lambda.Runtime;

public enum LogLevel
{
    Debug,
    Information,
    Warning,
    Error,
}

/// <summary>
/// One JSON object per line (timestamp, level, message, requestId, and the execution, cluster and traceId of the
/// current invocation when known). Values that look like AWS secrets are never written.
/// </summary>
public sealed class JsonLogger(Stream output, TimeProvider time, LogLevel minimum = LogLevel.Information)
{
    private readonly Lock _gate = new();

    public string? RequestId { get; set; }

    public string? TraceId { get; set; }

    public string? Execution { get; set; }

    public string? Cluster { get; set; }

    public void Log(LogLevel level, string message, IReadOnlyDictionary<string, string>? fields = null)
    {
        if (level < minimum)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("level", level.ToString());
            w.WriteString("message", Redact(message));
            WriteOptional(w, "requestId", RequestId);
            WriteOptional(w, "execution", Execution);
            WriteOptional(w, "cluster", Cluster);
            WriteOptional(w, "traceId", TraceId);
            if (fields is not null)
            {
                foreach (var (key, value) in fields)
                {
                    w.WriteString(key, Redact(value));
                }
            }

            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            output.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            output.Flush();
        }
    }

    public void Info(string message) => Log(LogLevel.Information, message);

    public void Error(string message) => Log(LogLevel.Error, message);

    /// <summary>Removes anything that looks like an AWS secret access key, session token or SigV4 signature.</summary>
    public static string Redact(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var name in SecretVariables)
        {
            var secret = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 8 && value.Contains(secret, StringComparison.Ordinal))
            {
                value = value.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        var signature = value.IndexOf("Signature=", StringComparison.Ordinal);
        return signature >= 0 ? value[..(signature + "Signature=".Length)] + "[redacted]" : value;
    }

    private static readonly string[] SecretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
