using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PcsOrchestrator.Aws.EventBridgeScheduler;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Functions.Handlers;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Lambda.Runtime;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
using PcsOrchestrator.Operations;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Local;

public sealed record LocalDeploymentOptions
{
    /// <summary>The ASL definition (statemachine/update-cluster.asl.json).</summary>
    public required string Definition { get; init; }

    /// <summary>The clock of the emulator, the handlers and the runner (e.g. a <see cref="Functions.ScaledTimeProvider"/>).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>An already running DynamoDB endpoint (tests share one); null starts DynamoDB Local.</summary>
    public Uri? DynamoEndpoint { get; init; }

    public string TablePrefix { get; init; } = "pcs-orchestrator";

    public EmulatorDurations Durations { get; init; } = new() { Update = TimeSpan.FromMinutes(8) };

    public WorkflowSettings Settings { get; init; } = new();

    public IRandomSource Random { get; init; } = SharedRandomSource.Instance;

    /// <summary>How long one PCS call may take before the client counts it as a transient failure (real time).</summary>
    public TimeSpan PcsAttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the handlers' JSON log lines go (null: nowhere).</summary>
    public Stream? LogOutput { get; init; }

    /// <summary>
    /// Whether the tables get DynamoDB TTL. DynamoDB Local deletes expired items by the machine's clock, so a deployment
    /// whose records carry other times (a virtual clock, or replayed sample events dated in the past) must leave it off;
    /// null: on only with the system clock. The code treats an expired record as absent either way.
    /// </summary>
    public bool? TimeToLive { get; init; }

    /// <summary>A PCS emulator that outlives this deployment (a redeploy talks to the same PCS); null starts one and stops it on disposal.</summary>
    public PcsEmulator? Pcs { get; init; }

    /// <summary>Fault injection (tests): true for a Task invocation whose answer is lost after its handler ran (Lambda.Unknown).</summary>
    public Func<TaskInvocation, bool>? LoseAnswer { get; init; }

    /// <summary>The stack's maintenance-window defaults (template parameters DefaultApply and DefaultWindow*).</summary>
    public StackDefaults Defaults { get; init; } = StackDefaults.None;
}

