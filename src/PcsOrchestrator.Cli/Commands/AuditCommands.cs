using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using PcsOrchestrator.Persistence;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>history</c> and <c>audit verify</c>: a cluster's hash-chained audit log in DynamoDB, read through
/// <see cref="AuditLog"/>. The table is <c>--table</c>, else <c>&lt;--table-prefix&gt;-audit</c>, else
/// AUDIT_TABLE_NAME (what the functions read), else <c>pcs-orchestrator-audit</c> (the name <c>local up</c> gives it);
/// the endpoint <c>--dynamodb-endpoint</c>, else AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the region's.
/// </summary>
public static class AuditCommands
{
    /// <summary>The prefix <c>local up</c> gives its tables by default.</summary>
    public const string DefaultTablePrefix = TableKind.DefaultPrefix;

    public static Command History()
    {
        var cluster = ClusterArgument();
        var limit = new Option<int>("--limit") { Description = "At most this many entries, newest first.", DefaultValueFactory = _ => 50 };
        var from = new Option<string?>("--from") { Description = "Only entries at or after this time (ISO 8601, e.g. 2026-11-24 or 2026-11-24T22:00:00Z; UTC unless an offset is given)." };
        var to = new Option<string?>("--to") { Description = "Only entries at or before this time (ISO 8601)." };
        var store = new StoreOptions(TableKind.Audit);
        var command = new Command("history", "Show a cluster's audit log, newest first: time, sequence, event, execution, actor and source, reason.")
        {
            cluster, limit, from, to,
        };
        store.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var name = parse.GetValue(cluster)!;
            if (parse.GetValue(limit) is var max && max < 1)
            {
                return await CommandSupport.UsageAsync(io.Error, "--limit must be 1 or more");
            }

            if (!TryTime(parse.GetValue(from), out var since))
            {
                return await CommandSupport.UsageAsync(io.Error, $"--from: '{parse.GetValue(from)}' is not a time (ISO 8601, e.g. 2026-11-24T22:00:00Z)");
            }

            if (!TryTime(parse.GetValue(to), out var until))
            {
                return await CommandSupport.UsageAsync(io.Error, $"--to: '{parse.GetValue(to)}' is not a time (ISO 8601, e.g. 2026-11-24T22:00:00Z)");
            }

            if (since > until)
            {
                return await CommandSupport.UsageAsync(io.Error, "--from must not be after --to");
            }

            return await WithAuditLogAsync(parse, store, name, io, async (log, table) =>
            {
                var entries = new List<AuditEntry>();
                string? next = null;
                do
                {
                    var page = await log.QueryAsync(name, Math.Min(max - entries.Count, 100), next, cancellationToken, since, until);
                    entries.AddRange(page.Entries);
                    next = page.NextToken;
                }
                while (next is not null && entries.Count < max);

                var more = next is not null;
                if (parse.GetValue(store.Output) == "json")
                {
                    var document = new JsonObject
                    {
                        ["cluster"] = name,
                        ["table"] = table,
                        ["entries"] = new JsonArray([.. entries.Select(Json)]),
                        ["more"] = more,
                    };
                    await io.Output.WriteLineAsync(document.ToJsonString());
                }
                else if (entries.Count == 0)
                {
                    await io.Output.WriteLineAsync($"No audit entries for cluster {name} in {table}{(since is null && until is null ? string.Empty : " in that time range")}.");
                }
                else
                {
                    var console = CommandSupport.Console(io.Output);
                    var grid = new Table().AddColumns("Time (UTC)", "#", "Event", "Execution", "Actor / source", "Reason");
                    foreach (var entry in entries)
                    {
                        grid.AddRow(
                            entry.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                            entry.Sequence.ToString(CultureInfo.InvariantCulture),
                            Markup.Escape(entry.EventType),
                            Markup.Escape(CommandSupport.ShortExecution(entry.ExecutionId)),
                            Markup.Escape(string.Join(" / ", new[] { entry.Actor, entry.Source }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } who ? who : "-"),
                            Markup.Escape(entry.Reason ?? string.Empty));
                    }

                    console.Write(grid);
                    console.MarkupLine(Markup.Escape($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")} of cluster {name} in {table}{(more ? $"; older entries exist (raise --limit above {max})" : string.Empty)}."));
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    public static Command Audit()
    {
        var cluster = ClusterArgument();
        var store = new StoreOptions(TableKind.Audit);
        var verify = new Command("verify", "Recompute a cluster's audit hash chain from the first entry to the head. Exit 0 when intact, 1 when broken (the sequence where it breaks and why).")
        {
            cluster,
        };
        store.AddTo(verify);
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var name = parse.GetValue(cluster)!;
            return await WithAuditLogAsync(parse, store, name, io, async (log, table) =>
            {
                var result = await log.VerifyAsync(name, cancellationToken);
                if (parse.GetValue(store.Output) == "json")
                {
                    await io.Output.WriteLineAsync(new JsonObject
                    {
                        ["cluster"] = name,
                        ["table"] = table,
                        ["intact"] = result.Intact,
                        ["checked"] = result.Checked,
                        ["brokenAt"] = result.BrokenAt,
                        ["problem"] = result.Problem,
                    }.ToJsonString());
                }
                else if (result.Intact)
                {
                    await io.Output.WriteLineAsync(result.Checked == 0
                        ? $"No audit entries for cluster {name} in {table}: nothing to verify."
                        : $"Audit chain of cluster {name} is intact: {result.Checked} entr{(result.Checked == 1 ? "y" : "ies")} checked ({table}).");
                }
                else
                {
                    await io.Output.WriteLineAsync($"Audit chain of cluster {name} is BROKEN at sequence {result.BrokenAt}: {result.Problem}. {result.Checked} entr{(result.Checked == 1 ? "y" : "ies")} before it verified ({table}).");
                }

                return result.Intact ? ExitCodes.Success : ExitCodes.Failed;
            });
        });
        return new Command("audit", "The tamper-evident audit log in DynamoDB.") { verify };
    }

    /// <summary>The audit table's name: <c>--table</c>, else the prefix's, else AUDIT_TABLE_NAME, else local up's default.</summary>
    public static string AuditTable(string? table, string? prefix, Func<string, string?> environment) =>
        TableKind.Audit.Resolve(table, prefix, environment);

    /// <summary>A time given on the command line; true with null when none was given.</summary>
    public static bool TryTime(string? text, out DateTimeOffset? instant)
    {
        instant = null;
        if (text is null)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        instant = parsed;
        return true;
    }

    private static Argument<string> ClusterArgument() =>
        CommandSupport.ClusterArgument("The cluster as requests name it (its name or id): the audit log is kept per clusterIdentifier.");

    /// <summary>Checks the cluster, then opens the log in the table the options name (see <see cref="StoreOptions.RunAsync"/>).</summary>
    private static async Task<int> WithAuditLogAsync(ParseResult parse, StoreOptions store, string cluster, InvocationConfiguration io, Func<AuditLog, string, Task<int>> work)
    {
        if (CommandSupport.ClusterProblem(cluster, "cluster") is { } problem)
        {
            return await CommandSupport.UsageAsync(io.Error, problem);
        }

        return await store.RunAsync(parse, context => work(new AuditLog(context.Dynamo, context.Table, TimeProvider.System), context.Table));
    }

    private static JsonNode Json(AuditEntry entry) => new JsonObject
    {
        ["sequence"] = entry.Sequence,
        ["at"] = entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ["eventType"] = entry.EventType,
        ["executionId"] = entry.ExecutionId,
        ["idempotencyKey"] = entry.IdempotencyKey,
        ["actor"] = entry.Actor,
        ["source"] = entry.Source,
        ["reason"] = entry.Reason,
        ["details"] = entry.Details is { } details ? CommandSupport.JsonOrText(details) : null,
        ["hash"] = entry.Hash,
    };
}
