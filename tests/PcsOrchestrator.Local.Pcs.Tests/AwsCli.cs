using System.Diagnostics;
using System.Text.Json;

namespace PcsOrchestrator.Local.Pcs.Tests;

/// <summary>The AWS CLI as an independent client: botocore's own PCS model decides the wire format.</summary>
internal sealed class AwsCli(Uri endpoint)
{
    public static string Executable()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append(Path.Combine(home, ".pyenv", "shims"));
        return folders.Select(f => Path.Combine(f, "aws")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("the AWS CLI ('aws') is not installed: neither on PATH nor in ~/.pyenv/shims; CI machines have it");
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json"]))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = "test";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
        info.Environment.Remove("AWS_PROFILE");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
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

        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await RunAsync(arguments);
        exit.Should().Be(0, $"aws {string.Join(' ', arguments)} failed: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
