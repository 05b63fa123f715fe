using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace PcsOrchestrator.Aws;

/// <summary>
/// How to reach an AWS service. Environment access goes through <see cref="Environment"/> so tests never touch
/// process state.
/// </summary>
public abstract record AwsClientOptions
{
    /// <summary>An explicit endpoint; else AWS_ENDPOINT_URL_{SERVICE}, else AWS_ENDPOINT_URL, else the service's public endpoint.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The region; else AWS_REGION, else AWS_DEFAULT_REGION, else the SDK's fallback region chain.</summary>
    public string? Region { get; init; }

    /// <summary>Credentials; else the SDK's default chain (environment, profile, SSO, container and instance roles).</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>How long one HTTP attempt may take before it counts as a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per call for throttling, 5xx and network failures (the workflow's own retries sit above).</summary>
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Uniform [0, 1) for jitter; seeded in tests.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The handler below SigV4 signing (tests may inject faults); default a SocketsHttpHandler.</summary>
    public HttpMessageHandler? InnerHandler { get; init; }

    /// <summary>The service's identity: its endpoint variable suffix (<c>PCS</c>, <c>SFN</c>) and its hostname prefix.</summary>
    protected abstract (string EndpointVariable, string HostPrefix) Service { get; }

    public string ResolveRegion() =>
        Region ?? Environment("AWS_REGION") ?? Environment("AWS_DEFAULT_REGION") ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";

    public Uri ResolveEndpoint()
    {
        if (Endpoint is not null)
        {
            return Endpoint;
        }

        var configured = Environment("AWS_ENDPOINT_URL_" + Service.EndpointVariable) ?? Environment("AWS_ENDPOINT_URL");
        return !string.IsNullOrWhiteSpace(configured) ? new Uri(configured) : new Uri($"https://{Service.HostPrefix}.{ResolveRegion()}.amazonaws.com");
    }
}

/// <summary>What a service client tells the transport: how to name its errors and which of them are worth retrying.</summary>
public interface IAwsErrorModel
{
    /// <summary>The typed exception for an error answer (dispatched on <c>__type</c> or <c>x-amzn-ErrorType</c>).</summary>
    Exception FromResponse(string operation, HttpResponseMessage response, byte[] payload, string? requestId);

    /// <summary>The call got no answer: connection refused or dropped, or the attempt timed out.</summary>
    Exception Unreachable(string message, Exception inner);

    /// <summary>A body that could not be read.</summary>
    Exception Unreadable(string operation, string message, HttpResponseMessage response, string? requestId);

    bool IsTransient(Exception exception);

    /// <summary>The least wait the service asked for before a retry (a ThrottlingException's retryAfterSeconds).</summary>
    TimeSpan? RetryAfter(Exception exception);
}

/// <summary>
/// One REST-JSON call (EventBridge Scheduler and the other <c>rest-json</c> services): the HTTP method, the path with
/// its labels already escaped by <see cref="Label"/>, the query-string members (null values are left out) and an
/// optional JSON body.
/// </summary>
public sealed record RestJsonRequest(string Operation, HttpMethod Method, string Path)
{
    public IReadOnlyList<KeyValuePair<string, string?>> Query { get; init; } = [];

    public byte[]? Body { get; init; }

    /// <summary>A URI label (<c>/schedules/{Name}</c>) escaped as RFC 3986 requires: everything but unreserved characters.</summary>
    public static string Label(string value) => Uri.EscapeDataString(value);

    /// <summary>The request's address under <paramref name="endpoint"/> (whose own path, if any, is kept as a prefix).</summary>
    public Uri ResolveAgainst(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var address = new System.Text.StringBuilder(endpoint.GetLeftPart(UriPartial.Authority));
        address.Append(endpoint.AbsolutePath.TrimEnd('/')).Append(Path);
        var separator = '?';
        foreach (var (name, value) in Query)
        {
            if (value is null)
            {
                continue;
            }

            address.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new Uri(address.ToString());
    }
}

/// <summary>
/// AWS JSON 1.0 and REST-JSON over HttpClient: SigV4 by AWSSDK.Core's SigV4SigningHandler, source-generated
/// bodies, and a small retry budget with full jitter for transient failures only that never retries sooner than the
/// service asked. JSON 1.0 calls (<see cref="CallAsync"/>) are <c>POST /</c> with <c>X-Amz-Target</c> dispatch;
/// REST-JSON calls (<see cref="CallRestAsync"/>) are a method and a path, with <c>application/json</c> bodies.
/// </summary>
public sealed class AwsJsonTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.0");
    private static readonly MediaTypeHeaderValue RestJsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly AwsClientOptions _options;
    private readonly string? _targetPrefix;
    private readonly IAwsErrorModel _errors;

