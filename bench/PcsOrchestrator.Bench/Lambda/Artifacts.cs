using System.Diagnostics;
using PcsOrchestrator.Local;

namespace PcsOrchestrator.Bench.Lambda;

/// <summary>
/// The two builds of the functions' program: the AOT <c>bootstrap</c> exactly as <c>sam build</c> makes it
/// (<c>make build-CheckReadinessFunction</c>; make rebuilds it only when a source changed), and the JIT
/// <c>bootstrap.dll</c> this bench was built with (same code, same configuration).
/// </summary>
public static class Artifacts
{
    public static string AotDirectory => Path.Combine(ToolsFolder.RepositoryRoot(), "artifacts", "sam-build", "CheckReadinessFunction");

    public static string JitDll => Path.Combine(AppContext.BaseDirectory, "bootstrap.dll");

    public static async Task<string> AotBootstrapAsync(TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var bootstrap = Path.Combine(AotDirectory, "bootstrap");
        await log.WriteLineAsync($"make build-CheckReadinessFunction ARTIFACTS_DIR={AotDirectory}");
        var start = new ProcessStartInfo("make") { WorkingDirectory = ToolsFolder.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("build-CheckReadinessFunction");
        start.ArgumentList.Add("ARTIFACTS_DIR=" + AotDirectory);
        using var make = Process.Start(start) ?? throw new InvalidOperationException("make did not start");
        var output = make.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = make.StandardError.ReadToEndAsync(cancellationToken);
        await make.WaitForExitAsync(cancellationToken);
        if (make.ExitCode != 0)
        {
            throw new InvalidOperationException($"make failed ({make.ExitCode}): {await output}{await errors}");
        }

        return bootstrap;
    }
}
