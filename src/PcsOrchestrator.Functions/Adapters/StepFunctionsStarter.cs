using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Functions.Ports;

namespace PcsOrchestrator.Functions.Adapters;

/// <summary>
/// Starts window runs with Step Functions' StartExecution. A name Step Functions already knows (the same window
/// occurrence and cluster, started by an earlier attempt or an earlier firing of the schedule) is not an error;
/// throttling, 5xx and network failures become <c>WorkflowTransient</c>, which the state machine retries.
/// </summary>
public sealed class StepFunctionsStarter(StepFunctionsClient client) : IWorkflowStarter
{
    public async Task<bool> StartAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken)
    {
        try
        {
            await client.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = stateMachineArn, Name = name, Input = input }, cancellationToken);
            return true;
        }
        catch (StepFunctionsException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            return false;
        }
        catch (StepFunctionsException ex) when (ex.IsTransient)
        {
            throw new StepException(ErrorNames.WorkflowTransient, $"Step Functions did not start {name} ({ex.ErrorCode}): {ex.Message}", ex);
        }
    }
}
