using System.Text.Json.Nodes;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Tests;

/// <summary>Every single-field violation is reported at exactly its field, with its rule, and nothing else is.</summary>
public sealed class RequestValidatorShould
{
    public static TheoryData<string, string, string, string> SingleFieldViolations => new()
    {
        // mutation path, new JSON value, expected issue path, expected rule
        { "clusterIdentifier", "\"ab\"", "$.clusterIdentifier", Rules.Pattern },
        { "clusterIdentifier", "\"1cluster\"", "$.clusterIdentifier", Rules.Pattern },
        { "clusterIdentifier", "\"pcs_\"", "$.clusterIdentifier", Rules.Pattern },
        { "clusterIdentifier", "\"" + new string('a', 42) + "\"", "$.clusterIdentifier", Rules.Pattern },
        { "clusterIdentifier", "\"my cluster\"", "$.clusterIdentifier", Rules.Pattern },
        { "clusterIdentifier", "42", "$.clusterIdentifier", Rules.Type },
        { "clientToken", "\"short\"", "$.clientToken", Rules.Length },
        { "clientToken", "\"" + new string('t', 101) + "\"", "$.clientToken", Rules.Length },
        { "idempotencyKey", "\"has space\"", "$.idempotencyKey", Rules.Pattern },
        { "idempotencyKey", "\"" + new string('k', 129) + "\"", "$.idempotencyKey", Rules.Length },
        { "requestedBy", "\"alice\\nbob\"", "$.requestedBy", Rules.ControlCharacters },
        { "reason", "\"" + new string('r', 1025) + "\"", "$.reason", Rules.Length },
        { "reason", "true", "$.reason", Rules.Type },
        { "slurmConfiguration", "[]", "$.slurmConfiguration", Rules.Type },
        { "slurmConfiguration.scaleDownIdleTimeInSeconds", "0", "$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Range },
        { "slurmConfiguration.scaleDownIdleTimeInSeconds", "10000001", "$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Range },
        { "slurmConfiguration.scaleDownIdleTimeInSeconds", "12.5", "$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Type },
        { "slurmConfiguration.scaleDownIdleTimeInSeconds", "\"600\"", "$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Type },
        { "slurmConfiguration.scaleDownIdleTimeInSeconds", "99999999999", "$.slurmConfiguration.scaleDownIdleTimeInSeconds", Rules.Range },
        { "slurmConfiguration.accounting.defaultPurgeTimeInDays", "0", "$.slurmConfiguration.accounting.defaultPurgeTimeInDays", Rules.NotZero },
        { "slurmConfiguration.accounting.defaultPurgeTimeInDays", "-2", "$.slurmConfiguration.accounting.defaultPurgeTimeInDays", Rules.Range },
        { "slurmConfiguration.accounting.defaultPurgeTimeInDays", "10001", "$.slurmConfiguration.accounting.defaultPurgeTimeInDays", Rules.Range },
        { "slurmConfiguration.accounting.mode", "\"FULL\"", "$.slurmConfiguration.accounting.mode", Rules.Enum },
        { "slurmConfiguration.accounting.extra", "1", "$.slurmConfiguration.accounting.extra", Rules.UnknownField },
        { "slurmConfiguration.slurmRest.mode", "\"none\"", "$.slurmConfiguration.slurmRest.mode", Rules.Enum },
        { "slurmConfiguration.slurmCustomSettings", "{}", "$.slurmConfiguration.slurmCustomSettings", Rules.Type },
        { "slurmConfiguration.slurmCustomSettings[0]", "\"MinJobAge=600\"", "$.slurmConfiguration.slurmCustomSettings[0]", Rules.Type },
        { "slurmConfiguration.slurmCustomSettings[0].parameterName", "\"NoSuchSetting\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterName", Rules.UnlistedSetting },
        { "slurmConfiguration.slurmCustomSettings[0].parameterName", "\"minjobage\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterName", Rules.UnlistedSetting },
        { "slurmConfiguration.slurmCustomSettings[0].parameterName", "\"\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterName", Rules.Required },
        { "slurmConfiguration.slurmCustomSettings[0].parameterName", "\"Min Job\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterName", Rules.Pattern },
        { "slurmConfiguration.slurmCustomSettings[0].parameterName", "\"MinJobAge\\nSlurmUser\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterName", Rules.ControlCharacters },
        { "slurmConfiguration.slurmCustomSettings[0].parameterValue", "\"600\\nSlurmUser=root\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.ControlCharacters },
        { "slurmConfiguration.slurmCustomSettings[0].parameterValue", "\"600\\u2028x\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.ControlCharacters },
        { "slurmConfiguration.slurmCustomSettings[0].parameterValue", "\"\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.Required },
        { "slurmConfiguration.slurmCustomSettings[0].parameterValue", "600", "$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.Type },
        { "slurmConfiguration.slurmCustomSettings[0].parameterValue", "\"3\"", "$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.Range },
        { "slurmConfiguration.slurmCustomSettings[1].parameterName", "\"PRIORITYWEIGHTAGE\"", "$.slurmConfiguration.slurmCustomSettings[1].parameterName", Rules.UnlistedSetting },
        { "slurmConfiguration.slurmCustomSettings[1].parameterName", "\"MinJobAge\"", "$.slurmConfiguration.slurmCustomSettings[1].parameterName", Rules.DuplicateSetting },
        { "slurmConfiguration.slurmCustomSettings[1].parameterName", "\"Prolog\"", "$.slurmConfiguration.slurmCustomSettings[1].parameterName", Rules.Conflict },
        { "slurmConfiguration.slurmCustomSettings[1].note", "\"x\"", "$.slurmConfiguration.slurmCustomSettings[1].note", Rules.UnknownField },
        { "slurmConfiguration.slurmdbdCustomSettings[0].parameterName", "\"MinJobAge\"", "$.slurmConfiguration.slurmdbdCustomSettings[0].parameterName", Rules.UnlistedSetting },
        { "slurmConfiguration.cgroupCustomSettings[0].parameterName", "\"PurgeJobAfter\"", "$.slurmConfiguration.cgroupCustomSettings[0].parameterName", Rules.UnlistedSetting },
        { "maintenanceWindow.end", "\"tomorrow\"", "$.maintenanceWindow.end", Rules.Timestamp },
        { "maintenanceWindow.end", "\"2026-11-25T06:00:00\"", "$.maintenanceWindow.end", Rules.Timestamp },
        { "maintenanceWindow.cutoffMinutes", "-5", "$.maintenanceWindow.cutoffMinutes", Rules.Range },
        { "maintenanceWindow.durationMinutes", "60", "$.maintenanceWindow.durationMinutes", Rules.Conflict },
        { "options.dryRun", "\"yes\"", "$.options.dryRun", Rules.Type },
        { "options.timeoutSeconds", "10", "$.options.timeoutSeconds", Rules.Range },
        { "options.deadline", "\"2026-11-25T00:00:00Z\"", "$.options.timeoutSeconds", Rules.Conflict },
        { "options.settingsMode", "\"overwrite\"", "$.options.settingsMode", Rules.Enum },
        { "options.settingsMode", "\"replace\"", "$.options.removeSettings.slurmCustomSettings", Rules.Conflict },
        { "options.removeSettings.slurmCustomSettings[0]", "\"Bad Name\"", "$.options.removeSettings.slurmCustomSettings[0]", Rules.Pattern },
        { "options.removeSettings.slurmCustomSettings[0]", "7", "$.options.removeSettings.slurmCustomSettings[0]", Rules.Type },
        { "options.removeSettings.partitions", "[]", "$.options.removeSettings.partitions", Rules.UnknownField },
        { "options.expectedUpdateMinutes", "0", "$.options.expectedUpdateMinutes", Rules.Range },
        { "options.verbose", "true", "$.options.verbose", Rules.UnknownField },
    };

    [Theory]
    [MemberData(nameof(SingleFieldViolations))]
    public void ReportASingleFieldViolation_AtItsField(string mutate, string json, string path, string rule)
    {
        var request = Requests.Full();
        Set(request, mutate, JsonNode.Parse(json));

        var result = RequestIntake.Accept(request.ToJsonString(), Requests.Now);

        result.Accepted.Should().BeFalse();
        result.Issues.Should().ContainSingle().Which.Should().Match<ValidationIssue>(i => i.Path == path && i.Rule == rule);
    }

    [Fact]
    public void NameTheOffendingValue_WithControlCharactersEscaped()
    {
        var request = Requests.Full();
        Set(request, "slurmConfiguration.slurmCustomSettings[0].parameterValue", JsonValue.Create("600\nSlurmUser=root"));

        var issue = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Single();

        issue.Value.Should().Be("600\\u000aSlurmUser=root");
        issue.ToString().Should().NotContain("\n");
    }

    [Fact]
    public void SuggestTheDocumentedSpelling_ForACaseMismatch()
    {
        var request = Requests.Full();
        Set(request, "slurmConfiguration.slurmCustomSettings[1].parameterName", JsonValue.Create("priorityweightage"));

        RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Single().Message.Should().Contain("did you mean 'PriorityWeightAge'");
    }

    [Fact]
    public void PassAnUnlistedName_WhenTheRequestAllowsIt()
    {
        var request = Requests.Full();
        Set(request, "slurmConfiguration.slurmCustomSettings[1].parameterName", JsonValue.Create("SomeFutureSetting"));
        Set(request, "options.allowUnlistedSettings", JsonValue.Create(true));

        RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Should().BeEmpty();
    }

    [Fact]
    public void StillRejectInjection_WhenUnlistedNamesAreAllowed()
    {
        var request = Requests.Full();
        Set(request, "slurmConfiguration.slurmCustomSettings[1].parameterName", JsonValue.Create("X=1\nSlurmUser"));
        Set(request, "options.allowUnlistedSettings", JsonValue.Create(true));

        RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Single().Rule.Should().Be(Rules.ControlCharacters);
    }

    [Fact]
    public void RejectADeadlineInThePast()
    {
        var request = Requests.Full();
        ((JsonObject)request["options"]!).Remove("timeoutSeconds");
        Set(request, "options.deadline", JsonValue.Create("2026-11-24T21:00:00Z"));

        RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Single()
            .Should().Match<ValidationIssue>(i => i.Path == "$.options.deadline" && i.Rule == Rules.DeadlinePassed);
    }

    [Fact]
    public void RejectMissingRequiredFields_AtTheirPath()
    {
        var request = Requests.Full();
        request.Remove("clusterIdentifier");
        ((JsonObject)request["slurmConfiguration"]!["slurmCustomSettings"]![0]!).Remove("parameterValue");

        var issues = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues;

        issues.Select(i => (i.Path, i.Rule)).Should().BeEquivalentTo(new[]
        {
            ("$.clusterIdentifier", Rules.Required),
            ("$.slurmConfiguration.slurmCustomSettings[0].parameterValue", Rules.Required),
        });
    }

    [Fact]
    public void RejectTooManySettingsInOneList()
    {
        var request = Requests.Full();
        var list = new JsonArray();
        for (var i = 0; i < RequestValidator.MaxSettingsPerList + 1; i++)
        {
            list.Add(Requests.Setting($"Setting{i}", "1"));
        }

        Set(request, "slurmConfiguration.slurmCustomSettings", list);
        Set(request, "options.allowUnlistedSettings", JsonValue.Create(true));

        RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues.Single()
            .Should().Match<ValidationIssue>(i => i.Path == "$.slurmConfiguration.slurmCustomSettings" && i.Rule == Rules.TooMany);
    }

    /// <summary>Sets a value at a dotted path with [index] steps, creating objects on the way.</summary>
    internal static void Set(JsonObject root, string path, JsonNode? value)
    {
        JsonNode current = root;
        var steps = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < steps.Length; i++)
        {
            var last = i == steps.Length - 1;
            var step = steps[i];
            if (step.StartsWith('['))
            {
                var index = int.Parse(step[1..^1], System.Globalization.CultureInfo.InvariantCulture);
                var array = current.AsArray();
                if (last)
                {
                    array[index] = value;
                    return;
                }

                current = array[index]!;
            }
            else
            {
                var obj = current.AsObject();
                if (last)
                {
                    obj[step] = value;
                    return;
                }

                if (obj[step] is null)
                {
                    obj[step] = steps[i + 1].StartsWith('[') ? new JsonArray() : new JsonObject();
                }

                current = obj[step]!;
            }
        }
    }
}
