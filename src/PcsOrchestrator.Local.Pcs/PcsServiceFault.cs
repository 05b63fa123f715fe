using System.Net;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>An error the emulator answers with, in the service's own shape.</summary>
internal sealed class PcsServiceFault(HttpStatusCode status, ErrorBody body) : Exception(body.Message)
{
    public HttpStatusCode Status { get; } = status;

    public ErrorBody Body { get; } = body;

    public static PcsServiceFault Validation(string message, string reason = "fieldValidationFailed", params (string Name, string Message)[] fields) =>
        new(HttpStatusCode.BadRequest, new ErrorBody
        {
            Type = "ValidationException",
            Message = fields.Length == 0 ? message : $"{message}: " + string.Join("; ", fields.Select(f => $"{f.Name}: {f.Message}")),
            Reason = reason,
            FieldList = fields.Length == 0 ? null : [.. fields.Select(f => new ValidationField { Name = f.Name, Message = f.Message })],
        });

    public static PcsServiceFault Conflict(string message, string resourceId, string resourceType) =>
        new(HttpStatusCode.BadRequest, new ErrorBody { Type = "ConflictException", Message = message, ResourceId = resourceId, ResourceType = resourceType });

    public static PcsServiceFault NotFound(string resourceType, string id) =>
        new(HttpStatusCode.BadRequest, new ErrorBody { Type = "ResourceNotFoundException", Message = $"The {resourceType} '{id}' does not exist.", ResourceId = id, ResourceType = resourceType });

    public static PcsServiceFault Throttled(int? retryAfterSeconds) =>
        new(HttpStatusCode.BadRequest, new ErrorBody { Type = "ThrottlingException", Message = "Rate exceeded", RetryAfterSeconds = retryAfterSeconds });

    public static PcsServiceFault Internal(string message) =>
        new(HttpStatusCode.InternalServerError, new ErrorBody { Type = "InternalServerException", Message = message });

    public static PcsServiceFault Auth(string type, string message) =>
        new(HttpStatusCode.Forbidden, new ErrorBody { Type = type, Message = message });
}
