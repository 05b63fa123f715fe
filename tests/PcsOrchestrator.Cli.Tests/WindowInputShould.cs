using System.CommandLine;
using System.Text.Json.Nodes;
using PcsOrchestrator.Cli.Commands;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Cli.Tests;

/// <summary>How <c>window set</c>'s flags and files become the window document, and how its issues are named: pure, in process.</summary>
public sealed class WindowInputShould
{
    [Fact]
    public void MapEveryFlagToItsMember_AndSplitTheClusterLists()
    {
        var document = WindowInput.FromFlags("sunday-night", new WindowFlags
        {
            Schedule = "cron(0 2 ? * SUN *)",
            TimeZone = "Europe/Berlin",
            DurationMinutes = 240,
            CutoffMinutes = 60,
            Clusters = ["pcs-a, pcs-b", "pcs-c", ",pcs-d,"],
            DefaultApply = "now",
            Drift = "correct",
            Description = "weekly patch night",
        });

        document.ToJsonString().Should().Be("""{"name":"sunday-night","schedule":"cron(0 2 ? * SUN *)","timeZone":"Europe/Berlin","durationMinutes":240,"cutoffMinutes":60,"clusters":["pcs-a","pcs-b","pcs-c","pcs-d"],"defaultApply":"now","drift":"correct","description":"weekly patch night"}""");
        var (window, issues) = WindowDefinition.Parse(document.ToJsonString());
        issues.Should().BeEmpty();
        window!.Schedule.Zone.Id.Should().Be("Europe/Berlin");
        window.Schedule.Cutoff.Should().Be(TimeSpan.FromHours(1));
        window.DefaultApply.Should().Be(ApplyMode.Now);
        window.Drift.Should().Be(DriftMode.Correct);
    }

