using System.Net;
using System.Text.Json;

namespace PcsOrchestrator.Aws.StepFunctions;

/// <summary>How to reach Step Functions: AWS_ENDPOINT_URL_SFN, else AWS_ENDPOINT_URL, else https://states.{region}.amazonaws.com.</summary>
public sealed record StepFunctionsClientOptions : AwsClientOptions
{
    protected override (string EndpointVariable, string HostPrefix) Service => ("SFN", "states");
}

/// <summary>
/// An error Step Functions answered with: its code (<c>ExecutionAlreadyExists</c>, <c>ExecutionDoesNotExist</c>,
/// <c>InvalidArn</c>, <c>InvalidName</c>, <c>StateMachineDoesNotExist</c>, <c>ThrottlingException</c>, ...),
/// the HTTP status and the request id.
/// </summary>
public sealed class StepFunctionsException : Exception
{
    public StepFunctionsException(string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public StepFunctionsException()
        : this("Unknown", "Step Functions error", HttpStatusCode.InternalServerError, null)
    {
    }

    public StepFunctionsException(string message)
        : this("Unknown", message, HttpStatusCode.InternalServerError, null)
    {
    }

    public StepFunctionsException(string message, Exception innerException)
        : this("Unknown", message, HttpStatusCode.InternalServerError, null, innerException)
    {
    }

    /// <summary>The code of a call that got no answer at all.</summary>
    public const string Unreachable = "Unreachable";

    public string ErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    public bool IsTransient => ErrorCode is Unreachable or "ThrottlingException" || (int)StatusCode >= 500;
}

/// <summary>The project's Step Functions client, in the style of the PCS client: AWS JSON 1.0, SigV4 (<c>states</c>), paging followed.</summary>
public sealed class StepFunctionsClient : IDisposable
{
    public const string TargetPrefix = "AWSStepFunctions";
    public const string SigningName = "states";

    private readonly AwsJsonTransport _transport;

    public StepFunctionsClient(StepFunctionsClientOptions options) => _transport = new AwsJsonTransport(options, SigningName, TargetPrefix, new ErrorModel());

    public Uri Endpoint => _transport.Endpoint;

    public Task<StartExecutionResponse> StartExecutionAsync(StartExecutionRequest request, CancellationToken cancellationToken) =>
        _transport.CallAsync("StartExecution", request, StepFunctionsJsonContext.Default.StartExecutionRequest, StepFunctionsJsonContext.Default.StartExecutionResponse, cancellationToken);

    public Task<DescribeExecutionResponse> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken) =>
        _transport.CallAsync("DescribeExecution", new ExecutionRequest { ExecutionArn = executionArn }, StepFunctionsJsonContext.Default.ExecutionRequest, StepFunctionsJsonContext.Default.DescribeExecutionResponse, cancellationToken);

    public Task<StopExecutionResponse> StopExecutionAsync(StopExecutionRequest request, CancellationToken cancellationToken) =>
        _transport.CallAsync("StopExecution", request, StepFunctionsJsonContext.Default.StopExecutionRequest, StepFunctionsJsonContext.Default.StopExecutionResponse, cancellationToken);

    /// <summary>Every execution of the state machine (every page), newest first as the service lists them.</summary>
    public async Task<IReadOnlyList<ExecutionListItem>> ListExecutionsAsync(string stateMachineArn, string? statusFilter, CancellationToken cancellationToken, int? pageSize = null)
    {
        var all = new List<ExecutionListItem>();
        string? next = null;
        do
        {
            var page = await _transport.CallAsync("ListExecutions", new ListExecutionsRequest { StateMachineArn = stateMachineArn, StatusFilter = statusFilter, MaxResults = pageSize, NextToken = next },
                StepFunctionsJsonContext.Default.ListExecutionsRequest, StepFunctionsJsonContext.Default.ListExecutionsResponse, cancellationToken);
            all.AddRange(page.Executions);
            next = page.NextToken;
        }
        while (next is not null);

        return all;
    }

    /// <summary>The execution's whole history (every page), oldest first.</summary>
    public async Task<IReadOnlyList<HistoryEvent>> GetExecutionHistoryAsync(string executionArn, CancellationToken cancellationToken, int? pageSize = null)
    {
        var all = new List<HistoryEvent>();
        string? next = null;
        do
        {
            var page = await _transport.CallAsync("GetExecutionHistory", new GetExecutionHistoryRequest { ExecutionArn = executionArn, MaxResults = pageSize, NextToken = next },
                StepFunctionsJsonContext.Default.GetExecutionHistoryRequest, StepFunctionsJsonContext.Default.GetExecutionHistoryResponse, cancellationToken);
            all.AddRange(page.Events);
            next = page.NextToken;
        }
        while (next is not null);

        return all;
    }

    public void Dispose() => _transport.Dispose();

    private sealed class ErrorModel : IAwsErrorModel
    {
        public Exception FromResponse(string operation, HttpResponseMessage response, byte[] payload, string? requestId)
        {
            StepFunctionsErrorBody? error = null;
            try
            {
                error = payload.Length > 0 ? JsonSerializer.Deserialize(payload, StepFunctionsJsonContext.Default.StepFunctionsErrorBody) : null;
            }
            catch (JsonException)
            {
                // A body that is not JSON still has a status and maybe an error-type header.
            }

            var code = AwsJsonTransport.ErrorCode(error?.Type ?? AwsJsonTransport.Header(response, "x-amzn-ErrorType")) ?? $"Http{(int)response.StatusCode}";
            return new StepFunctionsException(code, $"{operation}: {error?.Message ?? error?.MessageUpper ?? response.ReasonPhrase ?? code}", response.StatusCode, requestId);
        }

        public Exception Unreachable(string message, Exception inner) =>
            new StepFunctionsException(StepFunctionsException.Unreachable, message, HttpStatusCode.ServiceUnavailable, null, inner);

        public Exception Unreadable(string operation, string message, HttpResponseMessage response, string? requestId) =>
            new StepFunctionsException("SerializationException", message, response.StatusCode, requestId);

        public bool IsTransient(Exception exception) => exception is StepFunctionsException { IsTransient: true };

        public TimeSpan? RetryAfter(Exception exception) => null;
    }
}
