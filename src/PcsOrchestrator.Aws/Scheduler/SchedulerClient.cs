using System.Globalization;
using System.Net;
using System.Text.Json;

namespace PcsOrchestrator.Aws.EventBridgeScheduler;

/// <summary>How to reach EventBridge Scheduler: AWS_ENDPOINT_URL_SCHEDULER, else AWS_ENDPOINT_URL, else https://scheduler.{region}.amazonaws.com.</summary>
public sealed record SchedulerClientOptions : AwsClientOptions
{
    protected override (string EndpointVariable, string HostPrefix) Service => ("SCHEDULER", "scheduler");
}

/// <summary>
/// The project's EventBridge Scheduler client (AWSSDK.Scheduler is not available): REST-JSON over the shared
/// transport (SigV4 with signing name <c>scheduler</c>, the same retry budget), typed errors, ListSchedules
/// followed through every page. Timestamps travel as epoch seconds, as the model's rest-json default says.
/// </summary>
public sealed class SchedulerClient : ISchedulerClient, IDisposable
{
    public const string SigningName = "scheduler";

    private readonly AwsJsonTransport _transport;

    public SchedulerClient(SchedulerClientOptions options) => _transport = new AwsJsonTransport(options, SigningName, new ErrorModel());

    public Uri Endpoint => _transport.Endpoint;

    public async Task<string> CreateScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken) =>
        (await PutAsync("CreateSchedule", HttpMethod.Post, request, cancellationToken)).ScheduleArn;

    public async Task<string> UpdateScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken) =>
        (await PutAsync("UpdateSchedule", HttpMethod.Put, request, cancellationToken)).ScheduleArn;

    public Task<Schedule> GetScheduleAsync(string name, string? groupName, CancellationToken cancellationToken) =>
        _transport.CallRestAsync(
            new RestJsonRequest("GetSchedule", HttpMethod.Get, SchedulePath(name)) { Query = [new("groupName", groupName)] },
            SchedulerJsonContext.Default.Schedule, cancellationToken);

    public async Task DeleteScheduleAsync(string name, string? groupName, CancellationToken cancellationToken) =>
        await _transport.CallRestAsync(
            new RestJsonRequest("DeleteSchedule", HttpMethod.Delete, SchedulePath(name)) { Query = [new("groupName", groupName), new("clientToken", NewClientToken())] },
            SchedulerJsonContext.Default.EmptyResponse, cancellationToken);

    public async Task<IReadOnlyList<ScheduleSummary>> ListSchedulesAsync(ScheduleFilter? filter, CancellationToken cancellationToken, int? pageSize = null)
    {
        var all = new List<ScheduleSummary>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var request = new RestJsonRequest("ListSchedules", HttpMethod.Get, "/schedules")
            {
                Query =
                [
                    new("MaxResults", pageSize?.ToString(CultureInfo.InvariantCulture)),
                    new("NamePrefix", filter?.NamePrefix),
                    new("NextToken", next),
                    new("ScheduleGroup", filter?.GroupName),
                    new("State", filter?.State),
                ],
            };
            var page = await _transport.CallRestAsync(request, SchedulerJsonContext.Default.ListSchedulesResponse, cancellationToken);
            all.AddRange(page.Schedules);
            if (page.NextToken is { } token && !seen.Add(token))
            {
                throw new SchedulerException("InvalidPagination", "ListSchedules returned the same NextToken twice", HttpStatusCode.OK, null);
            }

            next = page.NextToken;
        }
        while (next is not null);

        return all;
    }

    public void Dispose() => _transport.Dispose();

    /// <summary>
    /// Maps an error answer to its typed exception. The type comes from <c>x-amzn-ErrorType</c> (how REST-JSON
    /// services send it), else the body's <c>code</c> or <c>__type</c>; never from the status alone.
    /// </summary>
    public static SchedulerException ToException(string operation, HttpResponseMessage response, byte[] payload, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(payload);
        SchedulerErrorBody? error = null;
        try
        {
            error = payload.Length > 0 ? JsonSerializer.Deserialize(payload, SchedulerJsonContext.Default.SchedulerErrorBody) : null;
        }
        catch (JsonException)
        {
            // A body that is not JSON still has a status and maybe an error-type header.
        }

        var code = AwsJsonTransport.ErrorCode(AwsJsonTransport.Header(response, "x-amzn-ErrorType"))
            ?? AwsJsonTransport.ErrorCode(error?.Code) ?? AwsJsonTransport.ErrorCode(error?.Type) ?? $"Http{(int)response.StatusCode}";
        var message = $"{operation}: {error?.Message ?? error?.MessageLower ?? response.ReasonPhrase ?? code}";
        var status = response.StatusCode;
        return code switch
        {
            "ValidationException" => new SchedulerValidationException(message, status, requestId),
            "ConflictException" => new SchedulerConflictException(message, status, requestId),
            "ResourceNotFoundException" => new SchedulerResourceNotFoundException(message, status, requestId),
            "ThrottlingException" => new SchedulerThrottlingException(message, status, requestId),
            "ServiceQuotaExceededException" => new SchedulerServiceQuotaExceededException(message, status, requestId),
            "InternalServerException" => new SchedulerInternalServerException(message, status, requestId),
            _ => new SchedulerException(code, message, status, requestId),
        };
    }

    private async Task<ScheduleArnResponse> PutAsync(string operation, HttpMethod method, ScheduleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // One token per call, reused by the transport's retries: a create whose answer was lost is not repeated.
        var body = JsonSerializer.SerializeToUtf8Bytes(request.ClientToken is null ? request.WithClientToken(NewClientToken()) : request, SchedulerJsonContext.Default.ScheduleRequest);
        return await _transport.CallRestAsync(new RestJsonRequest(operation, method, SchedulePath(request.Name)) { Body = body }, SchedulerJsonContext.Default.ScheduleArnResponse, cancellationToken);
    }

    private static string SchedulePath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "/schedules/" + RestJsonRequest.Label(name);
    }

    private static string NewClientToken() => Guid.NewGuid().ToString();

    private sealed class ErrorModel : IAwsErrorModel
    {
        public Exception FromResponse(string operation, HttpResponseMessage response, byte[] payload, string? requestId) =>
            ToException(operation, response, payload, requestId);

        public Exception Unreachable(string message, Exception inner) =>
            new SchedulerException(SchedulerException.Unreachable, message, HttpStatusCode.ServiceUnavailable, null, inner);

        public Exception Unreadable(string operation, string message, HttpResponseMessage response, string? requestId) =>
            new SchedulerException("SerializationException", message, response.StatusCode, requestId);

        public bool IsTransient(Exception exception) => exception is SchedulerException { IsTransient: true };

        public TimeSpan? RetryAfter(Exception exception) => null;
    }
}
