namespace PcsOrchestrator.Cli;

/// <summary>Entry point of the <c>pcs-orchestrator</c> command.</summary>
public static class Program
{
    public static int Main(string[] args) => CliApp.Run(args);
}
