using System.CommandLine;
using PcsOrchestrator.Cli.Commands;

namespace PcsOrchestrator.Cli;

/// <summary>Builds the command tree. Kept separate from <see cref="Program"/> so tests can parse and invoke it in process.</summary>
public static class CliApp
{
    public const string Description =
        "PcsOrchestrator: safe, event-driven updates of AWS Parallel Computing Service (PCS) clusters.";

    /// <summary>Parses and runs a command line; a command line with errors prints one line per error and exits 2.</summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                configuration.Error.WriteLine($"error: {error.Message}");
            }

            configuration.Error.WriteLine("Run 'pcs-orchestrator --help' for usage.");
            return ExitCodes.Usage;
        }

        return parse.Invoke(configuration);
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(Description)
        {
            GraphCommand.Create(),
            ExecutionCommands.Start(),
            ExecutionCommands.Status(),
            SubmitCommand.Create(),
            PlanCommand.Create(),
            AuditCommands.History(),
            AuditCommands.Audit(),
            WindowCommands.Create(),
            QueueCommands.Create(),
            new Command("local", "Run PcsOrchestrator on this machine: no AWS account needed.")
            {
                LocalUpCommand.Create(),
                LocalRunCommand.Create(),
                PcsEmulatorCommand.Create(),
            },
        };
        return root;
    }
}