    [Fact]
    public void LeaveOutTheFlagsThatWereNotGiven_SoTheDocumentsDefaultsApply()
    {
        var document = WindowInput.FromFlags("w", new WindowFlags { Schedule = "rate(1 day)", Anchor = "2026-12-06T02:00:00+01:00", DurationMinutes = 60, Clusters = ["pcs-a"] });

        document.Select(p => p.Key).Should().Equal("name", "schedule", "durationMinutes", "anchor", "clusters");
        document["anchor"]!.GetValue<string>().Should().Be("2026-12-06T02:00:00+01:00");
        var (window, _) = WindowDefinition.Parse(document.ToJsonString());
        window!.Schedule.Zone.Id.Should().Be("UTC");
        window.Schedule.Cutoff.Should().Be(TimeSpan.Zero);
        window.Schedule.Anchor.Should().Be(new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero));
        window.DefaultApply.Should().BeNull("the stack's default applies");
    }

    [Fact]
    public void ChangeOnlyWhatTheFlagsGive_OfAStoredWindow_AndSayWhatChanged()
    {
        var stored = (JsonObject)JsonNode.Parse("""{"name":"w","schedule":"cron(0 2 ? * SUN *)","timeZone":"Europe/Berlin","durationMinutes":240,"cutoffMinutes":60,"clusters":["pcs-a"],"drift":"report","description":"patch night"}""")!;

        var changed = WindowInput.Overlay(stored, "w", new WindowFlags { CutoffMinutes = 30, Clusters = ["pcs-a,pcs-b"] });

        changed.ToJsonString().Should().Be("""{"name":"w","schedule":"cron(0 2 ? * SUN *)","timeZone":"Europe/Berlin","durationMinutes":240,"cutoffMinutes":30,"clusters":["pcs-a","pcs-b"],"drift":"report","description":"patch night"}""");
        WindowInput.Differences(stored, changed).Should().Equal("--cutoff: 60 → 30", "--clusters: pcs-a → pcs-a, pcs-b");
        WindowInput.Differences(stored, WindowInput.Overlay(stored, "w", new WindowFlags())).Should().BeEmpty();
        stored["cutoffMinutes"]!.GetValue<int>().Should().Be(60, "the stored document is left as it was");
    }

    [Fact]
    public void DropTheStoredAnchor_WhenANewScheduleIsNoRate_UnlessAnAnchorIsGivenToo()
    {
        var stored = (JsonObject)JsonNode.Parse("""{"name":"w","schedule":"rate(7 days)","anchor":"2026-12-06T02:00:00Z","durationMinutes":60,"clusters":["pcs-a"]}""")!;

        WindowInput.Overlay(stored, "w", new WindowFlags { Schedule = "cron(0 2 ? * SUN *)" }).ContainsKey("anchor").Should().BeFalse();
        WindowInput.Overlay(stored, "w", new WindowFlags { Schedule = "rate(14 days)" })["anchor"]!.GetValue<string>().Should().Be("2026-12-06T02:00:00Z");
        WindowInput.Overlay(stored, "w", new WindowFlags { DurationMinutes = 90 })["anchor"]!.GetValue<string>().Should().Be("2026-12-06T02:00:00Z");
        WindowInput.Differences(stored, WindowInput.Overlay(stored, "w", new WindowFlags { Schedule = "cron(0 2 ? * SUN *)" }))
            .Should().Equal("--schedule: rate(7 days) → cron(0 2 ? * SUN *)", "--anchor: 2026-12-06T02:00:00Z → (none)");
    }

    [Theory]
    [InlineData("schedule", "--schedule: must be cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss), as EventBridge Scheduler accepts them [pattern] (got weekly)")]
    [InlineData("timeZone", "--time-zone: is not a time zone this system knows (use an IANA name such as Europe/Berlin or UTC) [time-zone] (got Berlin)")]
    [InlineData("duration", "--duration: must be between 1 and 1440 minutes [range] (got 1441)")]
    [InlineData("cutoff", "--cutoff: must be at least 0 and shorter than the window's duration (no update could ever start otherwise) [range] (got 60)")]
    [InlineData("anchor", "--anchor: must be an ISO 8601 / RFC 3339 timestamp with a time zone, for example 2026-11-24T22:00:00Z [timestamp] (got tomorrow)")]
    [InlineData("clusters", "--clusters: must name 1 to 40 clusters, names 0 [required]")]
    [InlineData("cluster", "--clusters: must be a cluster id (pcs_ followed by letters and digits) or a name of 3 to 41 letters, digits and hyphens starting with a letter [pattern] (got cccc")]
    [InlineData("defaultApply", "--default-apply: must be 'now' or 'next-window' [enum] (got queue)")]
    [InlineData("drift", "--drift: must be 'off', 'report' (record drift) or 'correct' (record it and restore the last applied configuration) [enum] (got fix)")]
    [InlineData("description", "--description: must not contain control characters or line breaks [control-characters] (got two\\u000alines)")]
    [InlineData("name", "NAME: must be 1 to 64 letters, digits, '-', '_' or '.' (it names the window's EventBridge Scheduler schedule) [pattern] (got sunday night)")]
    public void NameTheFlagAndTheRule_OfEachBadValue(string bad, string expected)
    {
        var flags = new WindowFlags { Schedule = "cron(0 2 ? * SUN *)", DurationMinutes = 60, Clusters = ["pcs-a"] };
        var name = "sunday-night";
        flags = bad switch
        {
            "schedule" => flags with { Schedule = "weekly" },
            "timeZone" => flags with { TimeZone = "Berlin" },
            "duration" => flags with { DurationMinutes = 1441, CutoffMinutes = 0 },
            "cutoff" => flags with { CutoffMinutes = 60 },
            "anchor" => flags with { Anchor = "tomorrow" },
            "clusters" => flags with { Clusters = [" , "] },
            "cluster" => flags with { Clusters = [new string('c', 42)] },
            "defaultApply" => flags with { DefaultApply = "queue" },
            "drift" => flags with { Drift = "fix" },
            "description" => flags with { Description = "two\nlines" },
            _ => flags,
        };
        if (bad == "name")
        {
            name = "sunday night";
        }

        var (window, issues) = WindowDefinition.Parse(WindowInput.FromFlags(name, flags).ToJsonString());

        window.Should().BeNull();
        issues.Select(WindowInput.DescribeFlagIssue).Should().ContainSingle().Which.Should().StartWith(expected);
    }

    [Fact]
    public void ReadAFilesOwnName_GiveNAMEToAFileWithoutOne_AndReportTwoNamesThatDiffer()
    {
        WindowInput.FromFile("""{"name":"in-file","schedule":"cron(0 2 ? * SUN *)"}""", null, "w.json").Should().Be(("""{"name":"in-file","schedule":"cron(0 2 ? * SUN *)"}""", "in-file", (string?)null));
        WindowInput.FromFile("""{"name":"in-file"}""", "in-file", "w.json").Name.Should().Be("in-file");

        var (json, name, conflict) = WindowInput.FromFile("""{"schedule":"cron(0 2 ? * SUN *)"}""", "given", "w.json");

        (name, conflict).Should().Be(("given", (string?)null));
        JsonNode.Parse(json)!["name"]!.GetValue<string>().Should().Be("given");

        WindowInput.FromFile("""{"name":"in-file"}""", "given", "w.json").Conflict.Should().Be("NAME 'given' is not the name w.json gives the window (\"in-file\") [conflict]: give the file's name, or none");
        WindowInput.FromFile("""{"name":42}""", "given", "w.json").Conflict.Should().Contain("(42)");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"name":"a","name":"b"}""")]
    public void PassAFileThatIsNoWindowDocument_OnToTheValidation(string text)
    {
        var (json, _, conflict) = WindowInput.FromFile(text, "given", "w.json");

        json.Should().Be(text);
        conflict.Should().BeNull();
        WindowDefinition.Parse(json).Issues.Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("window|set|w|--schedule|x|--file|w.json", "--file and --schedule both define the window")]
    [InlineData("window|set|--duration|60", "NAME is required")]
    [InlineData("window|set|w|--expected-version|-1|--schedule|cron(0 2 ? * SUN *)|--duration|60|--clusters|pcs-a", "--expected-version must be 0")]
    [InlineData("window|show|w|--next|101", "--next must be between 0 and 100")]
    [InlineData("window|set|w|--scheduler-endpoint|ftp://x|--schedule|cron(0 2 ? * SUN *)|--duration|60|--clusters|pcs-a", "--scheduler-endpoint: 'ftp://x' is not an http(s) URL")]
    [InlineData("submit|events/direct-request.json|--wait|-1", "--wait must be 0 or more seconds")]
    public void RefuseABadCommandLine_WithOneErrorLineAndExitCode2(string line, string message)
    {
        var error = new StringWriter();
        var file = Path.Combine(Path.GetTempPath(), "w.json");
        File.WriteAllText(file, "{}");

        var exit = CliApp.Run([.. line.Replace("w.json", file, StringComparison.Ordinal).Split('|')], new InvocationConfiguration { Output = TextWriter.Null, Error = error });

        exit.Should().Be(ExitCodes.Usage);
        error.ToString().Should().StartWith("error: " + message);
    }
}
