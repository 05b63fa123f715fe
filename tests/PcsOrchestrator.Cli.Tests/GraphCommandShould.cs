using System.CommandLine;
using System.Text.Json;
using PcsOrchestrator.Cli.Commands;

namespace PcsOrchestrator.Cli.Tests;

public sealed class GraphCommandShould
{
    [Fact]
    public void DrawEveryStateAndEveryTransitionOfTheShippedDefinition()
    {
        var output = new StringWriter();

        var exit = CliApp.BuildRootCommand().Parse("graph").Invoke(new InvocationConfiguration { Output = output });

        exit.Should().Be(ExitCodes.Success);
        var graph = output.ToString();
        graph.Should().StartWith("flowchart TD");
        using var definition = JsonDocument.Parse(Definitions.Read());
        foreach (var state in definition.RootElement.GetProperty("States").EnumerateObject())
        {
            graph.Should().Contain($"\"{state.Name}\"", "every state is drawn");
            if (state.Value.TryGetProperty("Next", out var next))
            {
                graph.Should().Contain($"  {state.Name} --> {next.GetString()}\n");
            }
        }

        graph.Should().Contain("Apply -. \"PcsConflict\" .-> CheckReadiness");
        graph.Should().Contain("ClaimOutcome -- \"outcome = DUPLICATE\" --> Finalize");
    }

    [Fact]
    public void RefuseAMissingDefinitionFile_WithExitCode2()
    {
        var error = new StringWriter();

        var exit = CliApp.BuildRootCommand().Parse("graph --definition /no/such/file.asl.json").Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Contain("--definition").And.Contain("does not exist");
    }
}
