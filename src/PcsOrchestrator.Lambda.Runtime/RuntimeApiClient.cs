using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>The Lambda Runtime API over HTTP at <c>AWS_LAMBDA_RUNTIME_API</c> (host:port).</summary>
public sealed class RuntimeApiClient(HttpClient http, string hostAndPort) : IRuntimeApiClient
{
    private const string Version = "2018-06-01";
    private readonly Uri _base = new($"http://{hostAndPort}/{Version}/runtime/");

    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(_base, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id") ?? throw new InvalidOperationException("the Runtime API returned no request id");
        var deadlineMs = Header(response, "Lambda-Runtime-Deadline-Ms");
        var deadline = deadlineMs is not null && long.TryParse(deadlineMs, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new Invocation(requestId, body, deadline, Header(response, "Lambda-Runtime-Invoked-Function-Arn") ?? string.Empty, Header(response, "Lambda-Runtime-Trace-Id"));
    }

    public async Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(response);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var result = await http.PostAsync(new Uri(_base, $"invocation/{Uri.EscapeDataString(requestId)}/response"), content, cancellationToken);
        result.EnsureSuccessStatusCode();
    }

    public Task ReportErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync(new Uri(_base, $"invocation/{Uri.EscapeDataString(requestId)}/error"), error, cancellationToken);

    public Task ReportInitErrorAsync(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync(new Uri(_base, "init/error"), error, cancellationToken);

    /// <summary>The error document Lambda expects: errorMessage, errorType, stackTrace.</summary>
    public static byte[] ErrorDocument(LambdaError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("errorMessage", error.ErrorMessage);
            w.WriteString("errorType", error.ErrorType);
            w.WriteStartArray("stackTrace");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private async Task PostErrorAsync(Uri uri, LambdaError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(ErrorDocument(error));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", error.ErrorType);
        using var result = await http.SendAsync(request, cancellationToken);
        result.EnsureSuccessStatusCode();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
