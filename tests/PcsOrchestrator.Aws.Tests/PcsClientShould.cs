using System.Net;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Aws.Tests;

[Trait("Category", "Integration")]
public sealed class PcsClientShould
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAndReadAClusterWithTheModelsFullShape()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var client = fx.Client();

        var cluster = await fx.CreateClusterAsync(client, "research", queues: 2, groups: 1);

        cluster.Status.Should().Be("ACTIVE", "a zero create duration is visible on the next read");
        cluster.Id.Should().MatchRegex("^pcs_[a-z0-9]{10}$");
        cluster.Arn.Should().Be($"arn:aws:pcs:us-east-1:123456789012:cluster/{cluster.Id}");
        cluster.Scheduler!.Version.Should().Be("24.11");
        cluster.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(600);
        cluster.SlurmConfiguration.Accounting!.Mode.Should().Be("NONE");
        cluster.SlurmConfiguration.AuthKey!.SecretArn.Should().StartWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:");
        cluster.Endpoints.Should().ContainSingle().Which.Type.Should().Be("SLURMCTLD");
        cluster.CreatedAt.Should().Be(fx.Time.GetUtcNow());
        (await client.GetClusterAsync("research", Ct)).Id.Should().Be(cluster.Id, "a cluster is found by name too");
    }

    [Fact]
    public async Task FollowNextTokenThroughEveryPage()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var client = fx.Client();
        var cluster = await fx.CreateClusterAsync(client, "paged", queues: 5, groups: 3);
        fx.Emulator.ClearCalls();

        var queues = await client.ListQueuesAsync(cluster.Id, Ct, pageSize: 2);
        var groups = await client.ListComputeNodeGroupsAsync(cluster.Id, Ct, pageSize: 1);

        queues.Select(q => q.Name).Should().Equal("queue-0", "queue-1", "queue-2", "queue-3", "queue-4");
        groups.Select(g => g.Name).Should().Equal("nodes-0", "nodes-1", "nodes-2");
        fx.Emulator.CallCount("ListQueues").Should().Be(3);
        fx.Emulator.CallCount("ListComputeNodeGroups").Should().Be(3);
        queues.Should().OnlyContain(q => q.ClusterId == cluster.Id && q.Status == "ACTIVE");
    }

    [Fact]
    public async Task UpdateAClusterThroughUpdatingToActive_ReplacingWholeLists()
    {
        await using var fx = await EmulatorFixture.StartAsync(new EmulatorDurations { Update = TimeSpan.FromMinutes(8) });
        using var client = fx.Client();
        var cluster = await fx.CreateClusterAsync(client, "updating");
        await client.UpdateClusterAsync(new UpdateClusterRequest
        {
            ClusterIdentifier = cluster.Id,
            ClientToken = "token-first-0001",
            SlurmConfiguration = new ClusterSlurmConfiguration { SlurmCustomSettings = [new() { ParameterName = "MinJobAge", ParameterValue = "600" }, new() { ParameterName = "Prolog", ParameterValue = "/p.sh" }] },
        }, Ct);
        fx.Time.Advance(TimeSpan.FromMinutes(8));

        var updating = await client.UpdateClusterAsync(new UpdateClusterRequest
        {
            ClusterIdentifier = cluster.Id,
            ClientToken = "token-second-001",
            SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 1800, SlurmCustomSettings = [new() { ParameterName = "MinJobAge", ParameterValue = "900" }] },
        }, Ct);
        var during = await client.GetClusterAsync(cluster.Id, Ct);
        fx.Time.Advance(TimeSpan.FromMinutes(8));
        var after = await client.GetClusterAsync(cluster.Id, Ct);

        updating.Status.Should().Be("UPDATING");
        during.Status.Should().Be("UPDATING");
        during.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(600, "the change shows only when the update completes");
        after.Status.Should().Be("ACTIVE");
        after.SlurmConfiguration!.ScaleDownIdleTimeInSeconds.Should().Be(1800);
        after.SlurmConfiguration.SlurmCustomSettings!.Select(s => (s.ParameterName, s.ParameterValue)).Should().Equal([("MinJobAge", "900")], "a list sent in an update replaces the whole list");
    }

    [Fact]
    public async Task ReturnTheOriginalResult_ForARepeatedClientToken_AndRejectItsReuseWithDifferentParameters()
    {
        await using var fx = await EmulatorFixture.StartAsync(new EmulatorDurations { Update = TimeSpan.FromMinutes(5) });
        using var client = fx.Client();
        var cluster = await fx.CreateClusterAsync(client, "tokens");
        var request = new UpdateClusterRequest { ClusterIdentifier = cluster.Id, ClientToken = "same-token-0001", SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 900 } };

        var first = await client.UpdateClusterAsync(request, Ct);
        var again = await client.UpdateClusterAsync(request, Ct);
        var reused = () => client.UpdateClusterAsync(new UpdateClusterRequest { ClusterIdentifier = cluster.Id, ClientToken = "same-token-0001", SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 1200 } }, Ct);

        again.ModifiedAt.Should().Be(first.ModifiedAt);
        again.Status.Should().Be("UPDATING", "the retry gets the original answer instead of a ConflictException");
        (await reused.Should().ThrowAsync<PcsValidationException>()).Which.FieldList.Should().ContainSingle(f => f.Name == "clientToken");
    }

    [Fact]
    public async Task RaiseValidationException_WithTheFieldList()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var client = fx.Client();
        var cluster = await fx.CreateClusterAsync(client, "invalid");

        var act = () => client.UpdateClusterAsync(new UpdateClusterRequest
        {
            ClusterIdentifier = cluster.Id,
            SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 0, Accounting = new Accounting { DefaultPurgeTimeInDays = 0 } },
        }, Ct);

        var error = (await act.Should().ThrowAsync<PcsValidationException>()).Which;
        error.Reason.Should().Be("fieldValidationFailed");
        error.FieldList.Select(f => f.Name).Should().Equal("slurmConfiguration.scaleDownIdleTimeInSeconds", "slurmConfiguration.accounting.defaultPurgeTimeInDays");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.RequestId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task RaiseConflictException_WhileTheClusterIsUpdating_OrAChildIsNotActive()
    {
        await using var fx = await EmulatorFixture.StartAsync(new EmulatorDurations { Update = TimeSpan.FromMinutes(5) });
        using var client = fx.Client();
        var cluster = await fx.CreateClusterAsync(client, "conflicts");
        await client.UpdateClusterAsync(new UpdateClusterRequest { ClusterIdentifier = cluster.Id, SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 900 } }, Ct);

        var whileUpdating = () => client.UpdateClusterAsync(new UpdateClusterRequest { ClusterIdentifier = cluster.Id, SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 1000 } }, Ct);
        var conflict = (await whileUpdating.Should().ThrowAsync<PcsConflictException>()).Which;
        conflict.ResourceId.Should().Be(cluster.Id);
        conflict.ResourceType.Should().Be("cluster");

        fx.Time.Advance(TimeSpan.FromMinutes(5));
        fx.Emulator.Hold("computeNodeGroup", cluster.Id, "nodes-0", "UPDATING", TimeSpan.FromMinutes(1));
        var childBusy = () => client.UpdateClusterAsync(new UpdateClusterRequest { ClusterIdentifier = cluster.Id, SlurmConfiguration = new ClusterSlurmConfiguration { ScaleDownIdleTimeInSeconds = 1000 } }, Ct);
        (await childBusy.Should().ThrowAsync<PcsConflictException>()).Which.ResourceType.Should().Be("computeNodeGroup");
    }

    [Fact]
    public async Task RaiseResourceNotFound_ForAnUnknownCluster()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var client = fx.Client();

        var act = () => client.GetClusterAsync("no-such-cluster", Ct);

        var error = (await act.Should().ThrowAsync<PcsResourceNotFoundException>()).Which;
        error.ResourceId.Should().Be("no-such-cluster");
        error.ResourceType.Should().Be("cluster");
    }

    [Fact]
    public async Task RetryThrottling_NeverSoonerThanRetryAfterSeconds()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var time = new RecordingTimeProvider();
        using var client = fx.Client(o => o with { Time = time, MaxAttempts = 3 });
        var cluster = await fx.CreateClusterAsync(client, "throttled");
        fx.Emulator.ClearCalls();
        fx.Emulator.Arm(new Fault(FaultKind.Throttle, 2, "GetCluster", RetryAfterSeconds: 2));

        var result = await client.GetClusterAsync(cluster.Id, Ct);

        result.Id.Should().Be(cluster.Id);
        fx.Emulator.CallCount("GetCluster").Should().Be(3);
        time.Delays.Should().HaveCount(2).And.OnlyContain(d => d >= TimeSpan.FromSeconds(2), "retryAfterSeconds is a floor");
    }

    [Fact]
    public async Task GiveUpOnThrottling_AfterItsBudget_WithRetryAfterSeconds()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var time = new RecordingTimeProvider();
        using var client = fx.Client(o => o with { Time = time, MaxAttempts = 3 });
        var cluster = await fx.CreateClusterAsync(client, "throttled-out");
        fx.Emulator.ClearCalls();
        fx.Emulator.Arm(new Fault(FaultKind.Throttle, 10, "GetCluster", RetryAfterSeconds: 1));

        var act = () => client.GetClusterAsync(cluster.Id, Ct);

        (await act.Should().ThrowAsync<PcsThrottlingException>()).Which.RetryAfterSeconds.Should().Be(1);
        fx.Emulator.CallCount("GetCluster").Should().Be(3);
    }

    [Fact]
    public async Task RetryServerErrorsAndDroppedConnections()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        var time = new RecordingTimeProvider();
        using var client = fx.Client(o => o with { Time = time, MaxAttempts = 3 });
        var cluster = await fx.CreateClusterAsync(client, "flaky");
        fx.Emulator.ClearCalls();
        fx.Emulator.Arm(new Fault(FaultKind.ServerError, 1, "GetCluster"));
        fx.Emulator.Arm(new Fault(FaultKind.Drop, 1, "GetCluster"));

        var result = await client.GetClusterAsync(cluster.Id, Ct);

        result.Status.Should().Be("ACTIVE");
        fx.Emulator.CallCount("GetCluster").Should().Be(3);
    }

    [Fact]
    public async Task MapNoAnswerWithinTheAttemptTimeout_ToATransientError()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var setup = fx.Client();
        var cluster = await fx.CreateClusterAsync(setup, "slow");
        using var client = fx.Client(o => o with { AttemptTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 1 });
        fx.Emulator.Arm(new Fault(FaultKind.Delay, 1, "GetCluster", DelayMilliseconds: 5000));

        var act = () => client.GetClusterAsync(cluster.Id, Ct);

        (await act.Should().ThrowAsync<PcsTransientException>()).Which.Message.Should().Contain("within 0.3 s");
    }

    [Fact]
    public async Task BeRefused_WithoutASigV4Header()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fx.Emulator.Endpoint) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSParallelComputingService.ListClusters");

        using var response = await http.SendAsync(request, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("MissingAuthenticationTokenException");
    }

    [Fact]
    public async Task AnswerAnUnknownOperation_WithTheServicesUnknownOperationError()
    {
        await using var fx = await EmulatorFixture.StartAsync();
        using var client = fx.Client();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fx.Emulator.Endpoint) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSParallelComputingService.FrobnicateCluster");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/pcs/aws4_request, SignedHeaders=host, Signature=abc");

        using var response = await http.SendAsync(request, Ct);
        var error = PcsClient.ToException("FrobnicateCluster", response, await response.Content.ReadAsByteArrayAsync(Ct), null);

        error.Should().BeOfType<PcsValidationException>().Which.Reason.Should().Be("unknownOperation");
    }
}
