using System.Globalization;
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
/// Structured logs: one JSON object per line with <c>timestamp</c> (ISO 8601 UTC), <c>level</c>, <c>message</c>, then
/// <c>requestId</c>, <c>traceId</c>, <c>execution</c> and <c>cluster</c> when the current scope knows them, then the
/// caller's fields. Secrets are never written: the values of <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>
/// are replaced wherever they appear, fields whose name says secret/token/password/credential are replaced whole, and
/// a SigV4 signature is cut.
/// </summary>
public sealed class JsonLogger
{
    /// <summary>The text that replaces a secret.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>The environment variables whose values are secrets.</summary>
    public static IReadOnlyList<string> SecretVariables { get; } = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];

    private static readonly string[] SecretFieldMarkers = ["secret", "token", "password", "credential", "authorization"];

    private readonly AsyncLocal<LogScope?> _scope = new();
    private readonly JsonLineWriter _output;
    private readonly TimeProvider _time;
    private readonly LogLevel _minimum;
    private readonly string[] _secrets;

    /// <param name="output">Where the lines go (shared with <see cref="EmbeddedMetrics"/>).</param>
    /// <param name="time">The clock of the timestamps.</param>
    /// <param name="secrets">Values never to write (see <see cref="ForEnvironment"/>); values shorter than 8 characters are ignored.</param>
    /// <param name="minimum">Lines below this level are dropped.</param>
    public JsonLogger(JsonLineWriter output, TimeProvider time, IEnumerable<string?>? secrets = null, LogLevel minimum = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        _output = output;
        _time = time;
        _minimum = minimum;
        _secrets = (secrets ?? []).Where(s => !string.IsNullOrEmpty(s) && s.Length >= 8).Select(s => s!).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A logger whose redaction list is the secret variables of <paramref name="environment"/>, and whose level is <c>AWS_LAMBDA_LOG_LEVEL</c> (default Information).</summary>
    public static JsonLogger ForEnvironment(JsonLineWriter output, TimeProvider time, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var level = environment.Get("AWS_LAMBDA_LOG_LEVEL")?.ToUpperInvariant() switch
        {
            "DEBUG" or "TRACE" => LogLevel.Debug,
            "WARN" or "WARNING" => LogLevel.Warning,
            "ERROR" or "FATAL" => LogLevel.Error,
            _ => LogLevel.Information,
        };
        return new JsonLogger(output, time, SecretVariables.Select(environment.Get), level);
    }

    /// <summary>The fields of the current scope (null outside any scope).</summary>
    public LogScope? CurrentScope => _scope.Value;

    /// <summary>
    /// Adds fields to every line logged until the returned handle is disposed, in this async flow. Null arguments keep
    /// the enclosing scope's value. The runtime opens one per invocation with the request id and trace id; a handler
    /// adds the execution and cluster once it knows them.
    /// </summary>
    public IDisposable BeginScope(string? requestId = null, string? traceId = null, string? execution = null, string? cluster = null)
    {
        var parent = _scope.Value;
        _scope.Value = new LogScope(
            requestId ?? parent?.RequestId,
            traceId ?? parent?.TraceId,
            execution ?? parent?.Execution,
            cluster ?? parent?.Cluster);
        return new ScopeHandle(this, parent);
    }

    public bool IsEnabled(LogLevel level) => level >= _minimum;

    public void Log(LogLevel level, string message, IReadOnlyDictionary<string, string>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!IsEnabled(level))
        {
            return;
        }

        var scope = _scope.Value;
        var timestamp = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _output.WriteLine(w =>
        {
            w.WriteStartObject();
            w.WriteString("timestamp", timestamp);
            w.WriteString("level", LevelName(level));
            w.WriteString("message", Redact(message));
            WriteOptional(w, "requestId", scope?.RequestId);
            WriteOptional(w, "traceId", scope?.TraceId);
            WriteOptional(w, "execution", scope?.Execution);
            WriteOptional(w, "cluster", scope?.Cluster);
            if (fields is not null)
            {
                foreach (var (key, value) in fields)
                {
                    if (IsReservedField(key))
                    {
                        continue;
                    }

                    w.WriteString(key, IsSecretFieldName(key) ? Redacted : Redact(value ?? string.Empty));
                }
            }

            w.WriteEndObject();
        });
    }

    public void Debug(string message) => Log(LogLevel.Debug, message);

    public void Info(string message) => Log(LogLevel.Information, message);

    public void Warn(string message) => Log(LogLevel.Warning, message);

    public void Error(string message) => Log(LogLevel.Error, message);

    /// <summary>Replaces the known secret values and cuts a SigV4 signature out of <paramref name="value"/>.</summary>
    public string Redact(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var secret in _secrets)
        {
            value = value.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        const string signature = "Signature=";
        var at = value.IndexOf(signature, StringComparison.Ordinal);
        while (at >= 0)
        {
            var start = at + signature.Length;
            var end = start;
            while (end < value.Length && char.IsAsciiHexDigit(value[end]))
            {
                end++;
            }

            value = string.Concat(value.AsSpan(0, start), Redacted, value.AsSpan(end));
            at = value.IndexOf(signature, start + Redacted.Length, StringComparison.Ordinal);
        }

        return value;
    }

    private static bool IsReservedField(string key) =>
        key is "timestamp" or "level" or "message" or "requestId" or "traceId" or "execution" or "cluster";

    private static bool IsSecretFieldName(string key) =>
        SecretFieldMarkers.Any(marker => key.Contains(marker, StringComparison.OrdinalIgnoreCase));

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        _ => "ERROR",
    };

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private sealed class ScopeHandle(JsonLogger logger, LogScope? parent) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                logger._scope.Value = parent;
            }
        }
    }
}

/// <summary>The per-invocation fields a log line carries.</summary>
public sealed record LogScope(string? RequestId, string? TraceId, string? Execution, string? Cluster);