/// <summary>
/// The whole product on one machine: DynamoDB Local (or a given endpoint) with the project's tables, the PCS
/// emulator, the handlers in process over the same adapters Lambda uses, the runner of the real definition whose Task
/// states call them, and a local EventBridge Scheduler whose window schedules start executions of it (fired by
/// <see cref="SchedulerEndpoint.FireDueAsync"/> on a virtual clock). Disposing stops everything it started.
/// </summary>
public sealed class LocalDeployment : IAsyncDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    private readonly DynamoDbLocalProcess? _dynamoProcess;
    private readonly PcsClient _pcsClient;

    public const string SchedulerRoleArn = $"arn:aws:iam::{Account}:role/pcs-orchestrator-scheduler";

    private readonly SchedulerClient _schedulerClient;

    private LocalDeployment(LocalDeploymentOptions options, DynamoDbLocalProcess? dynamoProcess, IAmazonDynamoDB dynamo, TableNames tables, PcsEmulator pcs, PcsClient pcsClient, StateMachineRunner runner, InProcessFunctions functions, LocalExecutions executions, SchedulerEndpoint scheduler, SchedulerClient schedulerClient)
    {
        Executions = executions;
        Scheduler = scheduler;
        _schedulerClient = schedulerClient;
        Maintenance = new MaintenanceStore(dynamo, tables.Maintenance, options.Time);
        Options = options;
        _dynamoProcess = dynamoProcess;
        Dynamo = dynamo;
        Tables = tables;
        Pcs = pcs;
        _pcsClient = pcsClient;
        Runner = runner;
        Functions = functions;
        Audit = new AuditLog(dynamo, tables.Audit, options.Time);
        Keys = new IdempotencyStore(dynamo, tables.Idempotency, options.Time);
        Windows = new WindowAdministration(Maintenance, schedulerClient, new ScheduleTarget(runner.StateMachineArn, SchedulerRoleArn, null), options.Time);
        Queue = new QueueOperations(Maintenance, Audit);
    }

    public LocalDeploymentOptions Options { get; }

    public Uri DynamoEndpoint => _dynamoProcess?.Endpoint ?? Options.DynamoEndpoint!;

    public IAmazonDynamoDB Dynamo { get; }

    public TableNames Tables { get; }

    public PcsEmulator Pcs { get; }

    public IPcsClient PcsClient => _pcsClient;

    public StateMachineRunner Runner { get; }

    public InProcessFunctions Functions { get; }

    public AuditLog Audit { get; }

    public IdempotencyStore Keys { get; }

    public MaintenanceStore Maintenance { get; }

    /// <summary>Every execution started here, by a caller, a window schedule or a window's opening.</summary>
    public LocalExecutions Executions { get; }

    /// <summary>The local EventBridge Scheduler: window schedules land here and start executions of the runner.</summary>
    public SchedulerEndpoint Scheduler { get; }

    /// <summary>What <c>window set|show|list|delete</c> does, against this deployment's table and scheduler.</summary>
    public WindowAdministration Windows { get; }

    /// <summary>What <c>queue list|cancel</c> does.</summary>
    public QueueOperations Queue { get; }

    public static async Task<LocalDeployment> StartAsync(LocalDeploymentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dynamoProcess = options.DynamoEndpoint is null ? await DynamoDbLocalProcess.StartAsync(cancellationToken) : null;
        var dynamo = DynamoDbLocalProcess.Client(options.DynamoEndpoint ?? dynamoProcess!.Endpoint);
        var tables = TableNames.WithPrefix(options.TablePrefix);
        // DynamoDB Local reaps expired items by the machine's clock: on a virtual clock its TTL would delete live records.
        await TableDefinitions.CreateAsync(dynamo, tables, cancellationToken, enableTimeToLive: options.TimeToLive ?? options.Time == TimeProvider.System);
        var pcs = options.Pcs ?? await PcsEmulator.StartAsync(new PcsEmulatorOptions { Time = options.Time, Durations = options.Durations, Account = Account, Region = Region }, cancellationToken);

        // HTTP timeouts and the client's own retry delays stay on real time: the clock may run faster than sockets.
        var pcsClient = new PcsClient(new PcsClientOptions { Endpoint = pcs.Endpoint, Region = Region, Credentials = new BasicAWSCredentials("test", "test"), AttemptTimeout = options.PcsAttemptTimeout });
        var output = new JsonLineWriter(options.LogOutput ?? Stream.Null);
        var logger = new JsonLogger(output, options.Time);
        var metrics = new EmbeddedMetrics(output, options.Time, EmbeddedMetrics.DefaultNamespace);
        var ledger = new DynamoRunLedger(dynamo, tables, options.Time);
        var executions = new LocalExecutions();
        var maintenance = new DynamoMaintenanceLedger(dynamo, tables, options.Time, ledger, options.Defaults);
        var services = new StepServices(new PcsGateway(pcsClient), ledger, options.Time, options.Random, options.Settings, maintenance, executions);
        var handlers = HandlerRegistry.Create(services);
        var byFunction = handlers.ToDictionary(kv => kv.Key + "Function", kv => kv.Value, StringComparer.Ordinal);
        var functions = new InProcessFunctions(byFunction, options.Time, logger, metrics) { LoseAnswer = options.LoseAnswer };
        var substitutions = byFunction.Keys.ToDictionary(f => f + "Arn", f => $"arn:aws:lambda:{Region}:{Account}:function:{f}", StringComparer.Ordinal);
        var definition = StateMachineDefinition.Parse(options.Definition, substitutions);
        var runner = new StateMachineRunner(definition, functions, options.Time, options.Random.NextDouble, $"arn:aws:states:{Region}:{Account}:stateMachine:{options.TablePrefix}-update-cluster");
        executions.Attach(runner);

        // EventBridge Scheduler's StartExecution target: a fresh execution per occurrence, named as the service names it.
        var scheduler = await SchedulerEndpoint.StartAsync(new SchedulerEndpointOptions
        {
            Time = options.Time,
            Region = Region,
            Account = Account,
            Invoke = (invocation, ct) => invocation.TargetArn == runner.StateMachineArn
                ? executions.StartAsync(invocation.TargetArn, invocation.ExecutionId, invocation.Input ?? "{}", ct)
                : throw new InvalidOperationException($"the schedule's target {invocation.TargetArn} is not this deployment's state machine"),
        }, cancellationToken);
        var schedulerClient = new SchedulerClient(new SchedulerClientOptions { Endpoint = scheduler.Endpoint, Region = Region, Credentials = new BasicAWSCredentials("test", "test") });
        return new LocalDeployment(options, dynamoProcess, dynamo, tables, pcs, pcsClient, runner, functions, executions, scheduler, schedulerClient);
    }

    /// <summary>A demo cluster with two queues on one compute node group, all ACTIVE, and some settings already set.</summary>
    public async Task<Cluster> CreateDemoClusterAsync(string name, CancellationToken cancellationToken)
    {
        var cluster = await _pcsClient.CreateClusterAsync(new CreateClusterRequest
        {
            ClusterName = name,
            Scheduler = new Scheduler { Type = "SLURM", Version = "24.11" },
            Size = "SMALL",
            Networking = new Networking { SubnetIds = ["subnet-0a1b2c3d4e5f60718"], SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"] },
            SlurmConfiguration = new ClusterSlurmConfiguration
            {
                ScaleDownIdleTimeInSeconds = 600,
                SlurmCustomSettings = [new SlurmCustomSetting { ParameterName = "PriorityWeightFairshare", ParameterValue = "5000" }, new SlurmCustomSetting { ParameterName = "MinJobAge", ParameterValue = "300" }],
                Accounting = new Accounting { Mode = "STANDARD", DefaultPurgeTimeInDays = 30 },
            },
        }, cancellationToken);
        var group = await _pcsClient.CreateComputeNodeGroupAsync(new CreateComputeNodeGroupRequest
        {
            ClusterIdentifier = cluster.Id,
            ComputeNodeGroupName = "compute-c7i",
            SubnetIds = ["subnet-0a1b2c3d4e5f60718"],
            CustomLaunchTemplate = new CustomLaunchTemplate { Id = "lt-0a1b2c3d4e5f60718", Version = "1" },
            IamInstanceProfileArn = $"arn:aws:iam::{Account}:instance-profile/AWSPCS-compute",
            ScalingConfiguration = new ScalingConfiguration { MinInstanceCount = 0, MaxInstanceCount = 8 },
            InstanceConfigs = [new InstanceConfig { InstanceType = "c7i.4xlarge" }],
        }, cancellationToken);
        foreach (var queue in new[] { "batch", "debug" })
        {
            await _pcsClient.CreateQueueAsync(new CreateQueueRequest { ClusterIdentifier = cluster.Id, QueueName = queue, ComputeNodeGroupConfigurations = [new ComputeNodeGroupConfiguration { ComputeNodeGroupId = group.Id }] }, cancellationToken);
        }

        return await _pcsClient.GetClusterAsync(cluster.Id, cancellationToken);
    }

    public Execution Start(string name, JsonNode? input) => Executions.Start(name, input);

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync();
        _schedulerClient.Dispose();
        if (Options.Pcs is null)
        {
            await Pcs.DisposeAsync();
        }

        _pcsClient.Dispose();
        Dynamo.Dispose();
        if (_dynamoProcess is not null)
        {
            await _dynamoProcess.DisposeAsync();
        }
    }
}
