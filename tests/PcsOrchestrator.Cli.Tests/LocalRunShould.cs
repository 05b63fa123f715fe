using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Cli.Tests;

[Trait("Category", "Integration")]
public sealed class LocalRunShould
{
    private static string RepositoryRoot() => CliProcess.RepositoryRoot();

    [Fact]
    public async Task RunTheSampleEventToASuccessfulUpdate_AsAProcess()
    {
        var root = RepositoryRoot();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "pcs-orchestrator.dll"), "local", "run", "events/direct-request.json", "--output", "json", "--speed", "600" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var children = new HashSet<int>();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !process.HasExited)
            {
                children.UnionWith(ProcessTree.Descendants(process.Id));
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.ExitCode.Should().Be(0, await stderr);
        var result = JsonNode.Parse(await stdout)!;
        result["outcome"]!.GetValue<string>().Should().Be("succeeded");
        result["updateClusterCalls"]!.GetValue<int>().Should().Be(1);
        result["auditIntact"]!.GetValue<bool>().Should().BeTrue();
        result["audit"]!.AsArray().Select(e => e!["eventType"]!.GetValue<string>()).Should().Equal("requested", "planned", "update-started", "succeeded");
        await sampling.CancelAsync();
        await sampler;
        children.Should().NotBeEmpty("local run starts DynamoDB Local");
        children.Where(ProcessTree.Alive).Should().BeEmpty("local run stops the DynamoDB Local it started");
    }

    [Theory]
    [InlineData("local run", "Required argument missing")]
    [InlineData("local run /no/such/event.json", "does not exist")]
    [InlineData("local run events/direct-request.json --speed 0", "--speed")]
    [InlineData("local run events/direct-request.json --output yaml", "yaml")]
    [InlineData("local up --speed 0", "--speed")]
    [InlineData("local up --sfn-port 70000", "--sfn-port")]
    [InlineData("local up --dynamodb-endpoint ftp://x", "--dynamodb-endpoint")]
    [InlineData("start", "Required argument missing")]
    [InlineData("start events/direct-request.json --state-machine-arn arn:aws:states:us-east-1:1:stateMachine:x --endpoint-url not-a-url", "--endpoint-url")]
    [InlineData("status", "Required argument missing")]
    [InlineData("status some-name", "--state-machine-arn")]
    [InlineData("plan", "--config")]
    [InlineData("plan --config /no/such/request.json", "does not exist")]
    [InlineData("plan --config events/direct-request.json --endpoint-url not-a-url", "--endpoint-url")]
    [InlineData("plan --config events/direct-request.json --cluster bad_name!", "--cluster")]
    [InlineData("plan --config events/direct-request.json --output yaml", "yaml")]
    [InlineData("history", "Required argument missing")]
    [InlineData("history demo-cluster --limit 0", "--limit")]
    [InlineData("history demo-cluster --from yesterday", "--from")]
    [InlineData("history demo-cluster --to 2026-13-01", "--to")]
    [InlineData("history demo-cluster --from 2026-11-25 --to 2026-11-24", "--from")]
    [InlineData("history demo-cluster --table a-audit --table-prefix a", "--table")]
    [InlineData("history demo-cluster --dynamodb-endpoint ftp://x", "--dynamodb-endpoint")]
    [InlineData("history bad_name!", "cluster")]
    [InlineData("audit", "Required command")]
    [InlineData("audit verify", "Required argument missing")]
    [InlineData("audit verify demo-cluster --table a-audit --table-prefix a", "--table")]
    [InlineData("audit verify demo-cluster --output yaml", "yaml")]
    public void RefuseBadArguments_WithAOneLineErrorAndExitCode2(string arguments, string mentions)
    {
        var error = new StringWriter();
        Directory.SetCurrentDirectory(RepositoryRoot());

        var exit = CliApp.Run(arguments.Split(' '), new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Contain(mentions).And.StartWith("error: ");
        error.ToString().Should().NotContain("   at ", "no stack trace");
    }
}
