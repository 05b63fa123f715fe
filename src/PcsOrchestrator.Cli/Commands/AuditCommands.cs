using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PcsOrchestrator.Domain.Validation;
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
    public const string DefaultTablePrefix = "pcs-orchestrator";

    private const string TableHelp =
        "The audit table's name. Without it: <prefix>-audit when --table-prefix is given, else $" + TableNames.AuditVariable +
        " (what the functions read), else " + DefaultTablePrefix + "-audit (the name local up gives it). For a deployed stack: its AuditTableName output.";

    public static Command History()
    {
        var cluster = ClusterArgument();
        var limit = new Option<int>("--limit") { Description = "At most this many entries, newest first.", DefaultValueFactory = _ => 50 };
        var from = new Option<string?>("--from") { Description = "Only entries at or after this time (ISO 8601, e.g. 2026-11-24 or 2026-11-24T22:00:00Z; UTC unless an offset is given)." };
        var to = new Option<string?>("--to") { Description = "Only entries at or before this time (ISO 8601)." };
        var store = new StoreOptions();
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
                            Markup.Escape(ShortExecution(entry.ExecutionId)),
                            Markup.Escape(string.Join(" / ", new[] { entry.Actor, entry.Source }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } who ? who : "-"),
                            Markup.Escape(entry.Reason ?? string.Empty));
                    }

                    console.Write(grid);
                    console.MarkupLine(Markup.Escape($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")} of cluster {name} in {table}{(more ? $"; older entries exist (raise --limit above {max})" : string.Empty)}."));
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    public static Command Audit()
    {
        var cluster = ClusterArgument();
        var store = new StoreOptions();
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
            }, cancellationToken);
        });
        return new Command("audit", "The tamper-evident audit log in DynamoDB.") { verify };
    }

    /// <summary>The audit table's name: <c>--table</c>, else the prefix's, else AUDIT_TABLE_NAME, else local up's default.</summary>
    public static string AuditTable(string? table, string? prefix, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return table
            ?? (prefix is not null ? TableNames.WithPrefix(prefix).Audit : null)
            ?? (environment(TableNames.AuditVariable) is { Length: > 0 } configured ? configured : null)
            ?? TableNames.WithPrefix(DefaultTablePrefix).Audit;
    }

    /// <summary>
    /// A DynamoDB client: the endpoint given, else AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL (as the functions
    /// resolve it), else the region's; credentials from the SDK's default chain.
    /// </summary>
    public static AmazonDynamoDBClient DynamoClient(Uri? endpoint, string? region, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var config = new AmazonDynamoDBConfig();
        var configured = endpoint?.ToString() ?? Configured(environment, "AWS_ENDPOINT_URL_DYNAMODB") ?? Configured(environment, "AWS_ENDPOINT_URL");
        if (configured is not null)
        {
            config.ServiceURL = configured;
            config.AuthenticationRegion = region ?? Configured(environment, "AWS_REGION") ?? Configured(environment, "AWS_DEFAULT_REGION") ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonDynamoDBClient(config);
    }

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

    private static string? Configured(Func<string, string?> environment, string name) => environment(name) is { Length: > 0 } value ? value : null;

    private static Argument<string> ClusterArgument() =>
        new("cluster") { Description = "The cluster as requests name it (its name or id): the audit log is kept per clusterIdentifier." };

    /// <summary>Validates the shared options, opens the log and maps DynamoDB's failures to exit codes.</summary>
    private static async Task<int> WithAuditLogAsync(ParseResult parse, StoreOptions store, string cluster, InvocationConfiguration io, Func<AuditLog, string, Task<int>> work, CancellationToken cancellationToken)
    {
        var issues = new IssueCollector();
        RequestValidator.ValidateCluster(cluster, "cluster", issues);
        if (issues.HasIssues)
        {
            return await CommandSupport.UsageAsync(io.Error, $"cluster: '{cluster}' {issues.Issues[0].Message}");
        }

        if (parse.GetValue(store.Table) is not null && parse.GetValue(store.Prefix) is not null)
        {
            return await CommandSupport.UsageAsync(io.Error, "--table and --table-prefix name the same table: give one of them");
        }

        if (!CommandSupport.TryHttpUrl(parse.GetValue(store.Endpoint), out var endpoint))
        {
            return await CommandSupport.UsageAsync(io.Error, $"--dynamodb-endpoint: '{parse.GetValue(store.Endpoint)}' is not an http(s) URL");
        }

        var table = AuditTable(parse.GetValue(store.Table), parse.GetValue(store.Prefix), Environment.GetEnvironmentVariable);
        AmazonDynamoDBClient dynamo;
        try
        {
            dynamo = DynamoClient(endpoint, parse.GetValue(store.Region), Environment.GetEnvironmentVariable);
        }
        catch (AmazonClientException ex)
        {
            return await CommandSupport.FailAsync(io.Error, $"the DynamoDB client could not be configured (endpoint, region or credentials): {ex.Message}", ExitCodes.Environment);
        }

        using (dynamo)
        {
            var where = dynamo.Config.ServiceURL ?? $"the endpoint of region {dynamo.Config.RegionEndpoint?.SystemName ?? "(unresolved)"}";
            try
            {
                return await work(new AuditLog(dynamo, table, TimeProvider.System), table);
            }
            catch (ResourceNotFoundException)
            {
                return await CommandSupport.FailAsync(io.Error, $"the audit table '{table}' does not exist at {where} (choose it with --table, --table-prefix or {TableNames.AuditVariable})", ExitCodes.Environment);
            }
            catch (AmazonServiceException ex) when ((int)ex.StatusCode is > 0 and < 500)
            {
                return await CommandSupport.FailAsync(io.Error, $"DynamoDB at {where} refused to read '{table}' ({ex.ErrorCode}): {ex.Message}", ExitCodes.Failed);
            }
            catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or HttpRequestException or System.Net.Sockets.SocketException)
            {
                return await CommandSupport.FailAsync(io.Error, $"DynamoDB at {where} could not be reached or used: {ex.Message}", ExitCodes.Environment);
            }
        }
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
        ["details"] = Details(entry.Details),
        ["hash"] = entry.Hash,
    };

    private static JsonNode? Details(string? details)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(details);
        }
        catch (JsonException)
        {
            return details;
        }
    }

    /// <summary>An execution ARN shortened to its name (the part after the last colon) for the table; JSON keeps it whole.</summary>
    private static string ShortExecution(string executionId) =>
        executionId.StartsWith("arn:", StringComparison.Ordinal) ? executionId[(executionId.LastIndexOf(':') + 1)..] : executionId;

    /// <summary>Where the audit table is: the options <c>history</c> and <c>audit verify</c> share.</summary>
    private sealed class StoreOptions
    {
        public Option<string?> Table { get; } = new("--table") { Description = TableHelp };

        public Option<string?> Prefix { get; } = new("--table-prefix") { Description = "The prefix of the stack's tables, as given to local up --table-prefix: the audit table is <prefix>-audit." };

        public Option<string?> Endpoint { get; } = new("--dynamodb-endpoint") { Description = "The DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the region's); local up prints it as 'dynamodb'." };

        public Option<string?> Region { get; } = CommandSupport.RegionOption();

        public Option<string> Output { get; } = CommandSupport.OutputOption();

        public void AddTo(Command command)
        {
            command.Options.Add(Table);
            command.Options.Add(Prefix);
            command.Options.Add(Endpoint);
            command.Options.Add(Region);
            command.Options.Add(Output);
        }
    }
}
