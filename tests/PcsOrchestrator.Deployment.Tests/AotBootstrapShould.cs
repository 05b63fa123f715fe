using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Lambda;
using PcsOrchestrator.Local.Pcs;
using PcsOrchestrator.Testing;

[assembly: AssemblyFixture(typeof(DynamoDbLocal))]

namespace PcsOrchestrator.Deployment.Tests;

/// <summary>
/// The deployment artifact itself: `make build-PrepareFunction` exactly as `sam build` runs it publishes the Native AOT
/// `bootstrap`, which then answers every function's sample event (events/*Function.json) through the Lambda emulator,
/// against the PCS emulator and DynamoDB Local.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class AotBootstrapShould(DynamoDbLocal dynamo)
{
    private static readonly Lazy<Task<string>> Bootstrap = new(BuildAsync);

    // The access key id stays the emulator's default: DynamoDB Local keeps a separate database per access key id.
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY42";

    private const string SessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENEXAMPLE0042";

    private static readonly string[] Sequence = ["Prepare", "Claim", "CheckReadiness", "Plan", "Apply", "Poll", "Verify", "Rollback", "Finalize", "RecordFailure", "OpenWindow"];

    private static async Task<string> BuildAsync()
    {
        var artifacts = Repo.PathOf("artifacts", "sam-build", "PrepareFunction");
        var (exit, output) = await Repo.RunAsync("make", ["build-PrepareFunction", $"ARTIFACTS_DIR={artifacts}"], CancellationToken.None);
        exit.Should().Be(0, output);
        return Path.Combine(artifacts, "bootstrap");
    }

    [Fact]
    public async Task BeBuiltByTheMakefileAsANativeBinaryForAl2023_SmallEnoughToShip()
    {
        var bootstrap = await Bootstrap.Value;

        var bytes = await File.ReadAllBytesAsync(bootstrap, TestContext.Current.CancellationToken);
        bytes.AsSpan(0, 4).ToArray().Should().Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], "a native executable, not a managed dll");
        if (OperatingSystem.IsLinux())
        {
            File.GetUnixFileMode(bootstrap).Should().HaveFlag(UnixFileMode.UserExecute);
        }
        var (exit, symbols) = await Repo.RunAsync("objdump", ["-T", bootstrap], TestContext.Current.CancellationToken);
        exit.Should().Be(0, symbols);
        var newest = GlibcVersion().Matches(symbols).Select(m => Version.Parse(m.Groups[1].Value)).Max();
        newest.Should().NotBeNull().And.BeLessThanOrEqualTo(new Version(2, 34), "provided.al2023 ships glibc 2.34");
        using var zipped = new MemoryStream();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            await zip.CreateEntryFromFileAsync(bootstrap, "bootstrap", CompressionLevel.Optimal, TestContext.Current.CancellationToken);
        }

        zipped.Length.Should().BeLessThan(10 * 1024 * 1024, "the deployment package stays under 10 MB zipped");
    }

    [Fact]
    public async Task AnswerEveryFunctionsSampleEvent_ThroughTheLambdaEmulator()
    {
        var bootstrap = await Bootstrap.Value;
        var ct = TestContext.Current.CancellationToken;
        await using var local = await StartLocalAsync("aot", ct);
        await local.CreateDemoClusterAsync("demo-cluster", ct);
        var environment = Environment(local);
        environment["LOCK_LEASE_SECONDS"] = "900";
        var logs = new StringBuilder();
        await using var lambda = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions
        {
            SecretAccessKey = SecretKey,
            SessionToken = SessionToken,
            Functions = [.. Sequence.Select(step => new LambdaFunctionOptions { Name = step + "Function", Handler = step, Command = bootstrap, Environment = environment, Timeout = TimeSpan.FromSeconds(30), MemoryMb = 256 })],
            OnFunctionOutput = (_, line) =>
            {
                lock (logs)
                {
                    logs.AppendLine(line);
                }
            },
        }, ct);

        var outputs = new Dictionary<string, JsonNode?>();
        foreach (var step in Sequence)
        {
            var result = await lambda.InvokeAsync(step + "Function", Encoding.UTF8.GetBytes(Repo.Read("events", step + "Function.json")), ct);
            result.IsError.Should().BeFalse($"{step}: {result.ErrorType}: {result.ErrorMessage}");
            outputs[step] = JsonNode.Parse(result.Payload.Span);
        }

        outputs["Prepare"]!["run"]!["clusterIdentifier"]!.GetValue<string>().Should().Be("demo-cluster");
        outputs["Claim"]!["outcome"]!.GetValue<string>().Should().Be("CLAIMED");
        outputs["CheckReadiness"]!["verdict"]!.GetValue<string>().Should().Be("READY");
        outputs["Plan"]!["outcome"]!.GetValue<string>().Should().Be("APPLY");
        outputs["Apply"]!["clientToken"]!.GetValue<string>().Should().StartWith("pcso-");
        outputs["Poll"]!["status"]!.GetValue<string>().Should().Be("SUCCEEDED");
        outputs["Verify"]!["verified"]!.GetValue<bool>().Should().BeTrue();
        outputs["Finalize"]!["outcome"]!.GetValue<string>().Should().Be("succeeded");
        outputs["Rollback"]!["clientToken"]!.GetValue<string>().Should().StartWith("pcso-");
        outputs["RecordFailure"]!["error"]!.GetValue<string>().Should().Be("UpdateFailed");
        outputs["OpenWindow"]!["outcome"]!.GetValue<string>().Should().Be("no-window", "no window named sunday-night is stored: nothing is started");
        local.Pcs.CallCount("UpdateCluster").Should().Be(2, "Apply and Rollback");
        logs.ToString().Should().NotContain(SecretKey).And.NotContain(SessionToken).And.NotContain("Signature=", "logs never carry credentials or signatures");
        var audit = await local.Audit.QueryAsync("demo-cluster", 100, null, ct);
        audit.Entries.Should().NotBeEmpty();
        foreach (var entry in audit.Entries)
        {
            System.Text.Json.JsonSerializer.Serialize(entry, AuditJson.Default.AuditEntry).Should().NotContain(SecretKey).And.NotContain(SessionToken);
        }

        var invalid = await lambda.InvokeAsync("PrepareFunction", Encoding.UTF8.GetBytes("""{"input":{"clusterIdentifier":"x"},"executionId":"e","startTime":"2026-11-24T22:00:00Z"}"""), ct);
        invalid.ErrorType.Should().Be("RequestInvalid");
        invalid.ErrorMessage.Should().Contain("$.clusterIdentifier");
    }

    [Fact]
    public async Task ComputeAWindowInItsTimeZone_FromTheDatabaseShippedBesideIt_AndRefuseToStartWithoutOne()
    {
        // provided.al2023 has no /usr/share/zoneinfo: the function reads the copy the Makefile ships (TZDIR).
        var bootstrap = await Bootstrap.Value;
        var ct = TestContext.Current.CancellationToken;
        await using var local = await StartLocalAsync("tz", ct);
        var zoneinfo = Path.Combine(Path.GetDirectoryName(bootstrap)!, "zoneinfo");
        File.Exists(Path.Combine(zoneinfo, "Europe", "Berlin")).Should().BeTrue("the Makefile ships the time-zone database with the bootstrap");
        var empty = Directory.CreateTempSubdirectory("no-zoneinfo-").FullName;
        Dictionary<string, string> WindowEnvironment(string tzdir) => new(Environment(local))
        {
            ["DEFAULT_WINDOW_SCHEDULE"] = "cron(0 2 ? * SUN *)",
            ["DEFAULT_WINDOW_TIMEZONE"] = "Europe/Berlin",
            ["DEFAULT_WINDOW_CLUSTERS"] = "demo-cluster",
            ["TZDIR"] = tzdir,
        };
        await using var lambda = await LambdaEmulator.StartAsync(new LambdaEmulatorOptions
        {
            Functions =
            [
                new LambdaFunctionOptions { Name = "PrepareFunction", Handler = "Prepare", Command = bootstrap, Environment = WindowEnvironment(zoneinfo), Timeout = TimeSpan.FromSeconds(30), MemoryMb = 256 },
                new LambdaFunctionOptions { Name = "ClaimFunction", Handler = "Claim", Command = bootstrap, Environment = WindowEnvironment(zoneinfo), Timeout = TimeSpan.FromSeconds(30), MemoryMb = 256 },
                new LambdaFunctionOptions { Name = "BlindClaimFunction", Handler = "Claim", Command = bootstrap, Environment = WindowEnvironment(empty), Timeout = TimeSpan.FromSeconds(30), MemoryMb = 256 },
            ],
        }, ct);

        var prepared = await lambda.InvokeAsync("PrepareFunction", Encoding.UTF8.GetBytes(Repo.Read("events", "PrepareFunction.json")), ct);
        var claim = await lambda.InvokeAsync("ClaimFunction", prepared.Payload.ToArray(), ct);
        var blind = await lambda.InvokeAsync("BlindClaimFunction", prepared.Payload.ToArray(), ct);

        claim.IsError.Should().BeFalse($"{claim.ErrorType}: {claim.ErrorMessage}");
        var result = JsonNode.Parse(claim.Payload.Span)!;
        result["outcome"]!.GetValue<string>().Should().Be("QUEUED", $"the stack's default window covers demo-cluster and defaults to the next window (Claim answered {result.ToJsonString()})");
        var opensAt = result["result"]!["opensAt"]!.GetValue<DateTimeOffset>();
        var inBerlin = TimeZoneInfo.ConvertTime(opensAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        (inBerlin.DayOfWeek, inBerlin.Hour, inBerlin.Minute).Should().Be((DayOfWeek.Sunday, 2, 0), $"the window opens at 02:00 on a Sunday in Berlin ({opensAt:O} UTC)");
        opensAt.Should().BeAfter(DateTimeOffset.UtcNow).And.BeBefore(DateTimeOffset.UtcNow.AddDays(7).AddHours(2));
        blind.IsError.Should().BeTrue($"without a time-zone database the window cannot be computed (answered {Encoding.UTF8.GetString(blind.Payload.Span)})");
        blind.ErrorMessage.Should().Contain("DEFAULT_WINDOW_TIMEZONE", blind.ErrorType).And.Contain("[time-zone]");
    }

    private async Task<LocalDeployment> StartLocalAsync(string prefix, CancellationToken ct) =>
        await LocalDeployment.StartAsync(new LocalDeploymentOptions
        {
            Definition = Repo.Read("statemachine", "update-cluster.asl.json"),
            DynamoEndpoint = dynamo.Endpoint,
            TablePrefix = prefix + Guid.NewGuid().ToString("N")[..8],
            Durations = new EmulatorDurations(),
            // The sample events are dated 2026-11-24: DynamoDB Local's TTL would reap their records by today's clock.
            TimeToLive = false,
        }, ct);

    /// <summary>What template.yaml gives every function, pointed at the local deployment.</summary>
    private static Dictionary<string, string> Environment(LocalDeployment local) => new()
    {
        ["AWS_ENDPOINT_URL_PCS"] = local.Pcs.Endpoint.ToString(),
        ["AWS_ENDPOINT_URL_DYNAMODB"] = local.DynamoEndpoint.ToString(),
        ["IDEMPOTENCY_TABLE_NAME"] = local.Tables.Idempotency,
        ["LOCK_TABLE_NAME"] = local.Tables.Lock,
        ["AUDIT_TABLE_NAME"] = local.Tables.Audit,
        ["MAINTENANCE_TABLE_NAME"] = local.Tables.Maintenance,
    };

    [GeneratedRegex(@"GLIBC_([0-9]+\.[0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex GlibcVersion();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(PcsOrchestrator.Persistence.AuditEntry))]
internal sealed partial class AuditJson : System.Text.Json.Serialization.JsonSerializerContext;
