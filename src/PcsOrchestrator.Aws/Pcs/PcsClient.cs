using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace PcsOrchestrator.Aws.Pcs;

/// <summary>How to reach PCS. Environment access goes through <see cref="Environment"/> so tests never touch process state.</summary>
public sealed record PcsClientOptions
{
    /// <summary>An explicit endpoint; else AWS_ENDPOINT_URL_PCS, else AWS_ENDPOINT_URL, else https://pcs.{region}.amazonaws.com.</summary>
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

    public string ResolveRegion() =>
        Region ?? Environment("AWS_REGION") ?? Environment("AWS_DEFAULT_REGION") ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";

    public Uri ResolveEndpoint()
    {
        if (Endpoint is not null)
        {
            return Endpoint;
        }

        var configured = Environment("AWS_ENDPOINT_URL_PCS") ?? Environment("AWS_ENDPOINT_URL");
        return !string.IsNullOrWhiteSpace(configured) ? new Uri(configured) : new Uri($"https://pcs.{ResolveRegion()}.amazonaws.com");
    }
}

/// <summary>
/// The project's PCS client: AWS JSON 1.0 over HttpClient, SigV4-signed by AWSSDK.Core's SigV4SigningHandler
/// (signing name <c>pcs</c>), typed errors dispatched on <c>__type</c>, and a small retry budget with full jitter
/// that never retries sooner than a ThrottlingException's retryAfterSeconds.
/// </summary>
public sealed class PcsClient : IPcsClient, IDisposable
{
    public const string TargetPrefix = "AWSParallelComputingService";
    public const string SigningName = "pcs";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.0");

    private readonly HttpClient _http;
    private readonly PcsClientOptions _options;
    private readonly Uri _endpoint;

    public PcsClient(PcsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _endpoint = options.ResolveEndpoint();
        var region = RegionEndpoint.GetBySystemName(options.ResolveRegion());
        var credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        var inner = options.InnerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(new SigV4SigningHandler(credentials, region, SigningName, inner)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Endpoint => _endpoint;

    public async Task<Cluster> GetClusterAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("GetCluster", new GetClusterRequest { ClusterIdentifier = clusterIdentifier }, PcsJsonContext.Default.GetClusterRequest, PcsJsonContext.Default.ClusterResponse, cancellationToken)).Cluster
        ?? throw MissingMember("GetCluster", "cluster");

    public async Task<Cluster> UpdateClusterAsync(UpdateClusterRequest request, CancellationToken cancellationToken) =>
        (await CallAsync("UpdateCluster", request, PcsJsonContext.Default.UpdateClusterRequest, PcsJsonContext.Default.ClusterResponse, cancellationToken)).Cluster
        ?? throw MissingMember("UpdateCluster", "cluster");

    public async Task<Cluster> CreateClusterAsync(CreateClusterRequest request, CancellationToken cancellationToken) =>
        (await CallAsync("CreateCluster", request, PcsJsonContext.Default.CreateClusterRequest, PcsJsonContext.Default.ClusterResponse, cancellationToken)).Cluster
        ?? throw MissingMember("CreateCluster", "cluster");

    public async Task<Cluster> DeleteClusterAsync(string clusterIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("DeleteCluster", new DeleteClusterRequest { ClusterIdentifier = clusterIdentifier }, PcsJsonContext.Default.DeleteClusterRequest, PcsJsonContext.Default.ClusterResponse, cancellationToken)).Cluster
        ?? new Cluster();

    public Task<IReadOnlyList<ResourceSummary>> ListClustersAsync(CancellationToken cancellationToken, int? pageSize = null) =>
        ListAllAsync("ListClusters", null, pageSize, PcsJsonContext.Default.ListClustersResponse, r => (r.Clusters, r.NextToken), cancellationToken);

    public Task<IReadOnlyList<ResourceSummary>> ListQueuesAsync(string clusterIdentifier, CancellationToken cancellationToken, int? pageSize = null) =>
        ListAllAsync("ListQueues", clusterIdentifier, pageSize, PcsJsonContext.Default.ListQueuesResponse, r => (r.Queues, r.NextToken), cancellationToken);

    public Task<IReadOnlyList<ResourceSummary>> ListComputeNodeGroupsAsync(string clusterIdentifier, CancellationToken cancellationToken, int? pageSize = null) =>
        ListAllAsync("ListComputeNodeGroups", clusterIdentifier, pageSize, PcsJsonContext.Default.ListComputeNodeGroupsResponse, r => (r.ComputeNodeGroups, r.NextToken), cancellationToken);

    public async Task<Queue> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken) =>
        (await CallAsync("CreateQueue", request, PcsJsonContext.Default.CreateQueueRequest, PcsJsonContext.Default.QueueResponse, cancellationToken)).Queue
        ?? throw MissingMember("CreateQueue", "queue");

