using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Aws.StepFunctions;
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

    public int SchedulerPort { get; init; }

    /// <summary>Variables the template sets from its parameters (DEFAULT_APPLY, DEFAULT_WINDOW_*), for every function.</summary>
    public IReadOnlyDictionary<string, string> StackEnvironment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Everything <c>local up</c> runs, on loopback: DynamoDB Local with the tables, the PCS emulator with a seed, the
/// Lambda emulator running the real <c>bootstrap</c> for every function of template.yaml, a Step Functions endpoint
/// whose executions run the real definition with Task states calling those functions, and an EventBridge Scheduler
/// endpoint whose schedules (the windows' own) start executions there at their occurrences, on the stack's clock.
/// Disposing stops all of it, child processes included.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    public const string Region = LocalDeployment.Region;
    public const string Account = LocalDeployment.Account;

    /// <summary>The role and group window schedules name locally (the emulator does not check them; in AWS they are stack outputs).</summary>
    public const string SchedulerRoleArn = LocalDeployment.SchedulerRoleArn;
    public const string ScheduleGroup = "pcs-orchestrator-windows";

    private readonly List<IAsyncDisposable> _owned;

    private LocalServices(Uri dynamoEndpoint, TableNames tables, PcsEmulator pcs, LambdaEmulator lambda, StepFunctionsEndpoint stepFunctions, SchedulerEndpoint scheduler, ScaledTimeProvider? clock, List<IAsyncDisposable> owned)
    {
        Scheduler = scheduler;
        Clock = clock;
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

    public SchedulerEndpoint Scheduler { get; }

    /// <summary>The stack's accelerated clock (null at real time): the functions, the runner, the emulator and the scheduler all read it.</summary>
    public ScaledTimeProvider? Clock { get; }

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

            // The functions start window runs through Step Functions: they need its endpoint before it exists.
            var stepFunctionsPort = options.StepFunctionsPort != 0 ? options.StepFunctionsPort : FreePort();
            var environment = new Dictionary<string, string>(options.StackEnvironment, StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL_SFN"] = $"http://127.0.0.1:{stepFunctionsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/",
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
            var stepFunctions = await StepFunctionsEndpoint.StartAsync(runner, time, stepFunctionsPort, cancellationToken);
            owned.Add(stepFunctions);

            // EventBridge Scheduler's StartExecution target, through the same client a deployed stack's CLI uses.
            var client = new StepFunctionsClient(new StepFunctionsClientOptions { Endpoint = stepFunctions.Endpoint, Region = Region, Credentials = new BasicAWSCredentials("test", "test") });
            var scheduler = await SchedulerEndpoint.StartAsync(new SchedulerEndpointOptions
            {
                Port = options.SchedulerPort,
                Time = time,
                Region = Region,
                Account = Account,
                Invoke = async (invocation, ct) => await client.StartExecutionAsync(
                    new StartExecutionRequest { StateMachineArn = invocation.TargetArn, Name = invocation.ExecutionId, Input = invocation.Input ?? "{}" }, ct),
            }, cancellationToken);
            owned.Add(new Owned(client));
            owned.Add(scheduler);
            scheduler.Start();
            return new LocalServices(dynamoEndpoint, tables, pcs, lambda, stepFunctions, scheduler, clock, owned);
        }
        catch
        {
            await DisposeAllAsync(owned);
            throw;
        }
    }

    /// <summary>
    /// One JSON object with every endpoint and name a client needs, and under <c>env</c> the same as the environment
    /// variables the <c>pcs-orchestrator</c> commands and the AWS CLI read, ready to export. On an accelerated clock
    /// <c>env</c> also carries the clock's variables, so the commands compute window openings and write audit
    /// entries on the stack's time, as the functions do.
    /// </summary>
    public JsonObject Describe()
    {
        var description = Services();
        var env = description["env"]!.AsObject();
        foreach (var (name, value) in Clock?.Variables() ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        return description;
    }

    private JsonObject Services() => new()
    {
        ["region"] = Region,
        ["stepFunctions"] = StepFunctions.Endpoint.ToString(),
        ["stateMachineArn"] = StepFunctions.StateMachineArn,
        ["lambda"] = Lambda.InvokeEndpoint.ToString(),
        ["pcs"] = Pcs.Endpoint.ToString(),
        ["dynamodb"] = DynamoEndpoint.ToString(),
        ["scheduler"] = Scheduler.Endpoint.ToString(),
        ["scheduleGroup"] = ScheduleGroup,
        ["schedulerRoleArn"] = SchedulerRoleArn,
        ["tables"] = new JsonObject { ["idempotency"] = Tables.Idempotency, ["lock"] = Tables.Lock, ["audit"] = Tables.Audit, ["maintenance"] = Tables.Maintenance },
        ["functions"] = new JsonArray([.. Functions.Keys.Select(f => (JsonNode)f)]),
        ["env"] = new JsonObject
        {
            ["AWS_REGION"] = Region,
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_ENDPOINT_URL_SFN"] = StepFunctions.Endpoint.ToString(),
            ["AWS_ENDPOINT_URL_PCS"] = Pcs.Endpoint.ToString(),
            ["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoEndpoint.ToString(),
            ["AWS_ENDPOINT_URL_SCHEDULER"] = Scheduler.Endpoint.ToString(),
            ["PCS_ORCHESTRATOR_STATE_MACHINE_ARN"] = StepFunctions.StateMachineArn,
            ["PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN"] = SchedulerRoleArn,
            ["PCS_ORCHESTRATOR_SCHEDULE_GROUP"] = ScheduleGroup,
            [TableNames.AuditVariable] = Tables.Audit,
            [TableNames.MaintenanceVariable] = Tables.Maintenance,
        },
    };

    /// <summary>A free loopback port (the listener is closed again; the caller binds it at once).</summary>
    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Owned(IDisposable disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable.Dispose();
            return ValueTask.CompletedTask;
        }
    }

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
