using System.CommandLine;
using PcsOrchestrator.Cli.Commands;

namespace PcsOrchestrator.Cli;

/// <summary>Builds the command tree. Kept separate from <see cref="Program"/> so tests can parse and invoke it in process.</summary>
public static class CliApp
{
    public const string Description =
        "PcsOrchestrator: safe, event-driven updates of AWS Parallel Computing Service (PCS) clusters.";

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(Description)
        {
            GraphCommand.Create(),
        };
        return root;
    }
}
