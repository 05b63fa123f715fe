using System.Text.Encodings.Web;
using System.Text.Json;

namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>
/// Writes whole JSON documents, one per line, to a stream (stdout in Lambda, where each line becomes one CloudWatch
/// log event). Lines from the logger and the metrics writer never interleave.
/// </summary>
public sealed class JsonLineWriter(Stream output)
{
    /// <summary>Escapes only what JSON requires (no HTML-safe \u0027 for apostrophes): these lines are read by people and CloudWatch, never embedded in HTML.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();

    /// <summary>Builds one JSON document with <paramref name="write"/> and writes it, followed by a newline, in one piece.</summary>
    public void WriteLine(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            output.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            output.Flush();
        }
    }
}
