using System.Text.Json;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// What <c>plan</c> reads from its file: a request exactly as the workflow accepts it (a direct request, an
/// EventBridge event or a scheduler input; parsed and validated by <see cref="RequestIntake"/>), or a bare
/// <c>slurmConfiguration</c> object (UpdateCluster's shape; parsed and validated with the same domain rules, merged
/// with the default options). Either way the result is the change, its options and the issues, never an exception.
/// </summary>
public sealed record DesiredChange(
    string? ClusterIdentifier,
    SlurmConfigurationChange Change,
    UpdateOptions Options,
    MaintenanceWindow? Window,
    IReadOnlyList<ValidationIssue> Issues)
{
    /// <summary>Top-level members of a <c>slurmConfiguration</c> object.</summary>
    private static readonly string[] ConfigurationMembers =
        ["scaleDownIdleTimeInSeconds", "slurmCustomSettings", "slurmdbdCustomSettings", "cgroupCustomSettings", "accounting", "slurmRest"];

    /// <summary>Members that make a document a request (or its EventBridge / scheduler envelope).</summary>
    private static readonly string[] RequestMembers = ["clusterIdentifier", "slurmConfiguration", "detail", "detail-type", "request", "scheduledTime"];

    public bool Valid => Issues.Count == 0;

    public static DesiredChange Read(string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (BareConfiguration(text) is { } configuration)
        {
            return configuration;
        }

        var intake = RequestIntake.Accept(text, now);
        var request = intake.Request;
        return new DesiredChange(
            request?.ClusterIdentifier,
            request?.SlurmConfiguration ?? new SlurmConfigurationChange(),
            request?.Options ?? new UpdateOptions(),
            request?.MaintenanceWindow,
            intake.Issues);
    }

    /// <summary>The bare-configuration reading, or null when the text is not a JSON object shaped like one.</summary>
    private static DesiredChange? BareConfiguration(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null; // RequestIntake reports the JSON error with its position.
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || RequestMembers.Any(m => root.TryGetProperty(m, out _))
                || !ConfigurationMembers.Any(m => root.TryGetProperty(m, out _)))
            {
                return null;
            }

            var options = new UpdateOptions();
            var (change, parseIssues) = RequestParser.ParseConfiguration(root);
            var issues = new IssueCollector();
            issues.AddRange(parseIssues);
            if (change is not null)
            {
                RequestValidator.ValidateConfiguration(change, options, "$", issues);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            return new DesiredChange(null, change ?? new SlurmConfigurationChange(), options, null, [.. issues.Issues.Where(i => seen.Add(i.Path))]);
        }
    }
}
