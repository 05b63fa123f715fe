namespace PcsOrchestrator.Local.Pcs.Tests;

/// <summary>The AWS CLI (botocore's official PCS model) against the emulator proves the wire format independently of our client.</summary>
[Trait("Category", "Integration")]
public sealed class AwsCliShould : IAsyncLifetime
{
    private PcsEmulator _emulator = null!;
    private AwsCli _aws = null!;

    public async ValueTask InitializeAsync()
    {
        _emulator = await PcsEmulator.StartAsync(new PcsEmulatorOptions { Durations = new EmulatorDurations { Update = TimeSpan.FromMinutes(10) } });
        _aws = new AwsCli(_emulator.Endpoint);
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task CreateReadListAndUpdateACluster_WithTheServicesDocumentedShapesAndErrors()
    {
        var created = await _aws.JsonAsync("pcs", "create-cluster", "--cluster-name", "cli-demo", "--scheduler", "type=SLURM,version=24.11",
            "--size", "SMALL", "--networking", "subnetIds=subnet-0123456789abcdef0,securityGroupIds=sg-0123456789abcdef0");
        var id = created.GetProperty("cluster").GetProperty("id").GetString()!;
        created.GetProperty("cluster").GetProperty("status").GetString().Should().Be("CREATING");

        var group = await _aws.JsonAsync("pcs", "create-compute-node-group", "--cluster-identifier", id, "--compute-node-group-name", "nodes",
            "--subnet-ids", "subnet-0123456789abcdef0", "--custom-launch-template", "id=lt-0123456789abcdef0,version=1",
            "--iam-instance-profile-arn", "arn:aws:iam::123456789012:instance-profile/AWSPCS-nodes",
            "--scaling-configuration", "minInstanceCount=0,maxInstanceCount=2", "--instance-configs", "instanceType=c7i.xlarge");
        var groupId = group.GetProperty("computeNodeGroup").GetProperty("id").GetString()!;
        (await _aws.JsonAsync("pcs", "get-compute-node-group", "--cluster-identifier", id, "--compute-node-group-identifier", groupId))
            .GetProperty("computeNodeGroup").GetProperty("status").GetString().Should().Be("ACTIVE", "the create duration is zero: ACTIVE on the next read");
        foreach (var name in new[] { "batch", "debug", "gpu" })
        {
            await _aws.JsonAsync("pcs", "create-queue", "--cluster-identifier", id, "--queue-name", name, "--compute-node-group-configurations", $"computeNodeGroupId={groupId}");
        }

        var cluster = (await _aws.JsonAsync("pcs", "get-cluster", "--cluster-identifier", "cli-demo")).GetProperty("cluster");
        cluster.GetProperty("status").GetString().Should().Be("ACTIVE");
        cluster.GetProperty("createdAt").GetDouble().Should().BeGreaterThan(1.7e9, "AWS CLI v1 prints timestamps as the service sent them: epoch seconds");
        cluster.GetProperty("slurmConfiguration").GetProperty("scaleDownIdleTimeInSeconds").GetInt32().Should().Be(600);
        cluster.GetProperty("scheduler").GetProperty("version").GetString().Should().Be("24.11");
        cluster.GetProperty("endpoints")[0].GetProperty("type").GetString().Should().Be("SLURMCTLD");

        _emulator.ClearCalls();
        var firstPage = await _aws.JsonAsync("pcs", "list-queues", "--cluster-identifier", id, "--max-results", "1");
        firstPage.GetProperty("queues").GetArrayLength().Should().Be(1);
        firstPage.GetProperty("nextToken").GetString().Should().NotBeNullOrEmpty();
        var queues = await _aws.JsonAsync("pcs", "list-queues", "--cluster-identifier", id, "--page-size", "1");
        queues.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()).Should().Equal("batch", "debug", "gpu");
        _emulator.CallCount("ListQueues").Should().Be(1 + 3, "the CLI's paginator followed nextToken through three one-item pages");

        var updating = await _aws.JsonAsync("pcs", "update-cluster", "--cluster-identifier", id,
            "--slurm-configuration", """{"scaleDownIdleTimeInSeconds":900,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"600"}]}""");
        updating.GetProperty("cluster").GetProperty("status").GetString().Should().Be("UPDATING");

        var (conflictExit, _, conflict) = await _aws.RunAsync("pcs", "update-cluster", "--cluster-identifier", id, "--slurm-configuration", """{"scaleDownIdleTimeInSeconds":1200}""");
        conflictExit.Should().NotBe(0);
        conflict.Should().Contain("ConflictException");
    }

    [Fact]
    public async Task RejectZeroPurgeDays_WithAValidationExceptionFromTheService()
    {
        var created = await _aws.JsonAsync("pcs", "create-cluster", "--cluster-name", "purge-demo", "--scheduler", "type=SLURM,version=24.11",
            "--size", "SMALL", "--networking", "subnetIds=subnet-0123456789abcdef0");
        var id = created.GetProperty("cluster").GetProperty("id").GetString()!;

        // botocore's model allows -1..10000, so 0 passes the CLI's own checks and reaches the service, which rejects it.
        var (exit, _, stderr) = await _aws.RunAsync("pcs", "update-cluster", "--cluster-identifier", id, "--slurm-configuration", """{"accounting":{"defaultPurgeTimeInDays":0}}""");

        exit.Should().NotBe(0);
        stderr.Should().Contain("ValidationException").And.Contain("0 is not a valid value");
        _emulator.CallCount("UpdateCluster").Should().Be(1);
    }
}
