using System.CommandLine;

namespace PcsOrchestrator.Cli.Commands;

/// <summary><c>pcs-orchestrator graph</c>: the state machine as a Mermaid diagram, generated from the ASL file.</summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var definition = new Option<FileInfo?>("--definition")
        {
            Description = "An ASL definition file (default: the update-cluster state machine shipped with this command).",
        };
        var command = new Command("graph", "Print the state machine as a Mermaid flowchart, generated from its Amazon States Language definition.")
        {
            definition,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(definition);
            if (file is { Exists: false })
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: --definition: file '{file.FullName}' does not exist");
                return ExitCodes.Usage;
            }

            parse.InvocationConfiguration.Output.Write(MermaidGraph.Render(Definitions.Load(file)));
            return ExitCodes.Success;
        });
        return command;
    }
}
