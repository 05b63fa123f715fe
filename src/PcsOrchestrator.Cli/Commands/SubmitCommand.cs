using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>submit</c>: <c>start</c>, with the request's <c>apply</c> set from <c>--apply</c>, and then the outcome of its
/// admission: queued for the cluster's next maintenance window (the change id, the window and when it opens), applying
/// now (the execution to follow with <c>status</c>: a long update is not waited for), the original outcome for a
/// request submitted before, or the error and cause of a refusal. The execution is read with DescribeExecution (and
/// its history, to see it pass admission) every half second, up to <c>--wait</c> seconds.
/// </summary>
public static class SubmitCommand
{
    /// <summary>The state an execution enters once its change is admitted to be applied now (it holds the cluster lock).</summary>
    public const string AdmittedState = "CheckReadiness";

    public const int DefaultWaitSeconds = 30;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private static readonly HashSet<string> SuccessfulOutcomes = ["succeeded", "no-change", "dry-run", "deferred", "duplicate", "queued"];

    public static Command Create()
    {
        var input = ExecutionCommands.EventArgument();
        var apply = new Option<string?>("--apply") { Description = "now (start the update now) or next-window (queue the change for the cluster's next maintenance window). Sets the request's 'apply' (in an EventBridge event's detail, a scheduler input's request). Default: what the file says, else the cluster's window decides (its defaultApply, else the stack's)." };
        apply.AcceptOnlyFromAmong(ApplyModeExtensions.NowWire, ApplyModeExtensions.NextWindowWire);
        var name = ExecutionCommands.NameOption();
        var wait = new Option<int>("--wait") { HelpName = "SECONDS", Description = "How many seconds to wait for the outcome of admission (queued, applying now, refused); 0: do not wait, as start.", DefaultValueFactory = _ => DefaultWaitSeconds };
        var (arn, endpoint, region, output) = ExecutionCommands.CommonOptions();
        var command = new Command("submit", "Validate a request (nothing is started if it is invalid), start it, and report how it was admitted: queued as a change for the cluster's next maintenance window (with the change id and when the window opens), applying now (follow it with status), the outcome of the same request submitted before, or why it was refused. Exit 0 queued, applying or succeeded; 1 refused or failed.")
        {
            input, apply, name, wait, arn, endpoint, region, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var seconds = parse.GetValue(wait);
            if (seconds < 0)
            {
                return await CommandSupport.UsageAsync(io.Error, "--wait must be 0 or more seconds");
            }

            var mode = parse.GetValue(apply) is { } wire && ApplyModeExtensions.TryParseWire(wire, out var parsed) ? parsed : (ApplyMode?)null;
            var (submission, exit) = await ExecutionCommands.SubmitAsync(parse, input, name, arn, endpoint, region, text => mode is { } m ? WithApply(text, m) : text, cancellationToken);
            if (submission is null)
            {
                return exit;
            }

            using var client = submission.Client;
            Outcome outcome;
            try
            {
                outcome = await FollowAsync(client, submission.ExecutionArn, TimeSpan.FromSeconds(seconds), cancellationToken);
            }
            catch (StepFunctionsException ex)
            {
                await io.Error.WriteLineAsync($"error: {submission.ExecutionArn} was {(submission.Started ? "started" : "found")}, but could not be followed:");
                return await ExecutionCommands.ServiceErrorAsync(io.Error, ex);
            }

            var report = Report(submission, outcome);
            if (parse.GetValue(output) == "json")
            {
                await io.Output.WriteLineAsync(report.ToJsonString());
            }

            var failed = outcome.Status is not (ExecutionStatuses.Running or ExecutionStatuses.Succeeded)
                || (outcome.Status == ExecutionStatuses.Succeeded && report["outcome"]?.GetValue<string>() is { } o && !SuccessfulOutcomes.Contains(o));
            if (parse.GetValue(output) != "json")
            {
                var line = Describe(submission, outcome, report, seconds);
                if (failed)
                {
                    await io.Error.WriteLineAsync("error: " + line);
                }
                else
                {
                    await io.Output.WriteLineAsync(line);
                }
            }

            return failed ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The event with its request's <c>apply</c> set: inside <c>detail</c> for an EventBridge event, inside
    /// <c>request</c> for a scheduler input, at the top for a direct request (the shapes told apart as the parser
    /// tells them). Text that is not a JSON object, or whose request is not an object, is returned as it is: the
    /// request's validation then reports it.
    /// </summary>
    public static string WithApply(string json, ApplyMode apply)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject;
            _ = root?.Count; // Materializes the properties: a repeated one throws here.
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return json;
        }

        if (root is null)
        {
            return json;
        }

        var isEvent = root.ContainsKey("detail-type") || root.ContainsKey("detail");
        var isSchedule = !isEvent && (root.ContainsKey("request") || root.ContainsKey("scheduledTime"));
        var request = isEvent ? root["detail"] as JsonObject : isSchedule ? root["request"] as JsonObject : root;
        if (request is null)
        {
            return json;
        }

        request["apply"] = apply.ToWire();
        return root.ToJsonString();
    }

