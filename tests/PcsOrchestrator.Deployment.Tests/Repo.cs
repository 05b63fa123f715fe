using System.Diagnostics;

namespace PcsOrchestrator.Deployment.Tests;

/// <summary>The repository's files and the external tools the deployment checks run.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PcsOrchestrator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PcsOrchestrator.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A tool from PATH, or from the pyenv shims folder that a bare shell lacks.</summary>
    public static string Tool(string name)
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append(Path.Combine(home, ".pyenv", "shims"));
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed: neither on PATH nor in ~/.pyenv/shims");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static readonly Lazy<Task> NodeTools = new(InstallNodeToolsAsync);

    /// <summary>Installs the npm tools (asl-validator, DynamoDB Local) once when a fresh clone lacks them.</summary>
    public static Task EnsureNodeToolsAsync() => NodeTools.Value;

    private static async Task InstallNodeToolsAsync()
    {
        if (File.Exists(PathOf("tools", "node_modules", ".bin", "asl-validator")))
        {
            return;
        }

        var (exit, output) = await RunAsync(Tool("npm"), ["ci", "--prefix", "tools", "--no-audit", "--no-fund"], CancellationToken.None);
        if (exit != 0)
        {
            throw new InvalidOperationException("npm ci --prefix tools failed: " + output);
        }
    }
}
