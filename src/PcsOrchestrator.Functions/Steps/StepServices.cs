using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>Tunables of the workflow, read once at init from the function's environment.</summary>
public sealed record WorkflowSettings
{
    /// <summary>How long the cluster lock is held without renewal; every step renews it.</summary>
    public TimeSpan LockLease { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a completed idempotency record is kept (DynamoDB TTL).</summary>
    public TimeSpan CompletedKeyRetention { get; init; } = TimeSpan.FromDays(7);

    public BackoffPolicy Readiness { get; init; } = BackoffPolicy.Readiness;

    public BackoffPolicy Contention { get; init; } = BackoffPolicy.Contention;

    public UpdatePollPolicy UpdatePolling { get; init; } = UpdatePollPolicy.Default;
}

/// <summary>Everything a step needs from outside: created once per process (Lambda init), shared by invocations.</summary>
public sealed record StepServices(IPcsGateway Pcs, IRunLedger Ledger, TimeProvider Time, IRandomSource Random, WorkflowSettings Settings);
