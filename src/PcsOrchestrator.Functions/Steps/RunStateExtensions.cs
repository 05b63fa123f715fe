using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>Reading the state document: the pieces every step needs, with clear failures when a section is missing.</summary>
public static class RunStateExtensions
{
    public static RunInfo RequireRun(this RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Run ?? throw new InvalidOperationException("the state has no 'run' section: Prepare has not run");
    }

    /// <summary>Where this run's latest audit entry left the cluster's chain (the highest mark any section carries), or null.</summary>
    public static AuditMark? LatestAuditHead(this RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        AuditMark?[] marks = [state.Claim?.AuditHead, state.Readiness?.AuditHead, state.Plan?.AuditHead, state.Apply?.AuditHead, state.Rollback?.AuditHead];
        // Marks only grow along one run's chain: the highest is where its latest entry left it.
        return marks.Where(m => m is { Sequence: > 0 }).MaxBy(m => m!.Sequence);
    }

    /// <summary>The request Prepare normalized, parsed back with the domain parser (structure only: it was validated).</summary>
    public static UpdateRequest RequireRequest(this RunInfo run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var request = run.Request ?? throw new InvalidOperationException("the run has no request: it is a maintenance window's run");
        var outcome = RequestParser.Parse(request.GetRawText());
        return outcome.Request ?? throw new InvalidOperationException(
            "the normalized request in 'run.request' does not parse: " + string.Join("; ", outcome.Issues));
    }

    public static ClusterConfiguration ParseConfiguration(JsonElement? element, string what)
    {
        if (element is not { } value)
        {
            throw new InvalidOperationException($"the state has no '{what}' configuration");
        }

        var (change, issues) = RequestParser.ParseConfiguration(value, what);
        if (change is null || issues.Count > 0)
        {
            throw new InvalidOperationException($"'{what}' is not a slurmConfiguration: {string.Join("; ", issues)}");
        }

        return ClusterConfiguration.FromReported(change);
    }

    public static JsonElement ToJson(SlurmConfigurationChange change) =>
        JsonDocument.Parse(RequestWriter.WriteConfiguration(change)).RootElement.Clone();

    public static JsonElement ToJson(ClusterConfiguration configuration) => ToJson(configuration.ToFullChange());

    public static JsonNode? ToNode(JsonElement? element) => element is { } e ? JsonNode.Parse(e.GetRawText()) : null;

    public static List<ChangeItem> ToItems(IEnumerable<ConfigurationChange> changes) =>
        [.. changes.Select(c => new ChangeItem { Path = c.Path, Current = c.Current, Desired = c.Desired })];

    public static JsonArray ToNode(IReadOnlyList<ChangeItem> changes)
    {
        var array = new JsonArray();
        foreach (var c in changes)
        {
            array.Add((JsonNode)new JsonObject { ["path"] = c.Path, ["current"] = c.Current, ["desired"] = c.Desired });
        }

        return array;
    }

    /// <summary>Seconds for a Wait state: at least 1, whole seconds.</summary>
    public static int WaitSeconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));

    /// <summary>Fails with DeadlinePassed once the run's deadline is behind us.</summary>
    public static void ThrowIfPastDeadline(this RunInfo run, DateTimeOffset now, string activity)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (now >= run.Deadline)
        {
            throw new StepException(ErrorNames.DeadlinePassed,
                $"the run's deadline {RequestWriter.Timestamp(run.Deadline)} passed while {activity} on cluster {run.ClusterIdentifier}");
        }
    }
}
