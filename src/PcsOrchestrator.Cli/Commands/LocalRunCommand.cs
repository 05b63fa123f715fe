using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Functions;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.StateMachine;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>pcs-orchestrator local run &lt;event.json&gt;</c>: the whole product on this machine in one command. Starts
/// DynamoDB Local, the PCS emulator with a demo cluster, the handlers in process and the runner of the real state
/// machine definition on a clock running <c>--speed</c> times faster; runs the event; shows progress, the change
/// set and the audit trail.
/// </summary>
public static class LocalRunCommand
{
    private static readonly HashSet<string> SuccessfulOutcomes = ["succeeded", "no-change", "dry-run", "deferred", "duplicate"];

    public static Command Create()
    {
        var input = new Argument<FileInfo>("event") { Description = "The execution input: a direct request, an EventBridge event or a scheduler input (see events/)." };
        var speed = new Option<double>("--speed") { Description = "How many times faster than real time the local clock runs (waits and the emulated update).", DefaultValueFactory = _ => 60 };
        var output = new Option<string>("--output") { Description = "text (progress and tables) or json (one document).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var definition = new Option<FileInfo?>("--definition") { Description = "An ASL definition file (default: the one shipped with this command)." };
        var command = new Command("run", "Run the state machine on an event against a local stack: DynamoDB Local, the PCS emulator with a demo cluster, the real handlers.")
        {
            input, speed, output, definition,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(input)!;
            var io = parse.InvocationConfiguration;
            if (!file.Exists)
            {
                await io.Error.WriteLineAsync($"error: event: file '{file.FullName}' does not exist");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(speed) is var s && s < 1)
            {
                await io.Error.WriteLineAsync("error: --speed must be 1 or more");
                return ExitCodes.Usage;
            }

            JsonNode? payload;
            try
            {
                payload = JsonNode.Parse(await File.ReadAllTextAsync(file.FullName, cancellationToken));
            }
            catch (JsonException ex)
            {
                await io.Error.WriteLineAsync($"error: event: '{file.Name}' is not valid JSON: {ex.Message}");
                return ExitCodes.Usage;
            }

            var asl = parse.GetValue(definition);
            if (asl is { Exists: false })
            {
                await io.Error.WriteLineAsync($"error: --definition: file '{asl.FullName}' does not exist");
                return ExitCodes.Usage;
            }

            return await RunAsync(payload, Definitions.Load(asl), parse.GetValue(speed), parse.GetValue(output) == "json", io.Output, io.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(JsonNode? payload, string definition, double speed, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = Math.Max(console.Profile.Width, 140);
        var time = new ScaledTimeProvider(speed);
        LocalDeployment local;
        try
        {
            if (!json)
            {
                console.MarkupLine($"Starting the local stack (DynamoDB Local, PCS emulator, handlers in process; clock at {speed:0.#}x)...");
            }

            local = await LocalDeployment.StartAsync(new LocalDeploymentOptions { Definition = definition, Time = time, TablePrefix = "local" }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or AslDefinitionException)
        {
            await stderr.WriteLineAsync($"error: the local stack did not start: {ex.Message}");
            return ExitCodes.Environment;
        }

        await using (local)
        {
            var cluster = ClusterName(payload);
            var demo = await local.CreateDemoClusterAsync(cluster, cancellationToken);
            if (!json)
            {
                console.MarkupLine($"Demo cluster [bold]{Markup.Escape(demo.Name)}[/] ({demo.Id}) is {demo.Status}; PCS emulator at {local.Pcs.Endpoint}, DynamoDB Local at {local.DynamoEndpoint}");
            }

            var execution = local.Start($"local-{Guid.NewGuid():N}"[..20], payload);
            var result = await FollowAsync(execution, local, demo.Id, json ? null : console, cancellationToken);
            var audit = (await local.Audit.QueryAsync(cluster, 200, null, cancellationToken)).Entries.Reverse().ToList();
            var verification = await local.Audit.VerifyAsync(cluster, cancellationToken);
            var outcome = result.Output?["outcome"]?.GetValue<string>();
            var ok = result.Status == ExecutionStatus.Succeeded && outcome is not null && SuccessfulOutcomes.Contains(outcome);
            if (json)
            {
                var document = new JsonObject
                {
                    ["status"] = result.Status.ToString().ToUpperInvariant(),
                    ["outcome"] = outcome,
                    ["error"] = result.Error,
                    ["cause"] = result.Cause,
                    ["output"] = result.Output?.DeepClone(),
                    ["stateTransitions"] = result.StateTransitions,
                    ["updateClusterCalls"] = local.Pcs.Calls.Count(c => c.Operation == "UpdateCluster"),
                    ["audit"] = new JsonArray([.. audit.Select(e => (JsonNode)new JsonObject { ["sequence"] = e.Sequence, ["at"] = e.At.ToString("O"), ["eventType"] = e.EventType, ["reason"] = e.Reason })]),
                    ["auditIntact"] = verification.Intact,
                };
                await stdout.WriteLineAsync(document.ToJsonString());
            }
            else
            {
                Report(console, result, audit, verification.Intact);
            }

            return ok ? ExitCodes.Success : ExitCodes.Failed;
        }
    }

    private static async Task<ExecutionResult> FollowAsync(Execution execution, LocalDeployment local, string clusterId, IAnsiConsole? console, CancellationToken cancellationToken)
    {
        var last = string.Empty;
        while (!execution.Completion.IsCompleted)
        {
            await Task.WhenAny(execution.Completion, Task.Delay(150, cancellationToken));
            if (console is null)
            {
                continue;
            }

            var history = execution.History;
            var state = execution.CurrentState ?? "(finished)";
            var line = state;
            if (state.StartsWith("Wait", StringComparison.Ordinal) && history.LastOrDefault(h => h.Type == "WaitStateEntered")?.Details?["input"]?.GetValue<string>() is { } input)
            {
                line += $" (next check in {NextWait(state, input)} s)";
            }

            if (line != last)
            {
                var status = await StatusAsync(local, clusterId, cancellationToken);
                console.MarkupLine($"  {Markup.Escape(local.Options.Time.GetUtcNow().ToString("HH:mm:ss"))}  {Markup.Escape(line),-45} {Markup.Escape(status)}");
                last = line;
            }
        }

        return await execution.Completion;
    }

    private static async Task<string> StatusAsync(LocalDeployment local, string clusterId, CancellationToken cancellationToken)
    {
        var cluster = await local.PcsClient.GetClusterAsync(clusterId, cancellationToken);
        var queues = await local.PcsClient.ListQueuesAsync(clusterId, cancellationToken);
        var groups = await local.PcsClient.ListComputeNodeGroupsAsync(clusterId, cancellationToken);
        return $"cluster {cluster.Status}; queues {string.Join(",", queues.Select(q => q.Status).Distinct())}; node groups {string.Join(",", groups.Select(g => g.Status).Distinct())}";
    }

    private static string NextWait(string state, string input)
    {
        var node = JsonNode.Parse(input);
        var section = state switch
        {
            "WaitForReadiness" => "readiness",
            "WaitForTurn" => "claim",
            "WaitForUpdate" => "apply",
            "WaitForRollback" => "rollback",
            _ => "poll",
        };
        return node?[section]?["waitSeconds"]?.ToJsonString() ?? "?";
    }

    private static void Report(IAnsiConsole console, ExecutionResult result, List<Persistence.AuditEntry> audit, bool intact)
    {
        var outcome = result.Output?["outcome"]?.GetValue<string>();
        console.WriteLine();
        if (result.Status == ExecutionStatus.Succeeded)
        {
            console.MarkupLine($"Outcome: [bold]{Markup.Escape(outcome ?? "?")}[/] after {(result.StopDate - result.StartDate).TotalMinutes:0.#} min (local clock), {result.StateTransitions} state transitions");
            if (result.Output?["reason"]?.GetValue<string>() is { } reason)
            {
                console.MarkupLine($"Reason: {Markup.Escape(reason)}");
            }
        }
        else
        {
            console.MarkupLine($"Outcome: [bold]FAILED[/] with {Markup.Escape(result.Error ?? "?")}: {Markup.Escape(result.Cause ?? string.Empty)}");
        }

        if (result.Output?["changes"] is JsonArray { Count: > 0 } changes)
        {
            var table = new Table().AddColumns("Setting", "Before", "After");
            foreach (var change in changes)
            {
                table.AddRow(Markup.Escape(change!["path"]!.GetValue<string>()), Markup.Escape(change["current"]?.GetValue<string>() ?? "(absent)"), Markup.Escape(change["desired"]?.GetValue<string>() ?? "(removed)"));
            }

            console.Write(table);
        }

        var trail = new Table().AddColumns("#", "Time", "Event", "Reason");
        foreach (var entry in audit)
        {
            trail.AddRow(entry.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.At.ToString("HH:mm:ss"), Markup.Escape(entry.EventType), Markup.Escape(Shorten(entry.Reason ?? string.Empty)));
        }

        console.MarkupLine("Audit trail:");
        console.Write(trail);
        console.MarkupLine(intact ? "Audit chain verified: intact." : "[bold]Audit chain verification FAILED.[/]");
    }

    private static string ClusterName(JsonNode? payload)
    {
        var request = payload?["detail"] ?? payload?["request"] ?? payload;
        var name = request is JsonObject o && o["clusterIdentifier"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return name is not null && Domain.Validation.RequestValidator.ClusterIdentifierPattern().IsMatch(name) && !name.StartsWith("pcs_", StringComparison.Ordinal) ? name : "demo-cluster";
    }

    private static string Shorten(string text) => text.Length > 90 ? text[..87] + "..." : text;
}
