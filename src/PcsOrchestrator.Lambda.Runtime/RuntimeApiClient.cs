using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>The Runtime API answered a call with an unexpected status (e.g. 413 for a response over 6 MB).</summary>
public sealed class RuntimeApiException : Exception
{
    public RuntimeApiException(string operation, HttpStatusCode statusCode, string body)
        : base($"the Runtime API answered {operation} with {(int)statusCode} {statusCode}: {body}")
    {
        Operation = operation;
        StatusCode = statusCode;
    }

    public RuntimeApiException()
    {
        Operation = string.Empty;
    }

    public RuntimeApiException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public RuntimeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
    }

    public string Operation { get; }

    public HttpStatusCode StatusCode { get; }
}

/// <summary>
/// The Lambda Runtime API over HTTP at <c>AWS_LAMBDA_RUNTIME_API</c> (host:port), paths
/// <c>/2018-06-01/runtime/invocation/next</c>, <c>.../invocation/{id}/response</c>, <c>.../invocation/{id}/error</c>
/// and <c>/2018-06-01/runtime/init/error</c>.
/// </summary>
public sealed class RuntimeApiClient : IRuntimeApiClient
{
    public const string ApiVersion = "2018-06-01";
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly HttpClient _http;
    private readonly Uri _base;

    /// <param name="http">An HttpClient with an infinite <see cref="HttpClient.Timeout"/>: GET next blocks until an event arrives (see <see cref="CreateHttpClient"/>).</param>
    /// <param name="hostAndPort">The value of <c>AWS_LAMBDA_RUNTIME_API</c>.</param>
    public RuntimeApiClient(HttpClient http, string hostAndPort)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostAndPort);
        _http = http;
        _base = new Uri($"http://{hostAndPort}/{ApiVersion}/runtime/");
    }

    /// <summary>The HttpClient the Runtime API needs: no timeout (the long poll of GET next), no proxy.</summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(_base, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RuntimeApiException("GET next", response.StatusCode, Truncate(body));
        }

        var requestId = Header(response, RequestIdHeader);
        if (string.IsNullOrEmpty(requestId))
        {
            throw new RuntimeApiException($"the Runtime API returned an invocation without {RequestIdHeader}");
        }

        var deadline = long.TryParse(Header(response, DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new Invocation(requestId, body, deadline, Header(response, FunctionArnHeader) ?? string.Empty, Header(response, TraceIdHeader));
    }

    public async Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(response);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, $"invocation/{Uri.EscapeDataString(requestId)}/response")) { Content = content };
        await SendAsync("POST response", request, cancellationToken);
    }

    public Task ReportErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync("POST error", new Uri(_base, $"invocation/{Uri.EscapeDataString(requestId)}/error"), error, cancellationToken);

    public Task ReportInitErrorAsync(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync("POST init error", new Uri(_base, "init/error"), error, cancellationToken);

    /// <summary>The error document Lambda expects: <c>{"errorMessage":..,"errorType":..,"stackTrace":[]}</c>.</summary>
    public static byte[] ErrorDocument(LambdaError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLineWriter.WriterOptions))
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

    private async Task PostErrorAsync(string operation, Uri uri, LambdaError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(ErrorDocument(error));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        await SendAsync(operation, request, cancellationToken);
    }

    private async Task SendAsync(string operation, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var result = await _http.SendAsync(request, cancellationToken);
        if (!result.IsSuccessStatusCode)
        {
            var body = await result.Content.ReadAsByteArrayAsync(cancellationToken);
            throw new RuntimeApiException(operation, result.StatusCode, Truncate(body));
        }
    }

    private static string Truncate(byte[] body) =>
        System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
