using System.Globalization;
using System.Text.Json.Nodes;
using PcsOrchestrator.Cli.Commands;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// <c>plan</c> as a process against the project's PCS emulator (in this process, over HTTP) holding the demo cluster
/// and a second one: the change set it prints, and that it only ever reads.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PlanShould
{
    private const string Seed = """
        {
          "durations": { "createSeconds": 0, "updateSeconds": 480, "deleteSeconds": 60 },
          "clusters": [
            {
              "name": "demo-cluster",
              "slurmConfiguration": {
                "scaleDownIdleTimeInSeconds": 600,
                "slurmCustomSettings": [
                  { "parameterName": "PriorityWeightFairshare", "parameterValue": "5000" },
                  { "parameterName": "MinJobAge", "parameterValue": "300" }
                ],
                "accounting": { "mode": "STANDARD", "defaultPurgeTimeInDays": 30 }
              },
              "computeNodeGroups": ["compute-c7i"],
              "queues": ["batch"]
            },
            { "name": "other-cluster", "computeNodeGroups": [], "queues": [] }
          ]
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrintTheChangeSetOfTheSampleRequest_AndNeverCallUpdateCluster()
    {
        await using var pcs = await StartEmulatorAsync();
        var endpoint = pcs.Endpoint.ToString();

        var (exit, stdout, stderr) = await CliProcess.RunAsync("plan", "--config", "events/direct-request.json", "--endpoint-url", endpoint);

        exit.Should().Be(ExitCodes.Success, stderr);
        var lines = stdout.Split('\n');
        lines[0].Should().StartWith("Cluster demo-cluster (pcs_").And.EndWith(") is ACTIVE.");
        Row(lines, "slurmConfiguration.scaleDownIdleTimeInSeconds").Should().Equal("600", "1800", "change");
        Row(lines, "slurmConfiguration.slurmCustomSettings[MinJobAge]").Should().Equal("300", "600", "change");
        Row(lines, "slurmConfiguration.slurmCustomSettings[PriorityWeightAge]").Should().Equal("(absent)", "1000", "add");
        Row(lines, "slurmConfiguration.accounting.defaultPurgeTimeInDays").Should().Equal("30", "90", "change");
        stdout.Should().Contain("4 changes planned; nothing was changed.");

        (exit, stdout, stderr) = await CliProcess.RunAsync("plan", "--config", "events/direct-request.json", "--endpoint-url", endpoint, "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var plan = JsonNode.Parse(stdout)!;
        plan["cluster"]!["name"]!.GetValue<string>().Should().Be("demo-cluster");
        plan["cluster"]!["status"]!.GetValue<string>().Should().Be("ACTIVE");
        plan["noChange"]!.GetValue<bool>().Should().BeFalse();
        plan["changes"]!.AsArray().Select(c => $"{c!["path"]}|{c["before"]}|{c["after"]}|{c["action"]}").Should().Equal(
            "slurmConfiguration.scaleDownIdleTimeInSeconds|600|1800|change",
            "slurmConfiguration.slurmCustomSettings[MinJobAge]|300|600|change",
            "slurmConfiguration.slurmCustomSettings[PriorityWeightAge]||1000|add",
            "slurmConfiguration.accounting.defaultPurgeTimeInDays|30|90|change");

        // The payload is the one the workflow would send: the merged list whole, accounting without the unchanged mode.
        var payload = plan["payload"]!;
        payload["scaleDownIdleTimeInSeconds"]!.GetValue<int>().Should().Be(1800);
        payload["slurmCustomSettings"]!.AsArray().Select(s => $"{s!["parameterName"]}={s["parameterValue"]}").Should().Equal("PriorityWeightFairshare=5000", "MinJobAge=600", "PriorityWeightAge=1000");
        payload["accounting"]!.ToJsonString().Should().Be("""{"defaultPurgeTimeInDays":90}""");
        plan["window"].Should().BeNull("the request has no maintenance window");

        pcs.Calls.Select(c => c.Operation).Should().Equal(["GetCluster", "GetCluster"], "plan reads the cluster once per run and changes nothing");
        pcs.AppliedUpdates(plan["cluster"]!["id"]!.GetValue<string>()).Should().Be(0);
    }

    [Fact]
    public async Task ReportNoChange_ForABareConfigurationTheClusterAlreadyHas_WithTheEndpointFromAwsEndpointUrlPcs()
    {
        await using var pcs = await StartEmulatorAsync();
        using var file = new TempFile("""{"scaleDownIdleTimeInSeconds":600,"slurmCustomSettings":[{"parameterName":"MinJobAge","parameterValue":"300"}]}""");
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_PCS"] = pcs.Endpoint.ToString() };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(environment, "plan", "--cluster", "demo-cluster", "--config", file.Path);

        exit.Should().Be(ExitCodes.Success, stderr);
        stdout.Should().Contain("No change: the cluster already has the requested configuration.").And.NotContain("Action");

        (exit, stdout, stderr) = await CliProcess.RunAsync(environment, "plan", "--cluster", "demo-cluster", "--config", file.Path, "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var plan = JsonNode.Parse(stdout)!;
        plan["noChange"]!.GetValue<bool>().Should().BeTrue();
        plan["changes"]!.AsArray().Should().BeEmpty();
        plan["payload"].Should().BeNull();
        pcs.Calls.Select(c => c.Operation).Should().Equal("GetCluster", "GetCluster");
    }

    [Fact]
    public async Task PlanARequestNamingTheClusterById_AndShowTheWindowVerdict_ButRefuseOneNamingAnotherCluster()
    {
        await using var pcs = await StartEmulatorAsync();
        var clusters = await pcs.ListedClustersAsync(Ct);
        var end = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var file = new TempFile($$$"""
            {"clusterIdentifier":"demo-cluster","slurmConfiguration":{"slurmRest":{"mode":"STANDARD"}},"options":{"removeSettings":{"slurmCustomSettings":["PriorityWeightFairshare"]}},
             "maintenanceWindow":{"end":"{{{end}}}","cutoffMinutes":60}}
            """);

        var (exit, stdout, stderr) = await CliProcess.RunAsync("plan", "--cluster", clusters["demo-cluster"], "--config", file.Path, "--endpoint-url", pcs.Endpoint.ToString(), "--output", "json");

        exit.Should().Be(ExitCodes.Success, stderr);
        var plan = JsonNode.Parse(stdout)!;
        plan["cluster"]!["identifier"]!.GetValue<string>().Should().Be(clusters["demo-cluster"]);
        plan["changes"]!.AsArray().Select(c => $"{c!["path"]}|{c["before"]}|{c["after"]}|{c["action"]}").Should().Equal(
            "slurmConfiguration.slurmCustomSettings[PriorityWeightFairshare]|5000||remove",
            "slurmConfiguration.slurmRest.mode|NONE|STANDARD|change");
        plan["window"]!["proceed"]!.GetValue<bool>().Should().BeTrue();

        (exit, _, stderr) = await CliProcess.RunAsync("plan", "--cluster", "other-cluster", "--config", file.Path, "--endpoint-url", pcs.Endpoint.ToString());

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().StartWith("error: ").And.Contain("clusterIdentifier 'demo-cluster' is not the cluster --cluster names ('other-cluster'");
        pcs.CallCount("UpdateCluster").Should().Be(0);
    }

    [Fact]
    public async Task RefuseAnInvalidFile_NamingTheFieldAndTheRule_WithoutCallingPcs()
    {
        await using var pcs = await StartEmulatorAsync();
        using var request = new TempFile("""{"clusterIdentifier":"demo-cluster","slurmConfiguration":{"accounting":{"defaultPurgeTimeInDays":0}}}""");
        using var configuration = new TempFile("""{"scaleDownIdleTimeInSeconds":600,"slurmCustomSettings":[{"parameterName":"NoSuchSetting","parameterValue":"1"}]}""");

        var (exit, stdout, stderr) = await CliProcess.RunAsync("plan", "--config", request.Path, "--endpoint-url", pcs.Endpoint.ToString());

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith($"error: {Path.GetFileName(request.Path)} is invalid (1 issue); nothing was read from PCS:")
            .And.Contain("$.slurmConfiguration.accounting.defaultPurgeTimeInDays: must not be 0").And.Contain("[not-zero]");

        (exit, _, stderr) = await CliProcess.RunAsync("plan", "--cluster", "demo-cluster", "--config", configuration.Path, "--endpoint-url", pcs.Endpoint.ToString());

        exit.Should().Be(ExitCodes.Failed);
        stderr.Should().Contain("$.slurmCustomSettings[0].parameterName").And.Contain("[unlisted-setting]");
        pcs.Calls.Should().BeEmpty("an invalid file is refused before PCS is called");
    }

    [Fact]
    public async Task ReportAnUnknownCluster_WithExitCode1()
    {
        await using var pcs = await StartEmulatorAsync();

        var (exit, stdout, stderr) = await CliProcess.RunAsync("plan", "--cluster", "no-such-cluster", "--config", "events/direct-request.json", "--endpoint-url", pcs.Endpoint.ToString());

        exit.Should().Be(ExitCodes.Failed);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith("error: PCS has no cluster 'no-such-cluster'").And.Contain("ResourceNotFoundException");
        pcs.Calls.Select(c => c.Operation).Should().Equal("GetCluster");
    }

    [Fact]
    public void RequireCluster_ForABareConfiguration_AsAUsageError()
    {
        using var file = new TempFile("""{"scaleDownIdleTimeInSeconds":900}""");
        var error = new StringWriter();

        var exit = CliApp.Run(["plan", "--config", file.Path, "--endpoint-url", "http://127.0.0.1:9"], new System.CommandLine.InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Be($"error: --cluster is required: {Path.GetFileName(file.Path)} is a bare slurmConfiguration and names no cluster\n");
    }

    [Fact]
    public void NameTheActionOfEveryKindOfChange()
    {
        PlanCommand.Action(new Domain.Planning.ConfigurationChange("p", null, "1")).Should().Be("add");
        PlanCommand.Action(new Domain.Planning.ConfigurationChange("p", "1", null)).Should().Be("remove");
        PlanCommand.Action(new Domain.Planning.ConfigurationChange("p", "1", "2")).Should().Be("change");
    }

    private static async Task<PcsEmulator> StartEmulatorAsync()
    {
        var seed = EmulatorSeed.Parse(Seed);
        var pcs = await PcsEmulator.StartAsync(new PcsEmulatorOptions { Durations = seed.Durations!.ToDurations() }, Ct);
        await seed.ApplyAsync(pcs, Ct);
        pcs.ClearCalls();
        return pcs;
    }

    /// <summary>The cells after the first of the table row that starts with <paramref name="field"/>.</summary>
    private static List<string> Row(string[] lines, string field)
    {
        var row = lines.Single(l => l.StartsWith($"│ {field} ", StringComparison.Ordinal));
        return [.. row.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).Where(c => c.Length > 0).Skip(1)];
    }
}

/// <summary>A file in the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string content)
    {
        File.WriteAllText(Path, content);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pcso-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(Path);
}

internal static class EmulatorExtensions
{
    /// <summary>Name → id of every cluster the emulator holds, read with the project's client.</summary>
    public static async Task<Dictionary<string, string>> ListedClustersAsync(this PcsEmulator pcs, CancellationToken cancellationToken)
    {
        using var client = new Aws.Pcs.PcsClient(new Aws.Pcs.PcsClientOptions { Endpoint = pcs.Endpoint, Region = "us-east-1", Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test") });
        var clusters = await client.ListClustersAsync(cancellationToken);
        pcs.ClearCalls();
        return clusters.ToDictionary(c => c.Name, c => c.Id, StringComparer.Ordinal);
    }
}
