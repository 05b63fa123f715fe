using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PcsOrchestrator.Aws.Pcs;

/// <summary>How to reach PCS: AWS_ENDPOINT_URL_PCS, else AWS_ENDPOINT_URL, else https://pcs.{region}.amazonaws.com.</summary>
public sealed record PcsClientOptions : AwsClientOptions
{
    protected override (string EndpointVariable, string HostPrefix) Service => ("PCS", "pcs");
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

    private readonly AwsJsonTransport _transport;

    public PcsClient(PcsClientOptions options) => _transport = new AwsJsonTransport(options, SigningName, TargetPrefix, new PcsErrorModel());

    public Uri Endpoint => _transport.Endpoint;

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

    public void Dispose() => _transport.Dispose();

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

    private Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.CallAsync(operation, request, requestType, responseType, cancellationToken);

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
    public static string? ErrorCode(string? raw) => AwsJsonTransport.ErrorCode(raw);

    private static int? RetryAfterHeader(HttpResponseMessage response) =>
        int.TryParse(Header(response, "Retry-After"), out var seconds) ? seconds : null;

    private static string? Header(HttpResponseMessage response, string name) => AwsJsonTransport.Header(response, name);

    private static PcsServiceException MissingMember(string operation, string member) =>
        new("SerializationException", $"{operation}: the response has no '{member}'", HttpStatusCode.OK, null);

    /// <summary>PCS's errors for the transport: typed exceptions, and which of them a retry may cure.</summary>
    private sealed class PcsErrorModel : IAwsErrorModel
    {
        public Exception FromResponse(string operation, HttpResponseMessage response, byte[] payload, string? requestId) =>
            ToException(operation, response, payload, requestId);

        public Exception Unreachable(string message, Exception inner) => new PcsTransientException(message, inner);

        public Exception Unreadable(string operation, string message, HttpResponseMessage response, string? requestId) =>
            new PcsServiceException("SerializationException", message, response.StatusCode, requestId);

        public bool IsTransient(Exception exception) => exception is PcsThrottlingException or PcsTransientException
            || (exception is PcsServiceException service && (int)service.StatusCode >= 500);

        public TimeSpan? RetryAfter(Exception exception) =>
            exception is PcsThrottlingException { RetryAfterSeconds: { } after } ? TimeSpan.FromSeconds(after) : null;
    }
}
