using System.Net;

namespace PcsOrchestrator.Aws.Pcs;

/// <summary>
/// Any error PCS answered with: the error code (<c>__type</c> without its namespace), the HTTP status and the request id.
/// A code the model does not list stays a plain <see cref="PcsServiceException"/> with its name.
/// </summary>
public class PcsServiceException : Exception
{
    public PcsServiceException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
        : base(message)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public PcsServiceException()
        : this("Unknown", "PCS error", HttpStatusCode.InternalServerError, null)
    {
    }

    public PcsServiceException(string message)
        : this("Unknown", message, HttpStatusCode.InternalServerError, null)
    {
    }

    public PcsServiceException(string message, Exception innerException)
        : base(message, innerException) => ErrorCode = "Unknown";

    public string ErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }
}

public sealed class PcsValidationException(string message, string? reason, IReadOnlyList<ValidationField> fields, HttpStatusCode status, string? requestId)
    : PcsServiceException("ValidationException", message, status, requestId)
{
    /// <summary>unknownOperation, cannotParse, fieldValidationFailed or other.</summary>
    public string? Reason { get; } = reason;

    public IReadOnlyList<ValidationField> FieldList { get; } = fields;
}

public sealed class PcsConflictException(string message, string? resourceId, string? resourceType, HttpStatusCode status, string? requestId)
    : PcsServiceException("ConflictException", message, status, requestId)
{
    public string? ResourceId { get; } = resourceId;

    public string? ResourceType { get; } = resourceType;
}

public sealed class PcsThrottlingException(string message, int? retryAfterSeconds, HttpStatusCode status, string? requestId)
    : PcsServiceException("ThrottlingException", message, status, requestId)
{
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;
}

public sealed class PcsResourceNotFoundException(string message, string? resourceId, string? resourceType, HttpStatusCode status, string? requestId)
    : PcsServiceException("ResourceNotFoundException", message, status, requestId)
{
    public string? ResourceId { get; } = resourceId;

    public string? ResourceType { get; } = resourceType;
}

public sealed class PcsAccessDeniedException(string message, HttpStatusCode status, string? requestId)
    : PcsServiceException("AccessDeniedException", message, status, requestId);

public sealed class PcsInternalServerException(string message, HttpStatusCode status, string? requestId)
    : PcsServiceException("InternalServerException", message, status, requestId);

public sealed class PcsServiceQuotaExceededException(string message, string? serviceCode, string? quotaCode, HttpStatusCode status, string? requestId)
    : PcsServiceException("ServiceQuotaExceededException", message, status, requestId)
{
    public string? ServiceCode { get; } = serviceCode;

    public string? QuotaCode { get; } = quotaCode;
}

/// <summary>The call did not get an answer: connection refused or dropped, or the client's timeout passed.</summary>
public sealed class PcsTransientException : Exception
{
    public PcsTransientException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public PcsTransientException()
        : this("PCS could not be reached", null)
    {
    }

    public PcsTransientException(string message)
        : this(message, null)
    {
    }
}
