using System.Text;
using System.Text.Json.Nodes;
using PcsOrchestrator.Local.Lambda;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Local;

/// <summary>
/// Runs Task states through the Lambda emulator, as Step Functions calls Lambda: the function named by the Resource
/// ARN answers in its own <c>bootstrap</c> process; a function error becomes the task's error (its errorType, or
/// Lambda.Unknown for a crash, a timeout or an out-of-memory) with the error document as cause, so the definition's
/// Retry and Catch see what they would see in AWS.
/// </summary>
public sealed class LambdaTaskInvoker(LambdaEmulator lambda) : ITaskInvoker
{
    public async Task<JsonNode?> InvokeAsync(TaskInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var function = ResourceRouter.FunctionName(invocation.Resource) ?? invocation.Resource;
        LambdaInvocationResult result;
        try
        {
            result = await lambda.InvokeAsync(function, Encoding.UTF8.GetBytes(invocation.Input?.ToJsonString() ?? "null"), cancellationToken);
        }
        catch (LambdaFunctionNotFoundException ex)
        {
            throw new TaskFailedException("Lambda.ResourceNotFoundException", ex.Message);
        }
        catch (LambdaRequestTooLargeException ex)
        {
            throw new TaskFailedException("Lambda.RequestTooLargeException", ex.Message);
        }

        if (result.IsError)
        {
            throw new TaskFailedException(ErrorName(result.ErrorType), Encoding.UTF8.GetString(result.Payload.Span));
        }

        return JsonNode.Parse(result.Payload.Span);
    }

    /// <summary>
    /// The error name a Retry or Catch sees: the function's own errorType, except for failures of the execution
    /// environment rather than of the code (the process exited or crashed, ran past its timeout, ran out of memory,
    /// answered too much), which Step Functions reports as <c>Lambda.Unknown</c>.
    /// </summary>
    public static string ErrorName(string? errorType) =>
        errorType is null || errorType.StartsWith("Runtime.", StringComparison.Ordinal) || errorType.StartsWith("Sandbox.", StringComparison.Ordinal)
            || errorType.StartsWith("Function.", StringComparison.Ordinal)
            ? "Lambda.Unknown"
            : errorType;
}
