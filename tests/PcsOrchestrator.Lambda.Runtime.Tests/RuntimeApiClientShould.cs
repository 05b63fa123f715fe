using System.Net;
using System.Text;

namespace PcsOrchestrator.Lambda.Runtime.Tests;

public sealed class RuntimeApiClientShould : IDisposable
{
    private readonly RecordingHandler _handler = new();
    private readonly HttpClient _http;
    private readonly RuntimeApiClient _client;

    public RuntimeApiClientShould()
    {
        _http = new HttpClient(_handler);
        _client = new RuntimeApiClient(_http, "127.0.0.1:9001");
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }

    [Fact]
    public async Task ReadTheInvocationFromGetNext()
    {
        _handler.Next = () =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"x":1}""") };
            response.Headers.Add("Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
            response.Headers.Add("Lambda-Runtime-Deadline-Ms", "1542409706888");
            response.Headers.Add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime");
            response.Headers.Add("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
            return response;
        };

        var invocation = await _client.NextAsync(CancellationToken.None);

        _handler.Requests.Should().Equal("GET http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
        invocation.RequestId.Should().Be("8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        invocation.Deadline.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1542409706888));
        invocation.InvokedFunctionArn.Should().Be("arn:aws:lambda:us-east-2:123456789012:function:custom-runtime");
        invocation.TraceId.Should().Be("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
        Encoding.UTF8.GetString(invocation.Payload.Span).Should().Be("""{"x":1}""");
    }

    [Fact]
    public async Task PostTheResponse()
    {
        await _client.RespondAsync("r-1", Encoding.UTF8.GetBytes("""{"ok":true}"""), CancellationToken.None);

        _handler.Requests.Should().Equal("POST http://127.0.0.1:9001/2018-06-01/runtime/invocation/r-1/response application/json {\"ok\":true}");
    }

    [Fact]
    public async Task PostAnErrorWithTheErrorTypeHeaderAndDocument()
    {
        await _client.ReportErrorAsync("r-1", new LambdaError("PcsConflict", "cluster isn't ACTIVE <UPDATING>"), CancellationToken.None);
        await _client.ReportInitErrorAsync(new LambdaError("Runtime.HandlerNotFound", "no handler"), CancellationToken.None);

        _handler.Requests.Should().Equal(
            """POST http://127.0.0.1:9001/2018-06-01/runtime/invocation/r-1/error PcsConflict application/json {"errorMessage":"cluster isn't ACTIVE <UPDATING>","errorType":"PcsConflict","stackTrace":[]}""",
            """POST http://127.0.0.1:9001/2018-06-01/runtime/init/error Runtime.HandlerNotFound application/json {"errorMessage":"no handler","errorType":"Runtime.HandlerNotFound","stackTrace":[]}""");
    }

    [Fact]
    public async Task ThrowARuntimeApiException_WhenAPostIsRefused()
    {
        _handler.Status = HttpStatusCode.RequestEntityTooLarge;

        var act = () => _client.RespondAsync("r-1", new byte[10], CancellationToken.None);

        (await act.Should().ThrowAsync<RuntimeApiException>()).Which.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public void CreateAnHttpClientWithoutATimeout_ForTheLongPollOfNext()
    {
        using var http = RuntimeApiClient.CreateHttpClient();

        http.Timeout.Should().Be(Timeout.InfiniteTimeSpan);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public Func<HttpResponseMessage>? Next { get; set; }

        public HttpStatusCode Status { get; set; } = HttpStatusCode.Accepted;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var line = $"{request.Method} {request.RequestUri}";
            if (request.Headers.TryGetValues("Lambda-Runtime-Function-Error-Type", out var type))
            {
                line += " " + type.Single();
            }

            if (request.Content is not null)
            {
                line += $" {request.Content.Headers.ContentType} {await request.Content.ReadAsStringAsync(cancellationToken)}";
            }

            Requests.Add(line);
            return request.Method == HttpMethod.Get && Next is not null ? Next() : new HttpResponseMessage(Status) { Content = new StringContent("""{"status":"OK"}""") };
        }
    }
}
