using Amazon.DynamoDBv2;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Functions.Handlers;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Lambda.Runtime;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Functions;

/// <summary>
/// The `bootstrap` of every function: clients are created once at init, then the runtime loop serves the step named
/// by _HANDLER. Configuration comes from the function's environment (template.yaml; events/env.json locally).
/// </summary>
public static class Program
{
    public static Task<int> Main() => LambdaBootstrap.RunAsync(() => CreateHandlers(ProcessEnvironment.Instance));

    /// <summary>Builds the services (PCS client, DynamoDB client, settings) and every handler over them.</summary>
    public static IReadOnlyDictionary<string, ILambdaHandler> CreateHandlers(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return HandlerRegistry.Create(CreateServices(environment.Get));
    }

    public static StepServices CreateServices(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        // The PCS client's timeouts and retry delays stay on real time; the workflow's clock is the system's, or
        // the local stack's accelerated one when it sets the clock variables.
        var time = ScaledTimeProvider.FromEnvironment(environment);
        var pcs = new PcsClient(new PcsClientOptions { Environment = environment });
        var dynamoConfig = new AmazonDynamoDBConfig();
        if ((environment("AWS_ENDPOINT_URL_DYNAMODB") ?? environment("AWS_ENDPOINT_URL")) is { Length: > 0 } endpoint)
        {
            dynamoConfig.ServiceURL = endpoint;
            dynamoConfig.AuthenticationRegion = environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? "us-east-1";
        }

        var dynamo = new AmazonDynamoDBClient(dynamoConfig);
        var settings = new WorkflowSettings();
        if (int.TryParse(environment("LOCK_LEASE_SECONDS"), out var lease) && lease > 0)
        {
            settings = settings with { LockLease = TimeSpan.FromSeconds(lease) };
        }

        var tables = TableNames.FromEnvironment(environment);
        var ledger = new DynamoRunLedger(dynamo, tables, time);
        var maintenance = new DynamoMaintenanceLedger(dynamo, tables, time, ledger, StackDefaults.FromEnvironment(environment));
        var stepFunctions = new StepFunctionsClient(new StepFunctionsClientOptions { Environment = environment });
        return new StepServices(new PcsGateway(pcs), ledger, time, SharedRandomSource.Instance, settings, maintenance, new StepFunctionsStarter(stepFunctions));
    }
}