    /// <summary>A transport for an AWS JSON 1.0 service whose operations are <c>{targetPrefix}.{Operation}</c>.</summary>
    public AwsJsonTransport(AwsClientOptions options, string signingName, string targetPrefix, IAwsErrorModel errors)
        : this(options, signingName, errors) => _targetPrefix = targetPrefix;

    /// <summary>A transport for a REST-JSON service (operations are a method and a path; see <see cref="CallRestAsync"/>).</summary>
    public AwsJsonTransport(AwsClientOptions options, string signingName, IAwsErrorModel errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _errors = errors;
        Endpoint = options.ResolveEndpoint();
        var region = RegionEndpoint.GetBySystemName(options.ResolveRegion());
        var credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        var inner = options.InnerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(new SigV4SigningHandler(credentials, region, signingName, inner)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Endpoint { get; }

    /// <summary>One AWS JSON 1.0 operation with the retry budget for throttling, 5xx and network failures.</summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var target = $"{_targetPrefix ?? throw new InvalidOperationException("this transport was made for a REST-JSON service: use CallRestAsync")}.{operation}";
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        return await WithRetriesAsync(operation, Endpoint, () =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = JsonContentType;
            message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
            return message;
        }, emptyIsEmptyObject: false, responseType, cancellationToken);
    }

    /// <summary>
    /// One REST-JSON operation with the same retry budget. An empty success body reads as <c>{}</c> (DeleteSchedule and
    /// other operations with no output members answer with none).
    /// </summary>
    public async Task<TResponse> CallRestAsync<TResponse>(RestJsonRequest request, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var address = request.ResolveAgainst(Endpoint);
        return await WithRetriesAsync(request.Operation, address, () =>
        {
            var message = new HttpRequestMessage(request.Method, address);
            if (request.Body is { } body)
            {
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.ContentType = RestJsonContentType;
            }

            return message;
        }, emptyIsEmptyObject: true, responseType, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary><c>aws.protocoltests#ValidationException:http://...</c> → <c>ValidationException</c>.</summary>
    public static string? ErrorCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        return hash >= 0 ? code[(hash + 1)..] : code;
    }

    public static string? Header(HttpResponseMessage response, string name)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
            : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault() : null;
    }

    private async Task<TResponse> WithRetriesAsync<TResponse>(string operation, Uri address, Func<HttpRequestMessage> createMessage, bool emptyIsEmptyObject, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(operation, address, createMessage, emptyIsEmptyObject, responseType, cancellationToken);
            }
            catch (Exception ex) when (attempt < _options.MaxAttempts && _errors.IsTransient(ex))
            {
                var ceiling = Math.Min(_options.MaxDelay.TotalMilliseconds, _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
                var delay = TimeSpan.FromMilliseconds(ceiling * _options.Random());
                if (_errors.RetryAfter(ex) is { } asked && asked > delay)
                {
                    delay = asked;
                }

                await Task.Delay(delay, _options.Time, cancellationToken);
            }
        }
    }

    private async Task<TResponse> SendOnceAsync<TResponse>(string operation, Uri address, Func<HttpRequestMessage> createMessage, bool emptyIsEmptyObject, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var message = createMessage();
        HttpResponseMessage response;
        byte[] payload;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
            payload = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw _errors.Unreachable($"{operation}: no answer from {Endpoint} within {_options.AttemptTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw _errors.Unreachable($"{operation}: {address} could not be reached: {ex.Message}", ex);
        }

        using (response)
        {
            var requestId = Header(response, "x-amzn-RequestId");
            if (!response.IsSuccessStatusCode)
            {
                throw _errors.FromResponse(operation, response, payload, requestId);
            }

            try
            {
                return (payload.Length == 0 && emptyIsEmptyObject ? JsonSerializer.Deserialize("{}"u8, responseType) : JsonSerializer.Deserialize(payload, responseType))
                    ?? throw new JsonException("empty body");
            }
            catch (JsonException ex)
            {
                throw _errors.Unreadable(operation, $"{operation}: the response could not be read: {ex.Message}", response, requestId);
            }
        }
    }
}
