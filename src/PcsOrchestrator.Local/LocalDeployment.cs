using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Functions.Handlers;
using PcsOrchestrator.Functions.Steps;
using PcsOrchestrator.Lambda.Runtime;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Local.StateMachine;
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
}

/// <summary>
/// The whole product on one machine: DynamoDB Local (or a given endpoint) with the project's tables, the PCS
/// emulator, the ten handlers in process over the same adapters Lambda uses, and the runner of the real definition
/// whose Task states call them. Disposing stops everything it started.
/// </summary>
public sealed class LocalDeployment : IAsyncDisposable
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";

    private readonly DynamoDbLocalProcess? _dynamoProcess;
    private readonly PcsClient _pcsClient;

    private LocalDeployment(LocalDeploymentOptions options, DynamoDbLocalProcess? dynamoProcess, IAmazonDynamoDB dynamo, TableNames tables, PcsEmulator pcs, PcsClient pcsClient, StateMachineRunner runner, InProcessFunctions functions)
    {
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

    public static async Task<LocalDeployment> StartAsync(LocalDeploymentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dynamoProcess = options.DynamoEndpoint is null ? await DynamoDbLocalProcess.StartAsync(cancellationToken) : null;
        var dynamo = DynamoDbLocalProcess.Client(options.DynamoEndpoint ?? dynamoProcess!.Endpoint);
        var tables = TableNames.WithPrefix(options.TablePrefix);
        // DynamoDB Local reaps expired items by the machine's clock: on a virtual clock its TTL would delete live records.
        await TableDefinitions.CreateAsync(dynamo, tables, cancellationToken, enableTimeToLive: options.Time == TimeProvider.System);
        var pcs = await PcsEmulator.StartAsync(new PcsEmulatorOptions { Time = options.Time, Durations = options.Durations, Account = Account, Region = Region }, cancellationToken);

        // HTTP timeouts and the client's own retry delays stay on real time: the clock may run faster than sockets.
        var pcsClient = new PcsClient(new PcsClientOptions { Endpoint = pcs.Endpoint, Region = Region, Credentials = new BasicAWSCredentials("test", "test"), AttemptTimeout = options.PcsAttemptTimeout });
        var output = new JsonLineWriter(options.LogOutput ?? Stream.Null);
        var logger = new JsonLogger(output, options.Time);
        var metrics = new EmbeddedMetrics(output, options.Time, EmbeddedMetrics.DefaultNamespace);
        var services = new StepServices(new PcsGateway(pcsClient), new DynamoRunLedger(dynamo, tables, options.Time), options.Time, options.Random, options.Settings);
        var handlers = HandlerRegistry.Create(services);
        var byFunction = handlers.ToDictionary(kv => kv.Key + "Function", kv => kv.Value, StringComparer.Ordinal);
        var functions = new InProcessFunctions(byFunction, options.Time, logger, metrics);
        var substitutions = byFunction.Keys.ToDictionary(f => f + "Arn", f => $"arn:aws:lambda:{Region}:{Account}:function:{f}", StringComparer.Ordinal);
        var definition = StateMachineDefinition.Parse(options.Definition, substitutions);
        var runner = new StateMachineRunner(definition, functions, options.Time, options.Random.NextDouble, $"arn:aws:states:{Region}:{Account}:stateMachine:{options.TablePrefix}-update-cluster");
        return new LocalDeployment(options, dynamoProcess, dynamo, tables, pcs, pcsClient, runner, functions);
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

    public Execution Start(string name, JsonNode? input) => Runner.StartExecution(name, input);

    public async ValueTask DisposeAsync()
    {
        await Pcs.DisposeAsync();
        _pcsClient.Dispose();
        Dynamo.Dispose();
        if (_dynamoProcess is not null)
        {
            await _dynamoProcess.DisposeAsync();
        }
    }
}
