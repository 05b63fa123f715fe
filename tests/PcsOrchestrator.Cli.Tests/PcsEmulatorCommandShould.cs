using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Cli.Tests;

[Trait("Category", "Integration")]
public sealed class PcsEmulatorCommandShould
{
    [Fact]
    public async Task ServeTheSeedAndPrintItsEndpoint_ThenStopCleanlyOnSigterm()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "PcsOrchestrator.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "pcs-orchestrator.dll"), "local", "pcs-emulator", "--seed", "local/demo-seed.json", "--update-seconds", "5" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var endpoint = new Uri(JsonNode.Parse(line!)!["endpoint"]!.GetValue<string>());
            endpoint.Host.Should().Be("127.0.0.1");

            using var client = new PcsOrchestrator.Aws.Pcs.PcsClient(new PcsOrchestrator.Aws.Pcs.PcsClientOptions { Endpoint = endpoint, Region = "us-east-1", Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test") });
            var clusters = await client.ListClustersAsync(TestContext.Current.CancellationToken);
            clusters.Should().ContainSingle().Which.Name.Should().Be("demo-cluster");
            (await client.ListQueuesAsync(clusters[0].Id, TestContext.Current.CancellationToken)).Select(q => q.Name).Should().Equal("batch", "debug");

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
