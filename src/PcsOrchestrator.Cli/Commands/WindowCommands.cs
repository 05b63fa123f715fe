using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using PcsOrchestrator.Aws.EventBridgeScheduler;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Adapters;
using PcsOrchestrator.Operations;
using PcsOrchestrator.Persistence;
using Spectre.Console;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>window set|list|show|delete</c>: maintenance windows through <see cref="WindowAdministration"/>, each a
/// definition in the maintenance table and one EventBridge Scheduler schedule named after it that starts the state
/// machine at every opening. The table is found as <c>history</c> finds the audit table (<c>--table</c>,
/// <c>--table-prefix</c>, MAINTENANCE_TABLE_NAME, <c>pcs-orchestrator-maintenance</c>); the schedule's endpoint,
/// target, role and group come from the options or the variables <c>local up</c> prints and the stack outputs give.
/// </summary>
public static class WindowCommands
{
    public const string SchedulerRoleVariable = "PCS_ORCHESTRATOR_SCHEDULER_ROLE_ARN";
    public const string ScheduleGroupVariable = "PCS_ORCHESTRATOR_SCHEDULE_GROUP";

    /// <summary>The stack's own window (template parameters DefaultWindow*): not managed with these commands.</summary>
    public const string StackWindowName = StackDefaults.DefaultWindowName;

    public const int DefaultOccurrences = 5;

    public static Command Create() => new("window", "Maintenance windows: when queued changes of the clusters they cover are applied (one definition in the maintenance table and one EventBridge Scheduler schedule per window).")
    {
        Set(), List(), Show(), Delete(),
    };

