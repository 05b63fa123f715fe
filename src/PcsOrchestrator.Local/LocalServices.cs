using System.Text.Json.Nodes;
using PcsOrchestrator.Functions;
using PcsOrchestrator.Functions.Handlers;
using PcsOrchestrator.Local.Lambda;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Local;

public sealed record LocalServicesOptions
{
    /// <summary>The ASL definition (statemachine/update-cluster.asl.json).</summary>
    public required string Definition { get; init; }

    /// <summary>The function's program: the AOT <c>bootstrap</c>, or <c>dotnet</c> with the JIT <c>bootstrap.dll</c> as argument.</summary>
    public required string BootstrapCommand { get; init; }

    public IReadOnlyList<string> BootstrapArguments { get; init; } = [];

    /// <summary>Clusters, queues and node groups to create, and the emulator's durations.</summary>
    public EmulatorSeed? Seed { get; init; }

    /// <summary>How much faster than real time the runner's waits and the emulator's lifecycles go (1: real time).</summary>
    public double Speed { get; init; } = 1;

    /// <summary>An already running DynamoDB endpoint; null starts DynamoDB Local.</summary>
    public Uri? DynamoEndpoint { get; init; }

    public string TablePrefix { get; init; } = "pcs-orchestrator";

    public int PcsPort { get; init; }

    public int LambdaPort { get; init; }

    public int StepFunctionsPort { get; init; }

    /// <summary>Every function's timeout (template.yaml's Globals: 60 s).</summary>
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each line a function process writes (function name, line).</summary>
    public Action<string, string>? OnFunctionOutput { get; init; }
}

