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

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/architecture.md")]
    public void MatchTheDiagramInTheDocumentation(string document)
    {
        var output = new StringWriter();
        CliApp.BuildRootCommand().Parse("graph").Invoke(new InvocationConfiguration { Output = output });
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "PcsOrchestrator.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }

        var text = File.ReadAllText(Path.Combine(root, document));
        var start = text.IndexOf("```mermaid\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"{document} shows the state machine");
        var body = text[(start + "```mermaid\n".Length)..];
        body[..body.IndexOf("```", StringComparison.Ordinal)].Should().Be(output.ToString(), $"regenerate it with `pcs-orchestrator graph` into {document}");
    }
}
