using System.Diagnostics;
using System.Text.Json;

namespace PcsOrchestrator.Local.Lambda.Tests;

/// <summary>The AWS CLI (an independent client, botocore's Lambda model) against the emulator's Invoke API.</summary>
[Trait("Category", "Integration")]
public sealed class AwsCliShould(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lambda-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task InvokeAFunction_AndWriteItsResponse()
    {
        var outFile = Path.Combine(_folder, "out.json");

        var (exit, stdout, stderr) = await AwsAsync("lambda", "invoke", "--function-name", "CliFunction", "--payload", """{"from":"cli"}""", outFile);

        exit.Should().Be(0, stderr);
        using var summary = JsonDocument.Parse(stdout);
        summary.RootElement.GetProperty("StatusCode").GetInt32().Should().Be(200);
        summary.RootElement.GetProperty("ExecutedVersion").GetString().Should().Be("$LATEST");
        summary.RootElement.TryGetProperty("FunctionError", out _).Should().BeFalse();
        (await File.ReadAllTextAsync(outFile, TestContext.Current.CancellationToken)).Should().Be("""{"from":"cli"}""");
    }

    [Fact]
    public async Task SeeAFunctionError_AsUnhandled()
    {
        var outFile = Path.Combine(_folder, "error.json");

        var (exit, stdout, stderr) = await AwsAsync("lambda", "invoke", "--function-name", "CliFailFunction", "--payload", """{"errorType":"ClusterBlocked","message":"blocked"}""", outFile);

        exit.Should().Be(0, stderr);
        using var summary = JsonDocument.Parse(stdout);
        summary.RootElement.GetProperty("StatusCode").GetInt32().Should().Be(200);
        summary.RootElement.GetProperty("FunctionError").GetString().Should().Be("Unhandled");
        (await File.ReadAllTextAsync(outFile, TestContext.Current.CancellationToken)).Should().Be("""{"errorMessage":"blocked","errorType":"ClusterBlocked","stackTrace":[]}""");
    }

    [Fact]
    public async Task SeeResourceNotFound_ForAnUnknownFunction()
    {
        var (exit, _, stderr) = await AwsAsync("lambda", "invoke", "--function-name", "NoSuchFunction", Path.Combine(_folder, "none.json"));

        exit.Should().NotBe(0);
        stderr.Should().Contain("An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction");
    }

    private async Task<(int Exit, string Stdout, string Stderr)> AwsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(FindAws())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(fixture.Emulator.InvokeEndpoint.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--cli-read-timeout");
        start.ArgumentList.Add("60");
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_folder, "no-config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_folder, "no-credentials");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment.Remove("AWS_PROFILE");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>`aws` on PATH, else the pyenv shim (the CLI belongs to the pyenv Python).</summary>
    private static string FindAws()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "aws"))
            .FirstOrDefault(File.Exists);
        var shim = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv", "shims", "aws");
        return onPath ?? (File.Exists(shim) ? shim : throw new InvalidOperationException("the AWS CLI is not installed: neither `aws` on PATH nor ~/.pyenv/shims/aws"));
    }
}
