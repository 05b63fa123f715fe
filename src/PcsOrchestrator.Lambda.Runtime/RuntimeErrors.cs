namespace PcsOrchestrator.Lambda.Runtime;

/// <summary>The error types the runtime itself reports, and the rule that names a handler's exception.</summary>
public static class RuntimeErrors
{
    /// <summary>
    /// The handler's token was cancelled <see cref="LambdaRuntimeOptions.DeadlineMargin"/> before the deadline and the
    /// handler stopped. The same name Lambda reports when it kills a function at its timeout, so one Retry/Catch
    /// matcher covers both.
    /// </summary>
    public const string Timeout = "Sandbox.Timedout";

    /// <summary>Init error: <c>_HANDLER</c> is missing or names no handler this executable hosts.</summary>
    public const string HandlerNotFound = "Runtime.HandlerNotFound";

    /// <summary>
    /// The error type of an exception: <see cref="ILambdaReportedError.ErrorType"/> when it implements it (and the
    /// value is not blank), otherwise the .NET type's short name (e.g. <c>InvalidOperationException</c>).
    /// </summary>
    public static string TypeOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is ILambdaReportedError reported && !string.IsNullOrWhiteSpace(reported.ErrorType)
            ? reported.ErrorType
            : exception.GetType().Name;
    }
}
