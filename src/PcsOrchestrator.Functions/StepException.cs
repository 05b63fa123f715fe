using PcsOrchestrator.Lambda.Runtime;

namespace PcsOrchestrator.Functions;

/// <summary>
/// A step's failure with the error name (one of <see cref="Domain.ErrorNames"/>) that the state machine's Retry
/// and Catch match on. The message is for people: it names the cluster, the field or the state that failed.
/// </summary>
public sealed class StepException : Exception, ILambdaReportedError
{
    public StepException(string errorType, string message, Exception? inner = null)
        : base(message, inner) => ErrorType = errorType;

    public StepException()
        : this(Domain.ErrorNames.PcsTransient, "unspecified step failure")
    {
    }

    public StepException(string message)
        : this(Domain.ErrorNames.PcsTransient, message)
    {
    }

    public StepException(string message, Exception innerException)
        : this(Domain.ErrorNames.PcsTransient, message, innerException)
    {
    }

    public string ErrorType { get; }
}