/// <summary>
/// Everything <c>local up</c> runs, on loopback: DynamoDB Local with the tables, the PCS emulator with a seed, the
/// Lambda emulator running the real <c>bootstrap</c> for every function of template.yaml, and a Step Functions
/// endpoint whose executions run the real definition with Task states calling those functions. Disposing stops all
/// of it, child processes included.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    public const string Region = LocalDeployment.Region;
    public const string Account = LocalDeployment.Account;

    private readonly List<IAsyncDisposable> _owned;

    private LocalServices(Uri dynamoEndpoint, TableNames tables, PcsEmulator pcs, LambdaEmulator lambda, StepFunctionsEndpoint stepFunctions, List<IAsyncDisposable> owned)
    {
        DynamoEndpoint = dynamoEndpoint;
        Tables = tables;
        Pcs = pcs;
        Lambda = lambda;
        StepFunctions = stepFunctions;
        _owned = owned;
    }

    public Uri DynamoEndpoint { get; }

    public TableNames Tables { get; }

    public PcsEmulator Pcs { get; }

    public LambdaEmulator Lambda { get; }

    public StepFunctionsEndpoint StepFunctions { get; }

    /// <summary>The function names (template.yaml's logical IDs) and the handler each one runs.</summary>
    public static IReadOnlyDictionary<string, string> Functions { get; } =
        HandlerRegistry.Names.ToDictionary(step => step + "Function", step => step, StringComparer.Ordinal);

    public static async Task<LocalServices> StartAsync(LocalServicesOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var owned = new List<IAsyncDisposable>();
        try
        {
            var clock = options.Speed > 1 ? new ScaledTimeProvider(options.Speed) : null;
            var time = (TimeProvider?)clock ?? TimeProvider.System;
            Uri dynamoEndpoint;
            if (options.DynamoEndpoint is { } given)
            {
                dynamoEndpoint = given;
            }
            else
            {
                var process = await DynamoDbLocalProcess.StartAsync(cancellationToken);
                owned.Add(process);
                dynamoEndpoint = process.Endpoint;
            }

            var tables = TableNames.WithPrefix(options.TablePrefix);
            using (var dynamo = DynamoDbLocalProcess.Client(dynamoEndpoint))
            {
                // DynamoDB Local reaps expired items by the machine's clock, not the stack's accelerated one.
                await TableDefinitions.CreateAsync(dynamo, tables, cancellationToken, enableTimeToLive: clock is null);
            }

            var pcs = await PcsEmulator.StartAsync(new PcsEmulatorOptions
            {
                Port = options.PcsPort,
                Time = time,
                Durations = options.Seed?.Durations?.ToDurations() ?? new EmulatorDurations(),
                Account = Account,
                Region = Region,
            }, cancellationToken);
            owned.Add(pcs);
            if (options.Seed is { } seed)
            {
                await seed.ApplyAsync(pcs, cancellationToken);
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL_PCS"] = pcs.Endpoint.ToString(),
                ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoEndpoint.ToString(),
                ["IDEMPOTENCY_TABLE_NAME"] = tables.Idempotency,
                ["LOCK_TABLE_NAME"] = tables.Lock,
                ["AUDIT_TABLE_NAME"] = tables.Audit,
                ["MAINTENANCE_TABLE_NAME"] = tables.Maintenance,
                ["LOCK_LEASE_SECONDS"] = "900",
                ["LOG_LEVEL"] = "Information",
            };
            foreach (var (name, value) in clock?.Variables() ?? new Dictionary<string, string>())
            {
                environment[name] = value;
            }

            var lambda = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions
            {
                InvokePort = options.LambdaPort,
                Region = Region,
                AccountId = Account,
                Functions = [.. Functions.Select(f => new LambdaFunctionOptions
                {
                    Name = f.Key,
                    Handler = f.Value,
                    Command = options.BootstrapCommand,
                    Arguments = options.BootstrapArguments,
                    Environment = environment,
                    Timeout = options.FunctionTimeout,
                    MemoryMb = 256,
                })],
                OnFunctionOutput = options.OnFunctionOutput,
            }, cancellationToken);
            owned.Add(lambda);

            var substitutions = Functions.Keys.ToDictionary(f => f + "Arn", f => $"arn:aws:lambda:{Region}:{Account}:function:{f}", StringComparer.Ordinal);
            var definition = StateMachineDefinition.Parse(options.Definition, substitutions);
            var runner = new StateMachineRunner(definition, new LambdaTaskInvoker(lambda), time, stateMachineArn: $"arn:aws:states:{Region}:{Account}:stateMachine:{options.TablePrefix}-update-cluster");
            var stepFunctions = await StepFunctionsEndpoint.StartAsync(runner, time, options.StepFunctionsPort, cancellationToken);
            owned.Add(stepFunctions);
            return new LocalServices(dynamoEndpoint, tables, pcs, lambda, stepFunctions, owned);
        }
        catch
        {
            await DisposeAllAsync(owned);
            throw;
        }
    }

    /// <summary>One JSON object with every endpoint and name a client needs.</summary>
    public JsonObject Describe() => new()
    {
        ["region"] = Region,
        ["stepFunctions"] = StepFunctions.Endpoint.ToString(),
        ["stateMachineArn"] = StepFunctions.StateMachineArn,
        ["lambda"] = Lambda.InvokeEndpoint.ToString(),
        ["pcs"] = Pcs.Endpoint.ToString(),
        ["dynamodb"] = DynamoEndpoint.ToString(),
        ["tables"] = new JsonObject { ["idempotency"] = Tables.Idempotency, ["lock"] = Tables.Lock, ["audit"] = Tables.Audit, ["maintenance"] = Tables.Maintenance },
        ["functions"] = new JsonArray([.. Functions.Keys.Select(f => (JsonNode)f)]),
    };

    /// <summary>Stops in reverse order of starting: executions first, then the functions, the emulator and DynamoDB Local.</summary>
    public async ValueTask DisposeAsync() => await DisposeAllAsync(_owned);

    private static async Task DisposeAllAsync(List<IAsyncDisposable> owned)
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }

        owned.Clear();
    }
}