    public async Task<Queue> GetQueueAsync(string clusterIdentifier, string queueIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("GetQueue", new QueueRequest { ClusterIdentifier = clusterIdentifier, QueueIdentifier = queueIdentifier }, PcsJsonContext.Default.QueueRequest, PcsJsonContext.Default.QueueResponse, cancellationToken)).Queue
        ?? throw MissingMember("GetQueue", "queue");

    public async Task<Queue> DeleteQueueAsync(string clusterIdentifier, string queueIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("DeleteQueue", new QueueRequest { ClusterIdentifier = clusterIdentifier, QueueIdentifier = queueIdentifier }, PcsJsonContext.Default.QueueRequest, PcsJsonContext.Default.QueueResponse, cancellationToken)).Queue
        ?? new Queue();

    public async Task<ComputeNodeGroup> CreateComputeNodeGroupAsync(CreateComputeNodeGroupRequest request, CancellationToken cancellationToken) =>
        (await CallAsync("CreateComputeNodeGroup", request, PcsJsonContext.Default.CreateComputeNodeGroupRequest, PcsJsonContext.Default.ComputeNodeGroupResponse, cancellationToken)).ComputeNodeGroup
        ?? throw MissingMember("CreateComputeNodeGroup", "computeNodeGroup");

    public async Task<ComputeNodeGroup> GetComputeNodeGroupAsync(string clusterIdentifier, string computeNodeGroupIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("GetComputeNodeGroup", new ComputeNodeGroupRequest { ClusterIdentifier = clusterIdentifier, ComputeNodeGroupIdentifier = computeNodeGroupIdentifier }, PcsJsonContext.Default.ComputeNodeGroupRequest, PcsJsonContext.Default.ComputeNodeGroupResponse, cancellationToken)).ComputeNodeGroup
        ?? throw MissingMember("GetComputeNodeGroup", "computeNodeGroup");

    public async Task<ComputeNodeGroup> DeleteComputeNodeGroupAsync(string clusterIdentifier, string computeNodeGroupIdentifier, CancellationToken cancellationToken) =>
        (await CallAsync("DeleteComputeNodeGroup", new ComputeNodeGroupRequest { ClusterIdentifier = clusterIdentifier, ComputeNodeGroupIdentifier = computeNodeGroupIdentifier }, PcsJsonContext.Default.ComputeNodeGroupRequest, PcsJsonContext.Default.ComputeNodeGroupResponse, cancellationToken)).ComputeNodeGroup
        ?? new ComputeNodeGroup();

    public void Dispose() => _http.Dispose();

    private async Task<IReadOnlyList<ResourceSummary>> ListAllAsync<TResponse>(
        string operation, string? cluster, int? pageSize, JsonTypeInfo<TResponse> responseType, Func<TResponse, (List<ResourceSummary> Items, string? Next)> page, CancellationToken cancellationToken)
    {
        var all = new List<ResourceSummary>();
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var response = await CallAsync(operation, new ListRequest { ClusterIdentifier = cluster, NextToken = next, MaxResults = pageSize }, PcsJsonContext.Default.ListRequest, responseType, cancellationToken);
            var (items, token) = page(response);
            all.AddRange(items);
            if (token is not null && !seen.Add(token))
            {
                throw new PcsServiceException("InvalidPagination", $"{operation} returned the same nextToken twice", HttpStatusCode.OK, null);
            }

            next = token;
        }
        while (next is not null);

