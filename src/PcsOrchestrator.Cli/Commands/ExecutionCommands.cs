using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Aws.StepFunctions;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Keys;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>start</c> and <c>status</c>: executions of the deployed (or local) state machine through the project's Step
/// Functions client. The endpoint comes from <c>--endpoint-url</c>, else AWS_ENDPOINT_URL_SFN / AWS_ENDPOINT_URL, else
/// the region's Step Functions endpoint; the state machine from <c>--state-machine-arn</c> or
/// PCS_ORCHESTRATOR_STATE_MACHINE_ARN.
/// </summary>
public static class ExecutionCommands
{
    public const string StateMachineVariable = "PCS_ORCHESTRATOR_STATE_MACHINE_ARN";

    private static readonly HashSet<string> SuccessfulOutcomes = ["succeeded", "no-change", "dry-run", "deferred", "duplicate"];

    public static Command Start()
    {
        var input = EventArgument();
        var name = NameOption();
        var (arn, endpoint, region, output) = CommonOptions();
        var command = new Command("start", "Validate a request and start an execution of the state machine with an execution name derived from its idempotency key.")
        {
            input, name, arn, endpoint, region, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var (submission, exit) = await SubmitAsync(parse, input, name, arn, endpoint, region, text => text, cancellationToken);
            if (submission is null)
            {
                return exit;
            }

            using var client = submission.Client;
            var result = new JsonObject { ["name"] = submission.Name, ["idempotencyKey"] = submission.IdempotencyKey, ["executionArn"] = submission.ExecutionArn, ["started"] = submission.Started };
            if (!submission.Started)
            {
                result["status"] = submission.Status;
            }

            if (parse.GetValue(output) == "json")
            {
                await io.Output.WriteLineAsync(result.ToJsonString());
            }
            else if (submission.Started)
            {
                await io.Output.WriteLineAsync($"started {submission.ExecutionArn}");
            }
            else
            {
                await io.Output.WriteLineAsync($"already started: {submission.ExecutionArn} is {submission.Status} (the same request; nothing new was started)");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// What <c>start</c> and <c>submit</c> share: the event file and state machine checked (exit 2), the request
    /// (after <paramref name="prepare"/>) validated with <see cref="RequestIntake"/> before anything is started (exit 1,
    /// every issue), and StartExecution named after the idempotency key; a name already used is the same request,
    /// reported with the execution it started, not repeated. The caller disposes the submission's client.
    /// </summary>
    internal static async Task<(Submission? Submission, int Exit)> SubmitAsync(
        ParseResult parse, Argument<FileInfo> input, Option<string?> name, Option<string?> arn, Option<string?> endpoint, Option<string?> region, Func<string, string> prepare, CancellationToken cancellationToken)
    {
        var io = parse.InvocationConfiguration;
        var file = parse.GetValue(input)!;
        if (!file.Exists)
        {
            return (null, await CommandSupport.UsageAsync(io.Error, $"event: file '{file.FullName}' does not exist"));
        }

        if (StateMachine(parse.GetValue(arn)) is not { } stateMachineArn)
        {
            return (null, await CommandSupport.UsageAsync(io.Error, $"--state-machine-arn is required (or set {StateMachineVariable})"));
        }

        var text = prepare(await File.ReadAllTextAsync(file.FullName, cancellationToken));
        var intake = RequestIntake.Accept(text, CommandSupport.Clock(Environment.GetEnvironmentVariable).GetUtcNow());
        if (!intake.Accepted)
        {
            await io.Error.WriteLineAsync($"error: the request is invalid ({CommandSupport.Count(intake.Issues.Count, "issue", "issues")}); nothing was started:");
            foreach (var issue in intake.Issues)
            {
                await io.Error.WriteLineAsync($"  {issue}");
            }

            return (null, ExitCodes.Failed);
        }

        var executionName = parse.GetValue(name) ?? IdempotencyKeys.ExecutionName(intake.Request!.ClusterIdentifier, intake.Identity!.IdempotencyKey);
        var (created, failure) = await ClientAsync(parse.GetValue(endpoint), parse.GetValue(region), io.Error);
        if (created is null)
        {
            return (null, failure);
        }

        var submission = new Submission(created, stateMachineArn, executionName, ExecutionArn(stateMachineArn, executionName), intake.Identity!.IdempotencyKey, intake.Request!.ClusterIdentifier, Started: true, Status: null);
        try
        {
            var started = await created.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = stateMachineArn, Name = executionName, Input = text }, cancellationToken);
            return (submission with { ExecutionArn = started.ExecutionArn }, ExitCodes.Success);
        }
        catch (StepFunctionsException ex) when (ex.ErrorCode == "ExecutionAlreadyExists")
        {
            try
            {
                // The same request was started before: Step Functions keeps names for 90 days. Not an error.
                var existing = await created.DescribeExecutionAsync(submission.ExecutionArn, cancellationToken);
                return (submission with { ExecutionArn = existing.ExecutionArn, Started = false, Status = existing.Status }, ExitCodes.Success);
            }
            catch (StepFunctionsException described)
            {
                created.Dispose();
                return (null, await ServiceErrorAsync(io.Error, described));
            }
        }
        catch (StepFunctionsException ex)
        {
            created.Dispose();
            return (null, await ServiceErrorAsync(io.Error, ex));
        }
    }

    public static Command Status()
    {
        var execution = new Argument<string>("execution") { Description = "The execution ARN, or its name (with the state machine's ARN)." };
        var (arn, endpoint, region, output) = CommonOptions();
        var command = new Command("status", "Show an execution: status, current or last state, outcome, error and cause. Exit 0 when running or succeeded, 1 when it failed.")
        {
            execution, arn, endpoint, region, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var given = parse.GetValue(execution)!;
            string executionArn;
            if (given.StartsWith("arn:", StringComparison.Ordinal))
            {
                executionArn = given;
            }
            else if (StateMachine(parse.GetValue(arn)) is { } stateMachineArn)
            {
                executionArn = ExecutionArn(stateMachineArn, given);
            }
            else
            {
                return await CommandSupport.UsageAsync(io.Error, $"an execution name needs --state-machine-arn (or {StateMachineVariable}); or give the execution ARN");
            }

            var (created, failure) = await ClientAsync(parse.GetValue(endpoint), parse.GetValue(region), io.Error);
            if (created is null)
            {
                return failure;
            }

            using var client = created;

            DescribeExecutionResponse described;
            IReadOnlyList<HistoryEvent> history;
            try
            {
                described = await client.DescribeExecutionAsync(executionArn, cancellationToken);
                history = await client.GetExecutionHistoryAsync(executionArn, cancellationToken, pageSize: 1000);
            }
            catch (StepFunctionsException ex)
            {
                return await ServiceErrorAsync(io.Error, ex);
            }

            var state = history.LastOrDefault(e => e.Type.EndsWith("StateEntered", StringComparison.Ordinal))?.StateEnteredEventDetails?.Name;
            var outcome = Outcome(described.Output);
            var report = new JsonObject
            {
                ["executionArn"] = described.ExecutionArn,
                ["name"] = described.Name,
                ["status"] = described.Status,
                ["state"] = state,
                ["startDate"] = described.StartDate.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["stopDate"] = described.StopDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["outcome"] = outcome,
                ["error"] = described.Error,
                ["cause"] = described.Cause,
                ["events"] = history.Count,
            };
            if (parse.GetValue(output) == "json")
            {
                await io.Output.WriteLineAsync(report.ToJsonString());
            }
            else
            {
                var console = CommandSupport.Console(io.Output);
                var table = new Table().AddColumn("Field").AddColumn("Value");
                foreach (var (key, value) in report)
                {
                    if (value is not null)
                    {
                        table.AddRow(Markup.Escape(key), Markup.Escape(value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value.ToJsonString()));
                    }
                }

                console.Write(table);
            }

            var succeeded = described.Status == ExecutionStatuses.Succeeded && (outcome is null || SuccessfulOutcomes.Contains(outcome));
            return described.Status == ExecutionStatuses.Running || succeeded ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    internal static Argument<FileInfo> EventArgument() =>
        new("event") { Description = "The execution input: a direct request, an EventBridge event or a scheduler input (see events/)." };

    internal static Option<string?> NameOption() =>
        new("--name") { Description = "The execution name (default: derived from the request's idempotency key, so a second start of the same request is refused)." };

    internal static (Option<string?> Arn, Option<string?> Endpoint, Option<string?> Region, Option<string> Output) CommonOptions()
    {
        var arn = new Option<string?>("--state-machine-arn") { Description = $"The state machine (default: ${StateMachineVariable})." };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "The Step Functions endpoint (default: AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL, else the region's)." };
        return (arn, endpoint, CommandSupport.RegionOption(), CommandSupport.OutputOption());
    }

    /// <summary>The client, or no client and the exit code after a one-line error (a bad URL; no credentials or region).</summary>
    internal static async Task<(StepFunctionsClient? Client, int Exit)> ClientAsync(string? endpoint, string? region, TextWriter error)
    {
        Uri? url = null;
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
        {
            await error.WriteLineAsync($"error: --endpoint-url: '{endpoint}' is not an http(s) URL");
            return (null, ExitCodes.Usage);
        }

        try
        {
            return (new StepFunctionsClient(new StepFunctionsClientOptions { Endpoint = url, Region = region }), ExitCodes.Success);
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            await error.WriteLineAsync($"error: AWS credentials or region: {ex.Message}");
            return (null, ExitCodes.Environment);
        }
    }

    internal static string? StateMachine(string? given) =>
        given ?? CommandSupport.Configured(Environment.GetEnvironmentVariable, StateMachineVariable);

    internal static string ExecutionArn(string stateMachineArn, string name) =>
        stateMachineArn.Replace(":stateMachine:", ":execution:", StringComparison.Ordinal) + ":" + name;

    internal static string? Outcome(string? output)
    {
        try
        {
            return output is null ? null : JsonNode.Parse(output)?["outcome"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static async Task<int> ServiceErrorAsync(TextWriter error, StepFunctionsException ex)
    {
        await error.WriteLineAsync($"error: {ex.ErrorCode}: {ex.Message}");
        return ex.ErrorCode == StepFunctionsException.Unreachable ? ExitCodes.Environment : ExitCodes.Failed;
    }

}

/// <summary>A request <c>start</c> or <c>submit</c> started (or found started under its name), and the client to follow it with.</summary>
internal sealed record Submission(StepFunctionsClient Client, string StateMachineArn, string Name, string ExecutionArn, string IdempotencyKey, string ClusterIdentifier, bool Started, string? Status);
