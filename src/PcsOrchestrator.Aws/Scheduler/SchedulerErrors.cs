using System.Net;

namespace PcsOrchestrator.Aws.EventBridgeScheduler;

/// <summary>
/// Any error EventBridge Scheduler answered with: its code (the <c>x-amzn-ErrorType</c> header, else the body's
/// <c>code</c> or <c>__type</c>, without namespace or <c>:</c> suffix), the HTTP status and the request id. The modeled
/// errors have their own subclasses; any other code stays a plain <see cref="SchedulerException"/> with its name.
/// </summary>
public class SchedulerException : Exception
{
    /// <summary>The code of a call that got no answer at all (connection refused or dropped, or the attempt timed out).</summary>
    public const string Unreachable = "Unreachable";

    public SchedulerException(string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public SchedulerException()
        : this("Unknown", "EventBridge Scheduler error", HttpStatusCode.InternalServerError, null)
    {
    }

    public SchedulerException(string message)
        : this("Unknown", message, HttpStatusCode.InternalServerError, null)
    {
    }

    public SchedulerException(string message, Exception innerException)
        : this("Unknown", message, HttpStatusCode.InternalServerError, null, innerException)
    {
    }

    public string ErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    /// <summary>Worth retrying: no answer, throttling, or a 5xx.</summary>
    public bool IsTransient => ErrorCode is Unreachable or "ThrottlingException" || (int)StatusCode >= 500;
}

/// <summary>The input broke a constraint; the message names the member (<c>Value 'x' at 'Name' failed to satisfy constraint ...</c>).</summary>
public sealed class SchedulerValidationException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("ValidationException", message, status, requestId);

/// <summary>CreateSchedule of a name that exists in the group, or a change that conflicts with one in progress.</summary>
public sealed class SchedulerConflictException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("ConflictException", message, status, requestId);

/// <summary>The schedule (or its group) does not exist.</summary>
public sealed class SchedulerResourceNotFoundException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("ResourceNotFoundException", message, status, requestId);

public sealed class SchedulerThrottlingException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("ThrottlingException", message, status, requestId);

public sealed class SchedulerServiceQuotaExceededException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("ServiceQuotaExceededException", message, status, requestId);

public sealed class SchedulerInternalServerException(string message, HttpStatusCode status, string? requestId)
    : SchedulerException("InternalServerException", message, status, requestId);
