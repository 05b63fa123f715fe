using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PcsOrchestrator.Operations;
using PcsOrchestrator.Persistence;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>queue list|cancel</c>: a cluster's changes waiting for its maintenance window, through
/// <see cref="QueueOperations"/>. The maintenance table is found as <c>window</c> finds it; cancel also writes a
/// <c>cancelled</c> entry to the audit table (<c>--audit-table</c>, <c>&lt;prefix&gt;-audit</c>, AUDIT_TABLE_NAME,
/// <c>pcs-orchestrator-audit</c>) in the same transaction as the cancellation.
/// </summary>
public static class QueueCommands
{
    private const string ClusterHelp = "The cluster as requests name it (its name or id): changes are queued per clusterIdentifier.";

    public static Command Create() => new("queue", "The changes queued for clusters' maintenance windows (submit --apply next-window queues one).")
    {
        List(), Plan(), Cancel(),
    };

    public static Command List()
    {
        var cluster = CommandSupport.ClusterArgument(ClusterHelp);
        var all = new Option<bool>("--all") { Description = "Also the changes that ended: applied, failed and cancelled ones (kept 90 days after they end)." };
        var store = new StoreOptions(TableKind.Maintenance);
        var command = new Command("list", "List a cluster's queued changes in submission order: change id, submitted at, status, requested by, reason, window, attempts, last outcome. Pending and applying ones, or every one with --all.")
        {
            cluster, all,
        };
        store.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var name = parse.GetValue(cluster)!;
            var everything = parse.GetValue(all);
            return await WithQueueAsync(parse, store, name, async (queue, context) =>
            {
                var changes = await queue.ListAsync(name, everything, cancellationToken);
                if (store.Json(parse))
                {
                    await io.Output.WriteLineAsync(new JsonObject
                    {
                        ["cluster"] = name,
                        ["table"] = context.Table,
                        ["all"] = everything,
                        ["changes"] = new JsonArray([.. changes.Select(Json)]),
                    }.ToJsonString());
                    return ExitCodes.Success;
                }

                if (changes.Count == 0)
                {
                    await io.Output.WriteLineAsync($"No {(everything ? string.Empty : "pending ")}queued changes for cluster {name} in {context.Table}{(everything ? string.Empty : " (--all also lists those that ended)")}.");
                    return ExitCodes.Success;
                }

                var console = CommandSupport.Console(io.Output);
                console.Profile.Width = Math.Max(console.Profile.Width, 160);
                var grid = new Table()
                    .AddColumn(new TableColumn("Change").NoWrap())
                    .AddColumn(new TableColumn("Submitted (UTC)").NoWrap())
                    .AddColumn(new TableColumn("Status").NoWrap())
                    .AddColumn(new TableColumn("Requested by").NoWrap())
                    .AddColumns("Reason", "Window", "Attempts", "Last outcome");
                foreach (var change in changes)
                {
                    grid.AddRow(
                        Markup.Escape(change.ChangeId),
                        change.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                        Markup.Escape(QueuedChangeStatuses.Name(change.Status) + (change.Status == QueuedChangeStatus.Applying && change.Holder is { } holder ? $" by {CommandSupport.ShortExecution(holder)}" : string.Empty)),
                        Markup.Escape(change.RequestedBy ?? "-"),
                        Markup.Escape(change.Reason ?? "-"),
                        Markup.Escape(change.Window ?? "-"),
                        change.Attempts.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(change.Outcome ?? "-"));
                }

                console.Write(grid);
                var counts = changes.GroupBy(c => c.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {QueuedChangeStatuses.Name(g.Key)}");
                console.MarkupLine(Markup.Escape($"{CommandSupport.Count(changes.Count, "change", "changes")} of cluster {name} ({string.Join(", ", counts)}) in {context.Table}."));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>
    /// What the cluster's next window would do, now: its pending changes merged in submission order into the live
    /// configuration (GetCluster), the conflicts between them, and, when its stored window watches drift, the drift from
    /// the last applied configuration. Reads only; nothing is taken, changed or written.
    /// </summary>
    public static Command Plan()
    {
        var cluster = CommandSupport.ClusterArgument(ClusterHelp);
        var endpoint = new Option<string?>("--endpoint-url") { Description = "The PCS endpoint (default: AWS_ENDPOINT_URL_PCS, AWS_ENDPOINT_URL, else the region's)." };
        var store = new StoreOptions(TableKind.Maintenance);
        var command = new Command("plan", "Show what the cluster's next maintenance window would apply if it opened now: its pending changes merged (later changes win per field and setting), the conflicts between them, the UpdateCluster payload, and drift when its window watches it. Reads only.")
        {
            cluster, endpoint,
        };
        store.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var name = parse.GetValue(cluster)!;
            if (!CommandSupport.TryHttpUrl(parse.GetValue(endpoint), out var url))
            {
                return await CommandSupport.UsageAsync(io.Error, $"--endpoint-url: '{parse.GetValue(endpoint)}' is not an http(s) URL");
            }

            if (CommandSupport.ClusterProblem(name, "cluster") is { } problem)
            {
                return await CommandSupport.UsageAsync(io.Error, problem);
            }

            var clock = CommandSupport.Clock(Environment.GetEnvironmentVariable);
            return await store.RunAsync(parse, async context =>
            {
                var maintenance = new MaintenanceStore(context.Dynamo, context.Table, clock);
                var stored = await maintenance.ListChangesAsync(name, [QueuedChangeStatus.Pending], cancellationToken);
                var changes = new List<Domain.Planning.QueuedChange>();
                foreach (var change in stored)
                {
                    var parsed = Domain.Parsing.RequestParser.Parse(change.Request);
                    if (parsed.Request is null)
                    {
                        return await CommandSupport.FailAsync(io.Error, $"queued change {change.ChangeId} holds a request this version cannot read: {string.Join("; ", parsed.Issues)}", ExitCodes.Failed);
                    }

                    changes.Add(new Domain.Planning.QueuedChange(change.ChangeId, change.SubmittedAt, parsed.Request));
                }

                var windowName = await maintenance.WindowOfClusterAsync(name, cancellationToken);
                var window = windowName is null ? null : await maintenance.GetWindowAsync(windowName, cancellationToken) is { } record ? WindowAdministration.Read(record) : null;
                var drift = window?.Drift ?? Domain.Windows.DriftMode.Off;
                Domain.Model.ClusterConfiguration? lastApplied = null;
                if (drift != Domain.Windows.DriftMode.Off && await maintenance.GetDesiredStateAsync(name, cancellationToken) is { } desired)
                {
                    using var document = JsonDocument.Parse(desired.Configuration);
                    var (reported, _) = Domain.Parsing.RequestParser.ParseConfiguration(document.RootElement);
                    lastApplied = reported is null ? null : Domain.Model.ClusterConfiguration.FromReported(reported);
                }

                var (live, failure) = await PlanCommand.ReadClusterAsync(url, parse.GetValue(store.Region), name, io.Error, cancellationToken);
                if (live is null)
                {
                    return failure;
                }

                var view = Functions.Adapters.PcsGateway.ToView(live);
                var plan = Domain.Planning.WindowPlanner.Plan(view.Configuration, lastApplied, drift, changes);
                var now = clock.GetUtcNow();
                var next = window?.Schedule.Occurrences(now, 2).FirstOrDefault(w => w.Start > now);
                var report = PlanCommand.Report(name, view.Id, view.Name, view.Status, plan.Plan, null);
                report["maintenanceWindow"] = window is null ? null : new JsonObject { ["name"] = window.Name, ["drift"] = Domain.Windows.DriftModeExtensions.ToWire(window.Drift), ["nextOpening"] = next?.Start is { } opens ? CommandSupport.Iso(opens) : null };
                report["included"] = new JsonArray([.. changes.Select(c => (JsonNode)new JsonObject { ["changeId"] = c.ChangeId, ["requestedBy"] = c.Request.RequestedBy, ["reason"] = c.Request.Reason })]);
                report["conflicts"] = new JsonArray([.. plan.Conflicts.Select(c => (JsonNode)new JsonObject
                {
                    ["path"] = c.Path,
                    ["values"] = new JsonArray([.. c.Values.Select(v => (JsonNode)new JsonObject { ["changeId"] = v.ChangeId, ["value"] = v.Value })]),
                    ["winner"] = c.Winner.ChangeId,
                })]);
                report["drift"] = new JsonArray([.. plan.Drift.Select(d => (JsonNode)new JsonObject { ["path"] = d.Path, ["applied"] = d.Applied, ["live"] = d.Live })]);
                report["issues"] = new JsonArray([.. plan.Issues.Select(i => (JsonNode)i.ToString())]);
                if (store.Json(parse))
                {
                    await io.Output.WriteLineAsync(report.ToJsonString());
                    return plan.Issues.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
                }

                var console = CommandSupport.Console(io.Output);
                console.MarkupLine(Markup.Escape(window is null
                    ? $"Cluster {name} has no stored maintenance window (a stack default window is not visible here)."
                    : $"Maintenance window {window.Name} opens next at {(next?.Start is { } at ? CommandSupport.Utc(at) : "(never)")}."));
                console.MarkupLine(Markup.Escape($"{CommandSupport.Count(changes.Count, "change is", "changes are")} pending for cluster {name}, in submission order{(changes.Count == 0 ? ": none" : ":")}"));
                foreach (var change in changes)
                {
                    console.MarkupLine(Markup.Escape($"  {change.ChangeId}  {change.Request.RequestedBy ?? "-"}  {change.Request.Reason ?? string.Empty}"));
                }

                PlanCommand.Print(console, report, plan.Plan);
                if (plan.Conflicts.Count > 0)
                {
                    var conflicts = new Table().AddColumns("Field / setting", "Changes (submission order)", "Wins");
                    foreach (var conflict in plan.Conflicts)
                    {
                        conflicts.AddRow(Markup.Escape(conflict.Path), Markup.Escape(string.Join("\n", conflict.Values.Select(v => $"{v.ChangeId}: {v.Value ?? "(removed)"}"))), Markup.Escape(conflict.Winner.ChangeId));
                    }

                    console.MarkupLine(Markup.Escape($"{CommandSupport.Count(plan.Conflicts.Count, "conflict", "conflicts")} between the pending changes (the later one wins):"));
                    console.Write(conflicts);
                }

                foreach (var item in plan.Drift)
                {
                    console.MarkupLine(Markup.Escape($"Drift: {item.Path} is {item.Live ?? "absent"}, was applied as {item.Applied ?? "absent"}{(plan.CorrectsDrift ? " (the window restores it)" : " (reported, left as it is)")}."));
                }

                foreach (var issue in plan.Issues)
                {
                    console.MarkupLine(Markup.Escape($"Cannot be applied together: {issue}"));
                }

                return plan.Issues.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
            });
        });
        return command;
    }

    public static Command Cancel()
    {
        var cluster = CommandSupport.ClusterArgument(ClusterHelp);
        var change = new Argument<string>("change") { Description = "The change: its id (queue list prints it), a prefix of the id that only it has, or its idempotency key." };
        var reason = new Option<string?>("--reason") { HelpName = "TEXT", Description = "Why it is cancelled: recorded in the change's outcome and in the audit entry." };
        var actor = WindowCommands.ActorOption("Who cancels it, recorded in the change and the audit entry");
        var store = new StoreOptions(TableKind.Maintenance, TableKind.Audit);
        var command = new Command("cancel", "Cancel a pending change, so its window leaves it out; the cancellation and its 'cancelled' audit entry are one write. Exit 1 when no change, or more than one, matches, or the change is no longer pending (being applied, or ended).")
        {
            cluster, change, reason, actor,
        };
        store.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var name = parse.GetValue(cluster)!;
            var who = parse.GetValue(actor) ?? Environment.UserName;
            if (who.Length == 0)
            {
                return await CommandSupport.UsageAsync(io.Error, "--actor must not be empty");
            }

            return await WithQueueAsync(parse, store, name, async (queue, context) =>
            {
                QueuedChange cancelled;
                try
                {
                    cancelled = await queue.CancelAsync(name, parse.GetValue(change)!, who, parse.GetValue(reason), cancellationToken);
                }
                catch (QueuedChangeNotFoundException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, ex.Message + "; nothing was cancelled", ExitCodes.Failed);
                }
                catch (QueuedChangeStateException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, Refusal(ex), ExitCodes.Failed);
                }

                if (store.Json(parse))
                {
                    await io.Output.WriteLineAsync(new JsonObject { ["cluster"] = name, ["cancelled"] = Json(cancelled), ["auditTable"] = context.SecondTable }.ToJsonString());
                }
                else
                {
                    await io.Output.WriteLineAsync($"Cancelled change {cancelled.ChangeId} of cluster {name}{(cancelled.Window is { } w ? $" (queued for maintenance window {w})" : string.Empty)}: {cancelled.Outcome}. Audit entry 'cancelled' written to {context.SecondTable}.");
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Why a change could not be cancelled, in the operator's terms.</summary>
    private static string Refusal(QueuedChangeStateException refused) => refused.Found switch
    {
        { Status: QueuedChangeStatus.Applying } found => $"change {found.ChangeId} of cluster {found.Cluster} cannot be cancelled: it is being applied by execution {found.Holder ?? "(unknown)"}",
        { } found => $"change {found.ChangeId} of cluster {found.Cluster} cannot be cancelled: it is already {QueuedChangeStatuses.Name(found.Status)}{(found.Outcome is { } outcome ? $" ({outcome})" : string.Empty)}",
        null => refused.Message,
    };

    /// <summary>Checks the cluster and opens the queue on the commands' clock (the audit log in the second table, when the command has one).</summary>
    private static async Task<int> WithQueueAsync(ParseResult parse, StoreOptions store, string cluster, Func<QueueOperations, StoreContext, Task<int>> work)
    {
        if (CommandSupport.ClusterProblem(cluster, "cluster") is { } problem)
        {
            return await CommandSupport.UsageAsync(parse.InvocationConfiguration.Error, problem);
        }

        var environment = (Func<string, string?>)Environment.GetEnvironmentVariable;
        var clock = CommandSupport.Clock(environment);
        return await store.RunAsync(parse, context =>
        {
            // Listing reads the maintenance table only; the audit log is where a cancellation writes its entry.
            var audit = new AuditLog(context.Dynamo, context.SecondTable ?? TableKind.Audit.Resolve(null, parse.GetValue(store.Prefix), environment), clock);
            return work(new QueueOperations(new MaintenanceStore(context.Dynamo, context.Table, clock), audit), context);
        });
    }

    private static JsonNode Json(QueuedChange change) => new JsonObject
    {
        ["changeId"] = change.ChangeId,
        ["idempotencyKey"] = change.Key,
        ["status"] = QueuedChangeStatuses.Name(change.Status),
        ["submittedAt"] = CommandSupport.Iso(change.SubmittedAt),
        ["submittedBy"] = change.SubmittedBy,
        ["requestedBy"] = change.RequestedBy,
        ["reason"] = change.Reason,
        ["source"] = change.Source,
        ["window"] = change.Window,
        ["attempts"] = change.Attempts,
        ["holder"] = change.Holder,
        ["outcome"] = change.Outcome,
        ["updatedAt"] = CommandSupport.Iso(change.UpdatedAt),
        ["request"] = CommandSupport.JsonOrText(change.Request),
    };

}
