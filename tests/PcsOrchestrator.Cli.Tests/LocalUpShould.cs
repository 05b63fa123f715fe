using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// `local up` as a process, driven by independent clients: the AWS CLI (botocore's own Step Functions and Lambda
/// models decide the wire format) and this command's own `start` and `status`.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LocalUpShould
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServeStepFunctionsAndLambda_RunAnUpdateEndToEnd_ThenStopWithEveryChildOnSigterm()
    {
        var root = Root();
        using var up = Start(root, "local", "up", "--speed", "120");
        try
        {
            var line = await up.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(120), Ct);
            var endpoints = JsonNode.Parse(line ?? throw new InvalidOperationException("local up printed nothing: " + await up.StandardError.ReadToEndAsync(Ct)))!;
            var sfn = endpoints["stepFunctions"]!.GetValue<string>().TrimEnd('/');
            var lambda = endpoints["lambda"]!.GetValue<string>().TrimEnd('/');
            var stateMachine = endpoints["stateMachineArn"]!.GetValue<string>();
            foreach (var key in new[] { "pcs", "dynamodb" })
            {
                new Uri(endpoints[key]!.GetValue<string>()).Host.Should().Be("127.0.0.1", "every endpoint listens on loopback only");
            }

            // The AWS CLI against the Step Functions endpoint: start, describe until done, history.
            var started = await AwsAsync("stepfunctions", "start-execution", "--endpoint-url", sfn, "--state-machine-arn", stateMachine, "--name", "cli-1", "--input", "file://" + Path.Combine(root, "events", "direct-request.json"));
            var executionArn = started["executionArn"]!.GetValue<string>();
            executionArn.Should().EndWith(":cli-1");
            JsonNode described;
            var waited = Stopwatch.StartNew();
            do
            {
                await Task.Delay(500, Ct);
                described = await AwsAsync("stepfunctions", "describe-execution", "--endpoint-url", sfn, "--execution-arn", executionArn);
            }
            while (described["status"]!.GetValue<string>() == "RUNNING" && waited.Elapsed < TimeSpan.FromMinutes(3));

            described["status"]!.GetValue<string>().Should().Be("SUCCEEDED", described.ToJsonString());
            JsonNode.Parse(described["output"]!.GetValue<string>())!["outcome"]!.GetValue<string>().Should().Be("succeeded");
            var history = await AwsAsync("stepfunctions", "get-execution-history", "--endpoint-url", sfn, "--execution-arn", executionArn);
            var types = history["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
            types[0].Should().Be("ExecutionStarted");
            types[^1].Should().Be("ExecutionSucceeded");
            types.Should().Contain("LambdaFunctionSucceeded").And.Contain("WaitStateEntered");
            history["events"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == "TaskStateEntered")!["stateEnteredEventDetails"]!["name"]!.GetValue<string>().Should().Be("Prepare");
            var listed = await AwsAsync("stepfunctions", "list-executions", "--endpoint-url", sfn, "--state-machine-arn", stateMachine);
            listed["executions"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).Should().Equal("cli-1");

            // The same name again is refused, as Step Functions refuses a closed execution's name.
            var (again, _, againError) = await RunAwsAsync("stepfunctions", "start-execution", "--endpoint-url", sfn, "--state-machine-arn", stateMachine, "--name", "cli-1", "--input", "{}");
            again.Should().NotBe(0);
            againError.Should().Contain("ExecutionAlreadyExists");

            // The AWS CLI against the Lambda endpoint: one function, the real bootstrap process.
            var response = Path.Combine(Path.GetTempPath(), $"pcso-{Guid.NewGuid():N}.json");
            try
            {
                var invoked = await AwsAsync("lambda", "invoke", "--endpoint-url", lambda, "--function-name", "PrepareFunction", "--payload", "fileb://" + Path.Combine(root, "events", "PrepareFunction.json"), response);
                invoked["StatusCode"]!.GetValue<int>().Should().Be(200);
                JsonNode.Parse(await File.ReadAllTextAsync(response, Ct))!["run"]!["clusterIdentifier"]!.GetValue<string>().Should().Be("demo-cluster");
            }
            finally
            {
                File.Delete(response);
            }

            // This command's own start and status: a name derived from the idempotency key; the second start is a duplicate.
            var (startExit, startOut, startErr) = await CliAsync(root, "start", "events/eventbridge-event.json", "--endpoint-url", sfn, "--state-machine-arn", stateMachine, "--output", "json");
            startExit.Should().Be(0, startErr);
            var start = JsonNode.Parse(startOut)!;
            start["started"]!.GetValue<bool>().Should().BeTrue();
            var name = start["name"]!.GetValue<string>();
            name.Should().StartWith("demo-cluster-");
            JsonNode status;
            waited.Restart();
            do
            {
                await Task.Delay(500, Ct);
                var (statusExit, statusOut, statusErr) = await CliAsync(root, "status", name, "--endpoint-url", sfn, "--state-machine-arn", stateMachine, "--output", "json");
                statusExit.Should().Be(0, statusErr);
                status = JsonNode.Parse(statusOut)!;
            }
            while (status["status"]!.GetValue<string>() == "RUNNING" && waited.Elapsed < TimeSpan.FromMinutes(3));

            status["status"]!.GetValue<string>().Should().Be("SUCCEEDED");
            status["state"]!.GetValue<string>().Should().Be("Done");
            var (dupExit, dupOut, _) = await CliAsync(root, "start", "events/eventbridge-event.json", "--endpoint-url", sfn, "--state-machine-arn", stateMachine);
            dupExit.Should().Be(0);
            dupOut.Should().Contain("already started").And.Contain(name);

            // SIGTERM stops everything: the command exits 0 and none of its children (DynamoDB Local, the functions' bootstrap processes) survives.
            var children = ProcessTree.Descendants(up.Id);
            children.Should().NotBeEmpty();
            using (var kill = Process.Start("kill", ["-TERM", up.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            await up.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            up.ExitCode.Should().Be(0, await up.StandardError.ReadToEndAsync(Ct));
            children.Where(ProcessTree.Alive).Should().BeEmpty("local up leaves no child process behind");
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task RefuseAnInvalidRequest_WithoutStartingAnything()
    {
        var root = Root();
        var file = Path.Combine(Path.GetTempPath(), $"pcso-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"clusterIdentifier":"demo-cluster","requestedBy":"alice","reason":"x","slurmConfiguration":{"accounting":{"defaultPurgeTimeInDays":0}}}""", Ct);
        try
        {
            // The endpoint is never reached: nothing listens there, and the request is refused before any call.
            var (exit, _, stderr) = await CliAsync(root, "start", file, "--endpoint-url", "http://127.0.0.1:9", "--state-machine-arn", "arn:aws:states:us-east-1:123456789012:stateMachine:x");
            exit.Should().Be(1);
            stderr.Should().Contain("nothing was started").And.Contain("$.slurmConfiguration.accounting.defaultPurgeTimeInDays");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Root()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "PcsOrchestrator.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }

        return root;
    }

    private static Process Start(string root, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pcs-orchestrator.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = "test";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        info.Environment["AWS_REGION"] = "us-east-1";
        return Process.Start(info)!;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> CliAsync(string root, params string[] arguments)
    {
        using var process = Start(root, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<JsonNode> AwsAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await RunAwsAsync(arguments);
        exit.Should().Be(0, $"aws {string.Join(' ', arguments)}: {stderr}");
        return JsonNode.Parse(stdout)!;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAwsAsync(params string[] arguments)
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var aws = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append(Path.Combine(home, ".pyenv", "shims"))
            .Select(f => Path.Combine(f, "aws")).FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("the AWS CLI ('aws') is not installed");
        var info = new ProcessStartInfo(aws) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Concat(["--output", "json"]))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = "test";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
        info.Environment.Remove("AWS_PROFILE");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
