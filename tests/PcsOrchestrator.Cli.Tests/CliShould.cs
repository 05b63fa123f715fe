using System.CommandLine;

namespace PcsOrchestrator.Cli.Tests;

public sealed class CliShould
{
    [Fact]
    public void PrintHelp_WithTheProductDescription()
    {
        var output = new StringWriter();
        var exit = CliApp.BuildRootCommand().Parse("--help").Invoke(new InvocationConfiguration { Output = output });

        exit.Should().Be(0);
        output.ToString().Should().Contain(CliApp.Description).And.Contain("--version");
    }

    [Fact]
    public void PrintVersion_FromTheAssembly()
    {
        var output = new StringWriter();
        var exit = CliApp.BuildRootCommand().Parse("--version").Invoke(new InvocationConfiguration { Output = output });

        exit.Should().Be(0);
        output.ToString().Trim().Should().StartWith("0.1.0");
    }

    [Fact]
    public void RejectAnUnknownCommand_WithExitCode1()
    {
        var error = new StringWriter();
        var exit = CliApp.BuildRootCommand().Parse("frobnicate").Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().NotBe(0);
        error.ToString().Should().Contain("frobnicate");
    }
}