        return all;
    }

    /// <summary>One operation with the client's retry budget for throttling, 5xx and network failures.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(operation, body, responseType, cancellationToken);
            }
            catch (Exception ex) when (attempt < _options.MaxAttempts && IsTransient(ex))
            {
                var ceiling = Math.Min(_options.MaxDelay.TotalMilliseconds, _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
                var delay = TimeSpan.FromMilliseconds(ceiling * _options.Random());
                if (ex is PcsThrottlingException { RetryAfterSeconds: { } after } && TimeSpan.FromSeconds(after) > delay)
                {
                    delay = TimeSpan.FromSeconds(after);
                }

                await Task.Delay(delay, _options.Time, cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex is PcsThrottlingException or PcsTransientException
        || (ex is PcsServiceException service && (int)service.StatusCode >= 500);

    private async Task<TResponse> SendOnceAsync<TResponse>(string operation, byte[] body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = JsonContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{TargetPrefix}.{operation}");
        HttpResponseMessage response;
        byte[] payload;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
            payload = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PcsTransientException($"{operation}: no answer from {_endpoint} within {_options.AttemptTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PcsTransientException($"{operation}: {_endpoint} could not be reached: {ex.Message}", ex);
        }

        using (response)
        {
            var requestId = Header(response, "x-amzn-RequestId");
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return JsonSerializer.Deserialize(payload, responseType) ?? throw new JsonException("empty body");
                }
                catch (JsonException ex)
                {
                    throw new PcsServiceException("SerializationException", $"{operation}: the response could not be read: {ex.Message}", response.StatusCode, requestId);
                }
            }

            throw ToException(operation, response, payload, requestId);
        }
    }

    /// <summary>Maps an error answer to its typed exception by <c>__type</c> (or <c>x-amzn-ErrorType</c>), never by status alone.</summary>
    public static PcsServiceException ToException(string operation, HttpResponseMessage response, byte[] payload, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(response);
        ErrorBody? error = null;
        try
        {
            error = payload.Length > 0 ? JsonSerializer.Deserialize(payload, PcsJsonContext.Default.ErrorBody) : null;
        }
        catch (JsonException)
        {
            // A body that is not JSON still has a status and maybe an error-type header.
        }

        var code = ErrorCode(error?.Type ?? Header(response, "x-amzn-ErrorType")) ?? $"Http{(int)response.StatusCode}";
        var message = $"{operation}: {error?.Message ?? error?.MessageUpper ?? response.ReasonPhrase ?? code}";
        var status = response.StatusCode;
        return code switch
        {
            "ValidationException" => new PcsValidationException(message, error?.Reason, error?.FieldList ?? [], status, requestId),
            "ConflictException" => new PcsConflictException(message, error?.ResourceId, error?.ResourceType, status, requestId),
            "ThrottlingException" => new PcsThrottlingException(message, error?.RetryAfterSeconds ?? RetryAfterHeader(response), status, requestId),
            "ResourceNotFoundException" => new PcsResourceNotFoundException(message, error?.ResourceId, error?.ResourceType, status, requestId),
            "AccessDeniedException" => new PcsAccessDeniedException(message, status, requestId),
            "InternalServerException" => new PcsInternalServerException(message, status, requestId),
            "ServiceQuotaExceededException" => new PcsServiceQuotaExceededException(message, error?.ServiceCode, error?.QuotaCode, status, requestId),
            _ => new PcsServiceException(code, message, status, requestId),
        };
    }

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

    private static int? RetryAfterHeader(HttpResponseMessage response) =>
        int.TryParse(Header(response, "Retry-After"), out var seconds) ? seconds : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault() : null;

    private static PcsServiceException MissingMember(string operation, string member) =>
        new("SerializationException", $"{operation}: the response has no '{member}'", HttpStatusCode.OK, null);
}
