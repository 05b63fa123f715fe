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
    [InlineData("submit")]
    [InlineData("window")]
    [InlineData("window set")]
    [InlineData("window list")]
    [InlineData("window show")]
    [InlineData("window delete")]
    [InlineData("queue")]
    [InlineData("queue list")]
    [InlineData("queue cancel")]
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

    [Theory]
    [InlineData("window set", "<prefix>-maintenance when --table-prefix is given, else $MAINTENANCE_TABLE_NAME (what the functions read), else pcs-orchestrator-maintenance", "$PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN", "AWS_ENDPOINT_URL_SCHEDULER")]
    [InlineData("window show", "$MAINTENANCE_TABLE_NAME", "$PCS_ORCHESTRATOR_STATE_MACHINE_ARN", "$PCS_ORCHESTRATOR_SCHEDULE_GROUP")]
    [InlineData("queue cancel", "--audit-table", "<prefix>-audit when --table-prefix is given, else $AUDIT_TABLE_NAME", "operating system's user name")]
    [InlineData("submit", "next-window", "$PCS_ORCHESTRATOR_STATE_MACHINE_ARN", "AWS_ENDPOINT_URL_SFN")]
    public void DocumentWhereEachValueComesFrom_InHelp(string command, params string[] phrases)
    {
        var output = new StringWriter();

        var exit = CliApp.Run([.. command.Split(' '), "--help"], new InvocationConfiguration { Output = output });

        exit.Should().Be(0);
        var help = string.Join(' ', output.ToString().Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        foreach (var phrase in phrases)
        {
            help.Should().Contain(phrase);
        }
    }

    [Fact]
    public void DescribeEveryCommandOptionAndArgument()
    {
        var undocumented = new List<string>();
        Walk(CliApp.BuildRootCommand(), string.Empty);

        undocumented.Should().BeEmpty();

        void Walk(Command command, string path)
        {
            var name = (path + " " + command.Name).Trim();
            if (string.IsNullOrWhiteSpace(command.Description))
            {
                undocumented.Add(name);
            }

            undocumented.AddRange(command.Options.Where(o => string.IsNullOrWhiteSpace(o.Description)).Select(o => $"{name} {o.Name}"));
            undocumented.AddRange(command.Arguments.Where(a => string.IsNullOrWhiteSpace(a.Description)).Select(a => $"{name} <{a.Name}>"));
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, path.Length == 0 && command is RootCommand ? string.Empty : name);
            }
        }
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
