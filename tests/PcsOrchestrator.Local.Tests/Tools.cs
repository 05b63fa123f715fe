using System.Diagnostics;

namespace PcsOrchestrator.Local.Tests;

/// <summary>The AWS CLI and botocore belong to the pyenv Python: found on PATH, else in the pyenv shims folder.</summary>
internal static class Tools
{
    /// <summary>`aws` on PATH, else the pyenv shim.</summary>
    public static string Aws() => Candidates("aws").FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("the AWS CLI is not installed: neither `aws` on PATH nor ~/.pyenv/shims/aws");

    /// <summary>A python3 that can import botocore (the shims' first: Debian's python3 on PATH has no botocore).</summary>
    public static async Task<string> PythonWithBotocoreAsync()
    {
        var shims = Candidates("python3").Last();
        foreach (var candidate in Candidates("python3").SkipLast(1).Prepend(shims).Where(File.Exists))
        {
            if ((await RunAsync(new ProcessStartInfo(candidate) { ArgumentList = { "-c", "import botocore" } })).Exit == 0)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("no python3 with botocore: neither in ~/.pyenv/shims nor on PATH (the AWS CLI's Python has it)");
    }

    /// <summary>Runs a process to its end (killing it if the test is cancelled); stdin is written and closed first.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, string? stdin = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = stdin is not null;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token);
                process.StandardInput.Close();
            }

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

    /// <summary>The folders of PATH, then the pyenv shims folder.</summary>
    private static IEnumerable<string> Candidates(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv", "shims"))
            .Select(folder => Path.Combine(folder, executable));
}
