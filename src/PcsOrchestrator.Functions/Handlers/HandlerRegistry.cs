using PcsOrchestrator.Functions.Contracts;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Lambda.Runtime;

namespace PcsOrchestrator.Functions.Handlers;

/// <summary>The handler names (the template's Handler values, the _HANDLER variable) and the step each runs.</summary>
public static class HandlerRegistry
{
    public const string Prepare = "Prepare";
    public const string Claim = "Claim";
    public const string CheckReadiness = "CheckReadiness";
    public const string Plan = "Plan";
    public const string Apply = "Apply";
    public const string Poll = "Poll";
    public const string Verify = "Verify";
    public const string Rollback = "Rollback";
    public const string Finalize = "Finalize";
    public const string RecordFailure = "RecordFailure";
    public const string OpenWindow = "OpenWindow";

    public static IReadOnlyList<string> Names { get; } = [Prepare, Claim, CheckReadiness, Plan, Apply, Poll, Verify, Rollback, Finalize, RecordFailure, OpenWindow];

    /// <summary>Builds every handler over one set of services (clients created once, at init).</summary>
    public static IReadOnlyDictionary<string, ILambdaHandler> Create(StepServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var json = FunctionsJsonContext.Default;
        var prepare = new PrepareStep(services);
        return new Dictionary<string, ILambdaHandler>(StringComparer.Ordinal)
        {
            [Prepare] = new StepHandler<PrepareInput, PrepareResult>(json.PrepareInput, json.PrepareResult, (input, _) => Task.FromResult(prepare.Run(input))),
            [Claim] = new StepHandler<RunState, ClaimResult>(json.RunState, json.ClaimResult, new ClaimStep(services).RunAsync),
            [CheckReadiness] = new StepHandler<RunState, ReadinessResult>(json.RunState, json.ReadinessResult, new CheckReadinessStep(services).RunAsync),
            [Plan] = new StepHandler<RunState, PlanResult>(json.RunState, json.PlanResult, new PlanStep(services).RunAsync),
            [Apply] = new StepHandler<RunState, ApplyResult>(json.RunState, json.ApplyResult, new ApplyStep(services).RunAsync),
            [Poll] = new StepHandler<RunState, PollResult>(json.RunState, json.PollResult, new PollStep(services).RunAsync),
            [Verify] = new StepHandler<RunState, VerifyResult>(json.RunState, json.VerifyResult, new VerifyStep(services).RunAsync),
            [Rollback] = new StepHandler<RunState, ApplyResult>(json.RunState, json.ApplyResult, new RollbackStep(services).RunAsync),
            [Finalize] = new StepHandler<RunState, FinalResult>(json.RunState, json.FinalResult, new FinalizeStep(services).RunAsync),
            [RecordFailure] = new StepHandler<RunState, FailureResult>(json.RunState, json.FailureResult, new RecordFailureStep(services).RunAsync),
            [OpenWindow] = new StepHandler<RunState, OpenWindowResult>(json.RunState, json.OpenWindowResult, new OpenWindowStep(services).RunAsync),
        };
    }
}
