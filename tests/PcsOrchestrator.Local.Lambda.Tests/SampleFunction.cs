using System.Diagnostics;
using System.Reflection;

namespace PcsOrchestrator.Local.Lambda.Tests;

/// <summary>The sample function's build output and how to start it under the JIT.</summary>
internal static class SampleFunction
{
    public static string DllPath { get; } =
        typeof(SampleFunction).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleFunctionPath").Value
        ?? throw new InvalidOperationException("the test assembly does not name the sample function's dll");

    /// <summary>The dotnet host running these tests (so the function runs on the same runtime).</summary>
    public static string Dotnet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : Process.GetCurrentProcess().MainModule?.FileName is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    public static LambdaFunctionOptions Function(string name, string handler, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) => new()
    {
        Name = name,
        Command = Dotnet,
        Arguments = [DllPath],
        Handler = handler,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
        MemoryMb = 256,
        WorkingDirectory = Path.GetDirectoryName(DllPath),
        Environment = environment ?? new Dictionary<string, string>(),
    };

    /// <summary>Whether a process with this id still runs (a reaped, killed process is gone from /proc).</summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