    public static Command Set()
    {
        var name = new Argument<string?>("name")
        {
            Description = "The window's name (1 to 64 letters, digits, '-', '_' or '.'; it names the window's schedule). With --file it may be left out: the file's name is used.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var schedule = new Option<string?>("--schedule") { HelpName = "EXPRESSION", Description = "When the window opens, as EventBridge Scheduler expresses it: cron(minutes hours day-of-month month day-of-week year), e.g. \"cron(0 2 ? * SUN *)\" (Sundays 02:00; day-of-week 1-7 = SUN-SAT), rate(value unit) from --anchor, or at(yyyy-mm-ddThh:mm:ss) for one window. Required without --file." };
        var zone = new Option<string?>("--time-zone") { HelpName = "ZONE", Description = "The IANA time zone the expression is in, e.g. Europe/Berlin (default UTC). Openings keep their local time across daylight-saving changes." };
        var duration = new Option<int?>("--duration") { HelpName = "MINUTES", Description = "How long the window stays open, in minutes (1 to 1440). Required without --file." };
        var cutoff = new Option<int?>("--cutoff") { HelpName = "MINUTES", Description = "No update starts in the last MINUTES of the window (default 0; shorter than --duration), so it can finish before the window closes." };
        var clusters = new Option<string[]>("--clusters") { HelpName = "CLUSTERS", Description = "The clusters the window covers, as requests name them (names or ids): a comma list, and the option may be repeated (--clusters a,b --clusters c). At most 40; a cluster belongs to one window only. Required without --file." };
        var defaultApply = new Option<string?>("--default-apply") { HelpName = "now|next-window", Description = "What a request for these clusters that does not say 'apply' does: now, or next-window (queue it for this window). Default: the stack's DefaultApply (next-window unless it was changed)." };
        var drift = new Option<string?>("--drift") { HelpName = "off|report|correct", Description = "What the window does when a cluster's configuration was changed by hand since the orchestrator last applied one: off (default), report (record drift-detected) or correct (record it and restore the last applied configuration)." };
        var anchor = new Option<string?>("--anchor") { HelpName = "TIMESTAMP", Description = "For a rate() schedule: the instant of the first opening (ISO 8601 with a zone, e.g. 2026-12-06T02:00:00+01:00); later ones follow at the rate." };
        var description = new Option<string?>("--description") { HelpName = "TEXT", Description = "A note for operators (at most 512 characters, one line)." };
        var file = new Option<FileInfo?>("--file") { HelpName = "FILE", Description = "The window as a JSON document instead of the flags above: name, schedule, timeZone, durationMinutes, cutoffMinutes, anchor, clusters, defaultApply, drift, description (what window show --output json prints as 'definition')." };
        var expected = new Option<long?>("--expected-version") { HelpName = "N", Description = "Only change the window if it is at this version (window show prints it; 0: only create it, refuse if it exists). Without it, a change made from flags is still refused if someone else changed the window since it was read." };
        var replace = new Option<bool>("--replace") { Description = "The flags are the whole window: a member no flag gives goes back to its default (without it, flags change only what they give of a window that exists, and the rest stays)." };
        var actor = ActorOption("Who makes the change, recorded as the window's 'updated by'");
        var store = new StoreOptions(TableKind.Maintenance);
        var scheduler = new SchedulerOptions();
        var command = new Command("set", "Create a maintenance window, or change one, from flags or a file, and write its EventBridge Scheduler schedule. Flags change only what they give of a window that exists (--replace: they are the whole window); a file is always the whole window. Every problem is reported (naming the flag, or the file's JSON path) and nothing is written. Prints the version, the schedule and the next opening.")
        {
            name, schedule, zone, duration, cutoff, clusters, defaultApply, drift, anchor, description, file, expected, replace, actor,
        };
        store.AddTo(command);
        scheduler.AddTo(command);
        Option[] definitionFlags = [schedule, zone, duration, cutoff, clusters, defaultApply, drift, anchor, description];
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var given = parse.GetValue(name);
            var source = parse.GetValue(file);
            if (source is not null && parse.GetValue(replace))
            {
                return await CommandSupport.UsageAsync(io.Error, "--replace goes with the flags: a --file is always the whole window");
            }

            if (source is not null && definitionFlags.Where(f => parse.GetResult(f) is not null).Select(f => f.Name).ToList() is { Count: > 0 } mixed)
            {
                return await CommandSupport.UsageAsync(io.Error, $"--file and {string.Join(", ", mixed)} both define the window: give the file, or the flags");
            }

            if (source is null && given is null)
            {
                return await CommandSupport.UsageAsync(io.Error, "NAME is required (or give --file with a window that has a name)");
            }

            if (source is { Exists: false })
            {
                return await CommandSupport.UsageAsync(io.Error, $"--file: file '{source.FullName}' does not exist");
            }

            if (parse.GetValue(expected) is < 0)
            {
                return await CommandSupport.UsageAsync(io.Error, "--expected-version must be 0 (the window must not exist) or a version window show printed");
            }

            if (await scheduler.TargetAsync(parse, requireStateMachine: true, requireRole: true) is not { } target)
            {
                return ExitCodes.Usage;
            }

            WindowFlags? flags = source is null ? new WindowFlags
            {
                Schedule = parse.GetValue(schedule),
                TimeZone = parse.GetValue(zone),
                DurationMinutes = parse.GetValue(duration),
                CutoffMinutes = parse.GetValue(cutoff),
                Clusters = parse.GetResult(clusters) is null ? null : parse.GetValue(clusters),
                DefaultApply = parse.GetValue(defaultApply),
                Drift = parse.GetValue(drift),
                Anchor = parse.GetValue(anchor),
                Description = parse.GetValue(description),
            } : null;
            string? fileJson = null;
            if (source is not null)
            {
                (fileJson, given, var conflict) = WindowInput.FromFile(await File.ReadAllTextAsync(source.FullName, cancellationToken), given, source.Name);
                if (conflict is not null)
                {
                    return await CommandSupport.FailAsync(io.Error, conflict + "; nothing was written", ExitCodes.Failed);
                }
            }

            if (given == StackWindowName)
            {
                return await CommandSupport.FailAsync(io.Error, $"'{StackWindowName}' is the stack's own window, set by its template parameters (DefaultWindowSchedule, DefaultWindowTimezone, DefaultWindowDurationMinutes, DefaultWindowCutoffMinutes, DefaultWindowClusters, DefaultWindowDrift): change it with a stack update, or give this window another name; nothing was written", ExitCodes.Failed);
            }

            var who = parse.GetValue(actor) ?? Environment.UserName;
            return await scheduler.RunAsync(parse, store, target, async (windows, context, endpoint, clock) =>
            {
                // Flags change the members they give of a window that exists (the rest stay, and the write is
                // conditional on the version read); --replace and --file define the whole window.
                var expectedVersion = parse.GetValue(expected);
                JsonObject? before = null;
                var json = fileJson;
                if (flags is not null)
                {
                    var stored = parse.GetValue(replace) ? null : await windows.GetAsync(given!, cancellationToken);
                    if (stored is not null)
                    {
                        if (!TryRead(stored, out var current, out var problem))
                        {
                            return await CommandSupport.FailAsync(io.Error, problem + " (or give --replace with the whole window); nothing was written", ExitCodes.Failed);
                        }

                        before = (JsonObject)JsonNode.Parse(current.ToJson())!;
                        expectedVersion ??= stored.Version;
                    }

                    json = (before is null ? WindowInput.FromFlags(given!, flags) : WindowInput.Overlay(before, given!, flags)).ToJsonString();
                }

                var (window, issues) = WindowDefinition.Parse(json!);
                if (window is null)
                {
                    await io.Error.WriteLineAsync($"error: the window is invalid ({CommandSupport.Count(issues.Count, "issue", "issues")}{(source is null ? string.Empty : $" in {source.Name}")}); nothing was written:");
                    foreach (var issue in issues)
                    {
                        await io.Error.WriteLineAsync("  " + (source is null ? WindowInput.DescribeFlagIssue(issue) : issue.ToString()));
                    }

                    return ExitCodes.Failed;
                }

                WindowRecord record;
                try
                {
                    record = await windows.SetAsync(window, expectedVersion, who, cancellationToken);
                }
                catch (Exception ex) when (ex is ClusterInAnotherWindowException or WindowVersionConflictException)
                {
                    return await CommandSupport.FailAsync(io.Error, ex.Message + "; nothing was written", ExitCodes.Failed);
                }
                catch (SchedulerException ex)
                {
                    return await CommandSupport.FailAsync(io.Error,
                        $"maintenance window '{window.Name}' was stored in {context.Table}, but its EventBridge Scheduler schedule could not be written at {endpoint} ({ex.ErrorCode}: {ex.Message}); until it is, the window does not open: run window set {window.Name} again (window show reports the difference)",
                        SchedulerOptions.ExitFor(ex));
                }

                var now = clock.GetUtcNow();
                var report = Report(window, record, target, now);
                var changed = before is null ? null : WindowInput.Differences(before, (JsonObject)JsonNode.Parse(window.ToJson())!);
                if (store.Json(parse))
                {
                    report["changed"] = changed is null ? null : new JsonArray([.. changed.Select(c => (JsonNode)c)]);
                    await io.Output.WriteLineAsync(report.ToJsonString());
                    return ExitCodes.Success;
                }

                await io.Output.WriteLineAsync($"Maintenance window {window.Name} set: version {record.Version} in {context.Table}.");
                if (changed is not null)
                {
                    await io.Output.WriteLineAsync($"  {"Changed:",-15}{(changed.Count == 0 ? "nothing (the definition and its schedule were written again)" : string.Join("; ", changed))}");
                }

                await DescribeAsync(io.Output, window, now, openSince: null);
                await io.Output.WriteLineAsync($"  {"Scheduler:",-15}schedule {window.Name} in group {target.GroupName ?? "default"} starts {target.StateMachineArn} (role {target.RoleArn})");
                return ExitCodes.Success;
            });
        });
        return command;
    }

    public static Command List()
    {
        var store = new StoreOptions(TableKind.Maintenance);
        var command = new Command("list", "List the maintenance windows: name, schedule, time zone, duration, cutoff, clusters, next opening (UTC) and version.");
        store.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var clock = CommandSupport.Clock(Environment.GetEnvironmentVariable);
            return await store.RunAsync(parse, async context =>
            {
                var records = await new MaintenanceStore(context.Dynamo, context.Table, clock).ListWindowsAsync(cancellationToken);
                var now = clock.GetUtcNow();
                var windows = new List<(WindowRecord Record, WindowDefinition Definition)>();
                foreach (var record in records)
                {
                    if (!TryRead(record, out var definition, out var problem))
                    {
                        return await CommandSupport.FailAsync(io.Error, problem, ExitCodes.Failed);
                    }

                    windows.Add((record, definition));
                }

                if (store.Json(parse))
                {
                    await io.Output.WriteLineAsync(new JsonObject
                    {
                        ["table"] = context.Table,
                        ["windows"] = new JsonArray([.. windows.Select(w => (JsonNode)Report(w.Definition, w.Record, null, now))]),
                    }.ToJsonString());
                    return ExitCodes.Success;
                }

                if (windows.Count == 0)
                {
                    await io.Output.WriteLineAsync($"No maintenance windows in {context.Table}.");
                    return ExitCodes.Success;
                }

                var console = CommandSupport.Console(io.Output);
                var grid = new Table().AddColumns("Name", "Schedule", "Time zone", "Duration", "Cutoff", "Clusters", "Next opening (UTC)", "Version");
                foreach (var (record, definition) in windows)
                {
                    var schedule = definition.Schedule;
                    grid.AddRow(
                        Markup.Escape(definition.Name),
                        Markup.Escape(schedule.Expression),
                        Markup.Escape(schedule.Zone.Id),
                        Minutes(schedule.Duration),
                        Minutes(schedule.Cutoff),
                        Markup.Escape(string.Join(", ", definition.Clusters)),
                        NextOpening(schedule, now) is { Start: { } start } ? CommandSupport.Utc(start) : "-",
                        record.Version.ToString(CultureInfo.InvariantCulture));
                }

                console.Write(grid);
                console.MarkupLine(Markup.Escape($"{CommandSupport.Count(windows.Count, "maintenance window", "maintenance windows")} in {context.Table}."));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    public static Command Show()
    {
        var next = new Option<int>("--next") { HelpName = "N", Description = "How many openings to list (0 to 100).", DefaultValueFactory = _ => DefaultOccurrences };
        var (command, name, store, scheduler) = NamedWindowCommand("show", "Show a maintenance window: its definition, version, the next openings (start, latest start for an update, end; in UTC and the window's zone, with the offset), whether its EventBridge Scheduler schedule exists and matches, and the changes queued per cluster. Exit 1 when it does not exist.", next);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var window = parse.GetValue(name)!;
            if (parse.GetValue(next) is < 0 or > 100)
            {
                return await CommandSupport.UsageAsync(io.Error, "--next must be between 0 and 100");
            }

            // The role is not part of the comparison: show needs the state machine only.
            if (await scheduler.TargetAsync(parse, requireStateMachine: true, requireRole: false) is not { } target)
            {
                return ExitCodes.Usage;
            }

            return await scheduler.RunAsync(parse, store, target, async (windows, context, endpoint, clock) =>
            {
                WindowStatus? status;
                try
                {
                    status = await windows.ShowAsync(window, parse.GetValue(next), cancellationToken);
                }
                catch (SchedulerException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, $"the schedule of maintenance window '{window}' could not be read from EventBridge Scheduler at {endpoint} ({ex.ErrorCode}): {ex.Message}", SchedulerOptions.ExitFor(ex));
                }
                catch (InvalidOperationException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, ex.Message, ExitCodes.Failed);
                }

                if (status is null)
                {
                    return await CommandSupport.FailAsync(io.Error, $"maintenance window '{window}' does not exist in {context.Table} (window list shows those that do)", ExitCodes.Failed);
                }

                var now = clock.GetUtcNow();
                var definition = status.Definition;
                var zone = definition.Schedule.Zone;
                if (store.Json(parse))
                {
                    var report = Report(definition, status.Record, target, now);
                    report["occurrences"] = new JsonArray([.. status.Next.Select(o => (JsonNode)Occurrence(o, zone))]);
                    report["schedule"]!["exists"] = status.Schedule.Exists;
                    report["schedule"]!["matches"] = status.Schedule.Matches;
                    report["schedule"]!["arn"] = status.Schedule.Arn;
                    report["schedule"]!["state"] = status.Schedule.State;
                    report["schedule"]!["differences"] = new JsonArray([.. status.Schedule.Differences.Select(d => (JsonNode)d)]);
                    report["pending"] = new JsonObject([.. status.PendingByCluster.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]);
                    await io.Output.WriteLineAsync(report.ToJsonString());
                    return ExitCodes.Success;
                }

                var record = status.Record;
                await io.Output.WriteLineAsync($"Maintenance window {definition.Name}: version {record.Version}, updated {CommandSupport.Utc(record.UpdatedAt)}{(record.UpdatedBy is { } by ? " by " + by : string.Empty)} ({context.Table}).");
                await DescribeAsync(io.Output, definition, now, openSince: record.UpdatedAt);
                var console = CommandSupport.Console(io.Output);
                console.Profile.Width = Math.Max(console.Profile.Width, 160);
                if (status.Next.Count > 0)
                {
                    var local = zone.Id;
                    var grid = new Table().AddColumns("#", "Start (UTC)", $"Start ({local})", "Latest start (UTC)", $"Latest start ({local})", "End (UTC)", $"End ({local})");
                    var index = 0;
                    foreach (var occurrence in status.Next)
                    {
                        var start = occurrence.Start!.Value;
                        grid.AddRow(
                            (++index).ToString(CultureInfo.InvariantCulture),
                            Bare(start), CommandSupport.Local(start, zone),
                            Bare(occurrence.LatestStart), CommandSupport.Local(occurrence.LatestStart, zone),
                            Bare(occurrence.End), CommandSupport.Local(occurrence.End, zone));
                    }

                    await io.Output.WriteLineAsync($"Next {CommandSupport.Count(status.Next.Count, "opening", "openings")} (an update starts no later than the latest start):");
                    console.Write(grid);
                }
                else if (parse.GetValue(next) > 0)
                {
                    await io.Output.WriteLineAsync("No further openings: the schedule has none after now.");
                }

                var check = status.Schedule;
                var group = target.GroupName ?? "default";
                await io.Output.WriteLineAsync(!check.Exists
                    ? $"Schedule: MISSING in group {group} at {endpoint}: {string.Join("; ", check.Differences)}."
                    : check.Matches
                        ? $"Schedule: {check.Arn} is {check.State ?? ScheduleStates.Enabled} and matches the definition."
                        : $"Schedule: {check.Arn} DIFFERS from the definition: {string.Join("; ", check.Differences)} (window set {definition.Name}, with no other flag, writes it again).");
                var pending = status.PendingByCluster;
                await io.Output.WriteLineAsync($"Pending changes: {string.Join(", ", pending.Select(p => $"{p.Key} {p.Value}"))} ({CommandSupport.Count(pending.Values.Sum(), "change", "changes")}; queue list CLUSTER shows them).");
                return ExitCodes.Success;
            });
        });
        return command;
    }

    public static Command Delete()
    {
        var force = new Option<bool>("--force") { Description = "Delete it even though changes are queued for its clusters: they stay pending until a window covers their cluster again." };
        var (command, name, store, scheduler) = NamedWindowCommand("delete", "Delete a maintenance window and its EventBridge Scheduler schedule. Refused (exit 1, with the pending count per cluster) while changes are queued for its clusters, unless --force; exit 1 when it does not exist.", force);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            var window = parse.GetValue(name)!;

            // Deleting names the schedule only: the target and role are not needed.
            if (await scheduler.TargetAsync(parse, requireStateMachine: false, requireRole: false) is not { } target)
            {
                return ExitCodes.Usage;
            }

            return await scheduler.RunAsync(parse, store, target, async (windows, context, endpoint, _) =>
            {
                var forced = parse.GetValue(force);
                bool deleted;
                IReadOnlyDictionary<string, int>? pending = null;
                try
                {
                    if (forced)
                    {
                        pending = (await windows.ShowAsync(window, 0, cancellationToken))?.PendingByCluster;
                    }

                    deleted = await windows.DeleteAsync(window, forced, cancellationToken);
                }
                catch (WindowInUseException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, ex.Message + "; nothing was deleted", ExitCodes.Failed);
                }
                catch (SchedulerException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, $"the schedule of maintenance window '{window}' could not be deleted at {endpoint} ({ex.ErrorCode}): {ex.Message}; the window itself was not deleted", SchedulerOptions.ExitFor(ex));
                }
                catch (WindowVersionConflictException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, $"{ex.Message} (it changed while it was being deleted; its schedule is already gone: run window set to restore it, or delete again)", ExitCodes.Failed);
                }
                catch (InvalidOperationException ex)
                {
                    return await CommandSupport.FailAsync(io.Error, ex.Message, ExitCodes.Failed);
                }

                if (!deleted)
                {
                    return await CommandSupport.FailAsync(io.Error, $"maintenance window '{window}' does not exist in {context.Table}: nothing was deleted", ExitCodes.Failed);
                }

                var left = pending?.Where(p => p.Value > 0).ToList() ?? [];
                if (store.Json(parse))
                {
                    await io.Output.WriteLineAsync(new JsonObject
                    {
                        ["name"] = window,
                        ["deleted"] = true,
                        ["pending"] = new JsonObject([.. left.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
                    }.ToJsonString());
                }
                else
                {
                    await io.Output.WriteLineAsync($"Deleted maintenance window {window} and its EventBridge Scheduler schedule (group {target.GroupName ?? "default"})." + (left.Count == 0
                        ? string.Empty
                        : $" {CommandSupport.Count(left.Sum(p => p.Value), "queued change stays", "queued changes stay")} pending ({string.Join(", ", left.Select(p => $"{p.Key}: {p.Value}"))}) until a window covers their cluster again."));
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>The option naming who acts (default: the user running the command).</summary>
    internal static Option<string?> ActorOption(string what) =>
        new("--actor") { Description = $"{what} (default: the operating system's user name).", HelpName = "NAME" };

    /// <summary>
    /// A window as one JSON document: its definition (the document window set --file reads), version, who changed it
    /// last and when, its next opening, and (given the target) where its schedule is.
    /// </summary>
    private static JsonObject Report(WindowDefinition window, WindowRecord record, ScheduleTarget? target, DateTimeOffset now)
    {
        var report = new JsonObject
        {
            ["name"] = window.Name,
            ["version"] = record.Version,
            ["updatedAt"] = CommandSupport.Iso(record.UpdatedAt),
            ["updatedBy"] = record.UpdatedBy,
            ["definition"] = JsonNode.Parse(window.ToJson()),
            ["nextOpening"] = NextOpening(window.Schedule, now) is { } next ? Occurrence(next, window.Schedule.Zone) : null,
        };
        if (target is not null)
        {
            report["schedule"] = new JsonObject
            {
                ["name"] = window.Name,
                ["group"] = target.GroupName,
                ["stateMachineArn"] = target.StateMachineArn,
                ["roleArn"] = target.RoleArn.Length == 0 ? null : target.RoleArn,
            };
        }

        return report;
    }

    private static JsonObject Occurrence(MaintenanceWindow occurrence, TimeZoneInfo zone) => new()
    {
        ["start"] = CommandSupport.Iso(occurrence.Start!.Value),
        ["latestStart"] = CommandSupport.Iso(occurrence.LatestStart),
        ["end"] = CommandSupport.Iso(occurrence.End),
        ["startLocal"] = LocalIso(occurrence.Start!.Value, zone),
        ["latestStartLocal"] = LocalIso(occurrence.LatestStart, zone),
        ["endLocal"] = LocalIso(occurrence.End, zone),
    };

    /// <summary>
    /// The definition as operators read it, one line a field. An opening under way is shown by <c>show</c> only (with
    /// <paramref name="openSince"/>, when the window was last set): a schedule written during an opening starts with
    /// the next one, never the one already under way.
    /// </summary>
    private static async Task DescribeAsync(TextWriter output, WindowDefinition window, DateTimeOffset now, DateTimeOffset? openSince)
    {
        var schedule = window.Schedule;
        var lines = new List<(string Field, string Value)>
        {
            ("Schedule", $"{schedule.Expression} in {schedule.Zone.Id}{(schedule.Anchor is { } a ? $", from {CommandSupport.Utc(a)}" : string.Empty)}"),
            ("Duration", $"{Minutes(schedule.Duration)} min, cutoff {Minutes(schedule.Cutoff)} min (an update starts at the latest {Minutes(schedule.Duration - schedule.Cutoff)} min after the opening)"),
            ("Clusters", string.Join(", ", window.Clusters)),
            ("Default apply", window.DefaultApply is { } apply ? apply.ToWire() : "the stack's (template parameter DefaultApply)"),
            ("Drift", window.Drift.ToWire()),
        };
        if (window.Description is { } description)
        {
            lines.Add(("Description", description));
        }

        if (openSince is { } set && schedule.OpenAt(now) is { } open)
        {
            lines.Add(("Open now", $"until {CommandSupport.Utc(open.End)} ({CommandSupport.Local(open.End, schedule.Zone)}); updates may start until {CommandSupport.Utc(open.LatestStart)}"
                + (set > open.Start ? "; the window was set after this opening began, so its schedule starts the next one" : string.Empty)));
        }

        lines.Add(("Next opening", NextOpening(schedule, now) is { Start: { } start }
            ? $"{CommandSupport.Utc(start)} ({CommandSupport.Local(start, schedule.Zone)} {schedule.Zone.Id})"
            : "none: the schedule has no further opening"));
        foreach (var (field, value) in lines)
        {
            await output.WriteLineAsync($"  {field + ":",-15}{value}");
        }
    }

    /// <summary>The next opening after <paramref name="now"/> (a window open now is not its next opening).</summary>
    private static MaintenanceWindow? NextOpening(WindowSchedule schedule, DateTimeOffset now) =>
        schedule.Occurrences(now, 2).FirstOrDefault(w => w.Start > now);

    private static bool TryRead(WindowRecord record, out WindowDefinition definition, out string problem)
    {
        try
        {
            definition = WindowAdministration.Read(record);
            problem = string.Empty;
            return true;
        }
        catch (InvalidOperationException ex)
        {
            definition = null!;
            problem = ex.Message;
            return false;
        }
    }

    private static string Minutes(TimeSpan span) => ((int)span.TotalMinutes).ToString(CultureInfo.InvariantCulture);

    private static string Bare(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string LocalIso(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A command on one stored window: its name, its own option, then the table and schedule options.</summary>
    private static (Command Command, Argument<string> Name, StoreOptions Store, SchedulerOptions Scheduler) NamedWindowCommand(string verb, string description, Option option)
    {
        var name = new Argument<string>("name") { Description = "The window's name." };
        var command = new Command(verb, description) { name, option };
        var store = new StoreOptions(TableKind.Maintenance);
        var scheduler = new SchedulerOptions();
        store.AddTo(command);
        scheduler.AddTo(command);
        return (command, name, store, scheduler);
    }
}

/// <summary>
/// Where windows' schedules live and what they start: <c>--scheduler-endpoint</c> (else AWS_ENDPOINT_URL_SCHEDULER,
/// AWS_ENDPOINT_URL, the region's), <c>--state-machine-arn</c>, <c>--scheduler-role-arn</c> and
/// <c>--schedule-group</c>, each else its variable (<c>local up</c> prints them; a deployed stack's outputs give them).
/// </summary>
internal sealed class SchedulerOptions
{
    public Option<string?> Endpoint { get; } = new("--scheduler-endpoint") { Description = "The EventBridge Scheduler endpoint (default: AWS_ENDPOINT_URL_SCHEDULER, AWS_ENDPOINT_URL, else the region's); local up prints it as 'scheduler'." };

    public Option<string?> StateMachine { get; } = new("--state-machine-arn") { Description = $"The state machine a window's schedule starts (default: ${ExecutionCommands.StateMachineVariable}; the stack's StateMachineArn output)." };

    public Option<string?> Role { get; } = new("--scheduler-role-arn") { Description = $"The role EventBridge Scheduler assumes to start it (default: ${WindowCommands.SchedulerRoleVariable}; the stack's SchedulerRoleArn output)." };

    public Option<string?> Group { get; } = new("--schedule-group") { Description = $"The schedule group of the windows' schedules (default: ${WindowCommands.ScheduleGroupVariable}, else the 'default' group; the stack's ScheduleGroupName output)." };

    /// <summary>No answer or a 5xx is something that could not be reached (3); a refusal is a failed request (1).</summary>
    public static int ExitFor(SchedulerException exception) =>
        exception.ErrorCode == SchedulerException.Unreachable || (int)exception.StatusCode >= 500 ? ExitCodes.Environment : ExitCodes.Failed;

    public void AddTo(Command command)
    {
        command.Options.Add(Endpoint);
        command.Options.Add(StateMachine);
        command.Options.Add(Role);
        command.Options.Add(Group);
    }

    /// <summary>The schedule's target from the options and variables; null after an <c>error:</c> line naming what is missing.</summary>
    public async Task<ScheduleTarget?> TargetAsync(ParseResult parse, bool requireStateMachine, bool requireRole)
    {
        var error = parse.InvocationConfiguration.Error;
        if (!CommandSupport.TryHttpUrl(parse.GetValue(Endpoint), out _))
        {
            await CommandSupport.UsageAsync(error, $"--scheduler-endpoint: '{parse.GetValue(Endpoint)}' is not an http(s) URL");
            return null;
        }

        var environment = (Func<string, string?>)Environment.GetEnvironmentVariable;
        var stateMachine = parse.GetValue(StateMachine) ?? CommandSupport.Configured(environment, ExecutionCommands.StateMachineVariable);
        if (stateMachine is null && requireStateMachine)
        {
            await CommandSupport.UsageAsync(error, $"--state-machine-arn is required (or set {ExecutionCommands.StateMachineVariable}): the state machine the window's schedule starts");
            return null;
        }

        var role = parse.GetValue(Role) ?? CommandSupport.Configured(environment, WindowCommands.SchedulerRoleVariable);
        if (role is null && requireRole)
        {
            await CommandSupport.UsageAsync(error, $"--scheduler-role-arn is required (or set {WindowCommands.SchedulerRoleVariable}): the role EventBridge Scheduler assumes to start the state machine");
            return null;
        }

        return new ScheduleTarget(stateMachine ?? string.Empty, role ?? string.Empty, parse.GetValue(Group) ?? CommandSupport.Configured(environment, WindowCommands.ScheduleGroupVariable));
    }

    /// <summary>
    /// Opens DynamoDB (through <paramref name="store"/>) and EventBridge Scheduler and runs <paramref name="work"/> with
    /// the window service on the commands' clock; a client that cannot be made (credentials, a bad endpoint variable) is exit 3.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, StoreOptions store, ScheduleTarget target, Func<WindowAdministration, StoreContext, Uri, TimeProvider, Task<int>> work)
    {
        var error = parse.InvocationConfiguration.Error;
        CommandSupport.TryHttpUrl(parse.GetValue(Endpoint), out var url);
        var clock = CommandSupport.Clock(Environment.GetEnvironmentVariable);
        return await store.RunAsync(parse, async context =>
        {
            SchedulerClient client;
            try
            {
                client = new SchedulerClient(new SchedulerClientOptions { Endpoint = url, Region = parse.GetValue(store.Region) });
            }
            catch (AmazonClientException ex)
            {
                return await CommandSupport.FailAsync(error, $"the EventBridge Scheduler client could not be configured (region or credentials): {ex.Message}", ExitCodes.Environment);
            }
            catch (UriFormatException ex)
            {
                return await CommandSupport.FailAsync(error, $"AWS_ENDPOINT_URL_SCHEDULER / AWS_ENDPOINT_URL is not a URL ({ex.Message}); give --scheduler-endpoint or fix the variable", ExitCodes.Environment);
            }

            using (client)
            {
                var windows = new WindowAdministration(new MaintenanceStore(context.Dynamo, context.Table, clock), client, target, clock);
                return await work(windows, context, client.Endpoint, clock);
            }
        });
    }
}
