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
/// AWS JSON 1.0 over HttpClient: SigV4 by AWSSDK.Core's SigV4SigningHandler, <c>X-Amz-Target</c> dispatch,
/// source-generated bodies, and a small retry budget with full jitter for transient failures only that never
/// retries sooner than the service asked.
/// </summary>
public sealed class AwsJsonTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.0");

    private readonly HttpClient _http;
    private readonly AwsClientOptions _options;
    private readonly string _targetPrefix;
    private readonly IAwsErrorModel _errors;

    public AwsJsonTransport(AwsClientOptions options, string signingName, string targetPrefix, IAwsErrorModel errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _targetPrefix = targetPrefix;
        _errors = errors;
        Endpoint = options.ResolveEndpoint();
        var region = RegionEndpoint.GetBySystemName(options.ResolveRegion());
        var credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        var inner = options.InnerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(new SigV4SigningHandler(credentials, region, signingName, inner)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Endpoint { get; }

    /// <summary>One operation with the retry budget for throttling, 5xx and network failures.</summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(operation, body, responseType, cancellationToken);
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

    private async Task<TResponse> SendOnceAsync<TResponse>(string operation, byte[] body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = JsonContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{_targetPrefix}.{operation}");
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
            throw _errors.Unreachable($"{operation}: {Endpoint} could not be reached: {ex.Message}", ex);
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
                return JsonSerializer.Deserialize(payload, responseType) ?? throw new JsonException("empty body");
            }
            catch (JsonException ex)
            {
                throw _errors.Unreadable(operation, $"{operation}: the response could not be read: {ex.Message}", response, requestId);
            }
        }
    }
}
