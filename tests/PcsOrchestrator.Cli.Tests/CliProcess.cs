using System.Diagnostics;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>
/// The built command as a child process with its own environment (dummy credentials, endpoints, table names), so
/// the standard variables are exercised without touching this process's environment. Always waited for or killed.
/// </summary>
internal static class CliProcess
{
    /// <summary>Variables of this process the commands read, never passed on: each test says what its command sees.</summary>
    private static readonly string[] Inherited =
    [
        "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PCS", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL_SCHEDULER",
        "AUDIT_TABLE_NAME", "MAINTENANCE_TABLE_NAME", "PCS_ORCHESTRATOR_STATE_MACHINE_ARN", "PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN", "PCS_ORCHESTRATOR_SCHEDULE_GROUP",
        "PCS_ORCHESTRATOR_CLOCK_SPEED", "PCS_ORCHESTRATOR_CLOCK_ANCHOR",
    ];

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PcsOrchestrator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Starts the command with only the variables given (and dummy credentials); the caller waits for it or kills it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot() };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pcs-orchestrator.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in Inherited)
        {
            info.Environment.Remove(name);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = "test";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        info.Environment["AWS_REGION"] = "us-east-1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    public static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
