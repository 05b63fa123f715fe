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

    [Theory]
    [InlineData("graph")]
    [InlineData("local")]
    [InlineData("local run")]
    [InlineData("local pcs-emulator")]
    [InlineData("local up")]
    [InlineData("start")]
    [InlineData("status")]
    [InlineData("plan")]
    [InlineData("history")]
    [InlineData("audit")]
    [InlineData("audit verify")]
    public void PrintHelpForEveryCommand(string command)
    {
        var output = new StringWriter();

        var exit = CliApp.Run([.. command.Split(' '), "--help"], new InvocationConfiguration { Output = output });

        exit.Should().Be(0);
        output.ToString().Should().Contain("Usage:").And.Contain(command.Split(' ')[^1]);
    }

    [Theory]
    [InlineData("history")]
    [InlineData("audit verify")]
    public void DocumentHowTheAuditTableIsFound_InHelp(string command)
    {
        var output = new StringWriter();

        var exit = CliApp.Run([.. command.Split(' '), "--help"], new InvocationConfiguration { Output = output });

        exit.Should().Be(0);
        var help = string.Join(' ', output.ToString().Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        help.Should().Contain("<prefix>-audit when --table-prefix is given, else $AUDIT_TABLE_NAME (what the functions read), else pcs-orchestrator-audit (the name local up gives it)")
            .And.Contain("AWS_ENDPOINT_URL_DYNAMODB");
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
    public void RejectAnUnknownCommand_WithExitCode2()
    {
        var error = new StringWriter();
        var exit = CliApp.Run(["frobnicate"], new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Contain("frobnicate");
    }
}
