using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Validation;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Adapters;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>plan</c>: what a request would change on a cluster. Reads the cluster with GetCluster through the project's PCS
/// client and plans with the domain <see cref="Planner"/> exactly as the workflow's Plan step does; calls nothing that
/// changes anything.
/// </summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var cluster = new Option<string?>("--cluster") { Description = "The cluster's name or id (default: the request's clusterIdentifier; required for a bare slurmConfiguration file)." };
        var config = new Option<FileInfo>("--config")
        {
            Description = "A request as the workflow accepts it (direct, EventBridge event or scheduler input; see events/), or a bare slurmConfiguration object (UpdateCluster's shape, merged into the current settings).",
            Required = true,
        };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "The PCS endpoint (default: AWS_ENDPOINT_URL_PCS, AWS_ENDPOINT_URL, else the region's)." };
        var region = CommandSupport.RegionOption();
        var output = CommandSupport.OutputOption();
        var command = new Command("plan", "Show the change set a request would apply to a cluster's live configuration (GetCluster only: nothing is changed). Exit 0 with or without changes, 1 when the file is invalid or the cluster cannot be read.")
        {
            cluster, config, endpoint, region, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                return await CommandSupport.UsageAsync(io.Error, $"--config: file '{file.FullName}' does not exist");
            }

            if (!CommandSupport.TryHttpUrl(parse.GetValue(endpoint), out var url))
            {
                return await CommandSupport.UsageAsync(io.Error, $"--endpoint-url: '{parse.GetValue(endpoint)}' is not an http(s) URL");
            }

            var target = parse.GetValue(cluster);
            if (target is not null)
            {
                var issues = new IssueCollector();
                RequestValidator.ValidateCluster(target, "--cluster", issues);
                if (issues.HasIssues)
                {
                    return await CommandSupport.UsageAsync(io.Error, $"--cluster: '{target}' {issues.Issues[0].Message}");
                }
            }

            var now = DateTimeOffset.UtcNow;
            var desired = DesiredChange.Read(await File.ReadAllTextAsync(file.FullName, cancellationToken), now);
            if (!desired.Valid)
            {
                await io.Error.WriteLineAsync($"error: {file.Name} is invalid ({desired.Issues.Count} issue{(desired.Issues.Count == 1 ? string.Empty : "s")}); nothing was read from PCS:");
                foreach (var issue in desired.Issues)
                {
                    await io.Error.WriteLineAsync($"  {issue}");
                }

                return ExitCodes.Failed;
            }

            target ??= desired.ClusterIdentifier;
            if (target is null)
            {
                return await CommandSupport.UsageAsync(io.Error, $"--cluster is required: {file.Name} is a bare slurmConfiguration and names no cluster");
            }

            var (live, failure) = await ReadClusterAsync(url, parse.GetValue(region), target, io.Error, cancellationToken);
            if (live is null)
            {
                return failure;
            }

            if (desired.ClusterIdentifier is { } named && named != live.Name && named != live.Id)
            {
                return await CommandSupport.FailAsync(io.Error, $"{file.Name}: clusterIdentifier '{named}' is not the cluster --cluster names ('{target}': {live.Name}, {live.Id}) [conflict]", ExitCodes.Failed);
            }

            var view = PcsGateway.ToView(live);
            var plan = Planner.Plan(view.Configuration, desired.Change, desired.Options);
            var window = desired.Window is null
                ? null
                : MaintenanceWindowGuard.Evaluate(now, desired.Window, desired.Options.ExpectedUpdateMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
            var report = Report(target, view.Id, view.Name, view.Status, plan, window);
            if (parse.GetValue(output) == "json")
            {
                await io.Output.WriteLineAsync(report.ToJsonString());
            }
            else
            {
                Print(CommandSupport.Console(io.Output), report, plan);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// GetCluster through the project's PCS client (endpoint: the URL given, else AWS_ENDPOINT_URL_PCS /
    /// AWS_ENDPOINT_URL, else the region's); a failure is printed and comes back as the exit code.
    /// </summary>
    public static async Task<(Cluster? Live, int Exit)> ReadClusterAsync(Uri? url, string? region, string target, TextWriter error, CancellationToken cancellationToken)
    {
        PcsClient client;
        try
        {
            client = new PcsClient(new PcsClientOptions { Endpoint = url, Region = region });
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            return (null, await CommandSupport.FailAsync(error, $"AWS credentials or region: {ex.Message}", ExitCodes.Environment));
        }
        catch (UriFormatException ex)
        {
            return (null, await CommandSupport.FailAsync(error, $"AWS_ENDPOINT_URL_PCS / AWS_ENDPOINT_URL is not a URL ({ex.Message}); give --endpoint-url or fix the variable", ExitCodes.Environment));
        }

        using (client)
        {
            try
            {
                return (await client.GetClusterAsync(target, cancellationToken), ExitCodes.Success);
            }
            catch (PcsResourceNotFoundException ex)
            {
                return (null, await CommandSupport.FailAsync(error, $"PCS has no cluster '{target}' at {client.Endpoint} (ResourceNotFoundException: {ex.Message})", ExitCodes.Failed));
            }
            catch (PcsTransientException ex)
            {
                return (null, await CommandSupport.FailAsync(error, $"PCS at {client.Endpoint} could not be reached: {ex.Message}", ExitCodes.Environment));
            }
            catch (PcsServiceException ex)
            {
                return (null, await CommandSupport.FailAsync(error, $"PCS refused GetCluster for '{target}' ({ex.ErrorCode}): {ex.Message}", ExitCodes.Failed));
            }
            catch (Amazon.Runtime.AmazonClientException ex)
            {
                return (null, await CommandSupport.FailAsync(error, $"AWS credentials or region: {ex.Message}", ExitCodes.Environment));
            }
        }
    }

    /// <summary>The plan as one JSON document: the cluster, the change set, the UpdateCluster payload, the window's verdict.</summary>
    public static JsonObject Report(string identifier, string id, string name, string status, UpdatePlan plan, WindowDecision? window)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new JsonObject
        {
            ["cluster"] = new JsonObject { ["identifier"] = identifier, ["id"] = id, ["name"] = name, ["status"] = status },
            ["noChange"] = plan.IsNoOp,
            ["changes"] = new JsonArray([.. plan.Changes.Select(c => (JsonNode)new JsonObject
            {
                ["path"] = c.Path,
                ["before"] = c.Current,
                ["after"] = c.Desired,
                ["action"] = Action(c),
            })]),
            ["payload"] = plan.IsNoOp ? null : JsonNode.Parse(RequestWriter.WriteConfiguration(plan.Payload)),
            ["window"] = window is null ? null : new JsonObject { ["proceed"] = window.Proceed, ["reason"] = window.Reason },
        };
    }

    /// <summary>add (a setting the cluster lacks), remove (a setting the plan drops), change (a value that differs).</summary>
    public static string Action(ConfigurationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Current is null ? "add" : change.Desired is null ? "remove" : "change";
    }

    internal static void Print(IAnsiConsole console, JsonObject report, UpdatePlan plan)
    {
        var cluster = report["cluster"]!;
        console.MarkupLine($"Cluster [bold]{Markup.Escape(cluster["name"]!.GetValue<string>())}[/] ({Markup.Escape(cluster["id"]!.GetValue<string>())}) is {Markup.Escape(cluster["status"]!.GetValue<string>())}.");
        if (plan.IsNoOp)
        {
            console.MarkupLine("No change: the cluster already has the requested configuration.");
        }
        else
        {
            var table = new Table().AddColumns("Field / setting", "Before", "After", "Action");
            foreach (var change in plan.Changes)
            {
                table.AddRow(Markup.Escape(change.Path), Markup.Escape(change.Current ?? "(absent)"), Markup.Escape(change.Desired ?? "(removed)"), Action(change));
            }

            console.Write(table);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{plan.Changes.Count} change{(plan.Changes.Count == 1 ? string.Empty : "s")} planned; nothing was changed."));
        }

        if (report["window"] is { } window)
        {
            console.MarkupLine(window["proceed"]!.GetValue<bool>()
                ? "Maintenance window: an update could start now."
                : $"Maintenance window: {Markup.Escape(window["reason"]!.GetValue<string>())}");
        }
    }
}