    /// <summary>Where an execution stands: its status, output, error and cause, and whether it has passed admission.</summary>
    internal sealed record Outcome(string Status, string? Output, string? Error, string? Cause, string? State, bool Admitted, bool TimedOut);

    /// <summary>
    /// Reads the execution until it ends, passes admission (enters <see cref="AdmittedState"/>) or <paramref name="wait"/> is over.
    /// </summary>
    private static async Task<Outcome> FollowAsync(StepFunctionsClient client, string executionArn, TimeSpan wait, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var described = await client.DescribeExecutionAsync(executionArn, cancellationToken);
            if (described.Status != ExecutionStatuses.Running)
            {
                return new Outcome(described.Status, described.Output, described.Error, described.Cause, null, Admitted: false, TimedOut: false);
            }

            var entered = (await client.GetExecutionHistoryAsync(executionArn, cancellationToken, pageSize: 1000))
                .Where(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal))
                .Select(e => e.StateEnteredEventDetails?.Name)
                .ToList();
            var admitted = entered.Contains(AdmittedState);
            if (admitted || waited.Elapsed >= wait)
            {
                return new Outcome(described.Status, null, null, null, entered.LastOrDefault(), admitted, TimedOut: !admitted);
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static JsonObject Report(Submission submission, Outcome outcome)
    {
        var output = outcome.Output is { } text ? CommandSupport.JsonOrText(text) as JsonObject : null;
        var report = new JsonObject
        {
            ["name"] = submission.Name,
            ["executionArn"] = submission.ExecutionArn,
            ["idempotencyKey"] = submission.IdempotencyKey,
            ["clusterIdentifier"] = submission.ClusterIdentifier,
            ["started"] = submission.Started,
            ["status"] = outcome.Status,
            ["outcome"] = output?["outcome"]?.DeepClone() ?? (outcome.Admitted ? "applying" : null),
            ["changeId"] = output?["changeId"]?.DeepClone(),
            ["window"] = output?["window"]?.DeepClone(),
            ["changeStatus"] = output?["changeStatus"]?.DeepClone(),
            ["opensAt"] = output?["opensAt"] is JsonValue opens && opens.TryGetValue<DateTimeOffset>(out var at) ? CommandSupport.Iso(at) : null,
            ["reason"] = output?["reason"]?.DeepClone(),
            ["originalExecutionId"] = output?["originalExecutionId"]?.DeepClone(),
            ["state"] = outcome.State,
            ["error"] = outcome.Error,
            ["cause"] = outcome.Cause,
            ["output"] = output,
        };
        return report;
    }

    /// <summary>The one line the outcome is in text.</summary>
    private static string Describe(Submission submission, Outcome outcome, JsonObject report, int waitSeconds)
    {
        var follow = $"follow it with: pcs-orchestrator status {submission.Name}";
        var before = submission.Started ? string.Empty : $"already submitted as execution {submission.Name} (the same request; nothing new was started): ";
        if (outcome.Status == ExecutionStatuses.Running)
        {
            return outcome.Admitted
                ? $"{before}applying now: {submission.ExecutionArn}; {follow}"
                : $"{before}{submission.ExecutionArn} is still running after {waitSeconds.ToString(CultureInfo.InvariantCulture)} s{(outcome.State is { } state ? $" (in state {state})" : string.Empty)}; {follow}";
        }

        if (outcome.Status != ExecutionStatuses.Succeeded)
        {
            return $"{before}execution {submission.Name} {outcome.Status.ToLowerInvariant().Replace('_', ' ')}: {outcome.Error ?? "(no error)"}: {outcome.Cause ?? "(no cause)"}";
        }

        var text = (string? key) => report[key!]?.GetValue<string>();
        return text("outcome") switch
        {
            "queued" when !submission.Started => $"{before}{Queued(text)} (pcs-orchestrator queue list {submission.ClusterIdentifier} --all shows what became of it)",
            "queued" => $"{before}{Queued(text)}; {(text("opensAt") is { } opens ? $"it opens next at {opens}" : "the window has no further opening")}",
            "duplicate" => $"{before}a duplicate of a request completed by execution {text("originalExecutionId") ?? "(unknown)"}: {(text("changeId") is not null ? $"{Queued(text)}, now {text("changeStatus") ?? "(unknown)"}" : text("reason"))}",
            var other => $"{before}{other ?? "(no outcome)"}: {text("reason") ?? "(no reason)"} ({submission.ExecutionArn})",
        };
    }

    private static string Queued(Func<string?, string?> text) => $"queued as change {text("changeId")} for maintenance window {text("window")}";
}
