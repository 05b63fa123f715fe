using System.Text.Json;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Parsing;

/// <summary>The result of parsing: the request (when its structure was readable), where it sat in the document, and every structural issue.</summary>
public sealed record ParseOutcome(UpdateRequest? Request, string RequestPath, IReadOnlyList<ValidationIssue> Issues)
{
    public bool Succeeded => Request is not null && Issues.Count == 0;
}

/// <summary>
/// Turns the three input shapes into one <see cref="UpdateRequest"/>: a direct request object, an EventBridge event
/// envelope whose <c>detail</c> is the request, and an EventBridge Scheduler input (<c>scheduledTime</c> plus
/// <c>request</c>). Unknown properties are errors. Structure only: <see cref="RequestValidator"/> checks values.
/// </summary>
public static class RequestParser
{
    /// <summary>Step Functions' limit for an execution input (256 KiB).</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    public const int MaxDepth = 16;

    public const string SettingsModeMerge = "merge";
    public const string SettingsModeReplace = "replace";

    private static readonly string[] EnvelopeOptional = ["version", "account", "time", "region", "resources", "replay-name"];

    public static ParseOutcome Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    public static ParseOutcome Parse(ReadOnlySpan<byte> utf8Json)
    {
        var issues = new IssueCollector();
        if (utf8Json.Length > MaxPayloadBytes)
        {
            issues.Add("$", Rules.TooLarge, $"the request is {utf8Json.Length:N0} bytes; at most {MaxPayloadBytes:N0} bytes (Step Functions' input limit) are accepted");
            return new ParseOutcome(null, "$", issues.Issues);
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            issues.Add("$", Rules.InvalidJson, "is not valid UTF-8");
            return new ParseOutcome(null, "$", issues.Issues);
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != utf8Json.Length && !IsTrailingWhitespace(utf8Json[(int)reader.BytesConsumed..]))
            {
                issues.Add("$", Rules.InvalidJson, "has content after the end of the JSON value");
                return new ParseOutcome(null, "$", issues.Issues);
            }
        }
        catch (JsonException ex)
        {
            issues.Add("$", Rules.InvalidJson, DescribeJsonError(ex));
            return new ParseOutcome(null, "$", issues.Issues);
        }

        using (document)
        {
            return ParseDocument(document.RootElement, issues);
        }
    }

    private static ParseOutcome ParseDocument(JsonElement root, IssueCollector issues)
    {
        var top = ObjectReader.Open(root, "$", issues, "an update request, an EventBridge event or a scheduler input");
        if (top is null)
        {
            return new ParseOutcome(null, "$", issues.Issues);
        }

        // Peek at the shape without marking anything as known.
        var isEvent = root.TryGetProperty("detail-type", out _) || root.TryGetProperty("detail", out _);
        var isSchedule = !isEvent && (root.TryGetProperty("request", out _) || root.TryGetProperty("scheduledTime", out _));
        if (isEvent)
        {
            return ParseEvent(top, issues);
        }

        if (isSchedule)
        {
            return ParseSchedule(top, issues);
        }

        var request = ReadRequest(top, scheduledStart: null);
        return new ParseOutcome(request, "$", issues.Issues);
    }

    private static ParseOutcome ParseEvent(ObjectReader envelope, IssueCollector issues)
    {
        var id = envelope.String("id", required: true, "the event id (the default idempotency key)");
        var detailType = envelope.String("detail-type", required: true);
        var source = envelope.String("source", required: true);
        var time = envelope.Timestamp("time");
        var account = envelope.String("account");
        var region = envelope.String("region");
        foreach (var name in EnvelopeOptional)
        {
            _ = envelope.Raw(name);
        }

        if (envelope.Raw("resources") is { ValueKind: not JsonValueKind.Array } resources)
        {
            issues.Add(envelope.Child("resources"), Rules.Type, $"must be an array, is {ObjectReader.Describe(resources)}");
        }

        var detail = envelope.Object("detail", "the update request", required: true);
        envelope.Finish("an EventBridge event has version, id, detail-type, source, account, time, region, resources and detail");
        if (detail is null)
        {
            return new ParseOutcome(null, "$.detail", issues.Issues);
        }

        var request = ReadRequest(detail, scheduledStart: null);
        if (request is null)
        {
            return new ParseOutcome(null, "$.detail", issues.Issues);
        }

        request = request with
        {
            Origin = RequestOrigin.EventBridge,
            Source = request.Source ?? source,
            Trigger = new TriggerInfo { EventId = id, DetailType = detailType, Account = account, Region = region, Time = time },
        };
        return new ParseOutcome(request, "$.detail", issues.Issues);
    }

    private static ParseOutcome ParseSchedule(ObjectReader input, IssueCollector issues)
    {
        var scheduledTime = input.Timestamp("scheduledTime", required: true);
        var scheduleArn = input.String("scheduleArn");
        var body = input.Object("request", "the update request", required: true);
        input.Finish("a scheduler input has scheduledTime, scheduleArn and request");
        if (body is null)
        {
            return new ParseOutcome(null, "$.request", issues.Issues);
        }

        var request = ReadRequest(body, scheduledTime);
        if (request is null)
        {
            return new ParseOutcome(null, "$.request", issues.Issues);
        }

        request = request with
        {
            Origin = RequestOrigin.Scheduler,
            Source = request.Source ?? "aws.scheduler",
            Trigger = new TriggerInfo { ScheduleArn = scheduleArn, ScheduledTime = scheduledTime },
        };
        return new ParseOutcome(request, "$.request", issues.Issues);
    }

    private static UpdateRequest? ReadRequest(ObjectReader o, DateTimeOffset? scheduledStart)
    {
        var cluster = o.String("clusterIdentifier", required: true, "the name or id of the PCS cluster");
        var configuration = o.Object("slurmConfiguration", "the Slurm configuration to apply") is { } sc ? ReadConfiguration(sc) : new SlurmConfigurationChange();
        var request = new UpdateRequest
        {
            ClusterIdentifier = cluster ?? string.Empty,
            SlurmConfiguration = configuration,
            ClientToken = o.String("clientToken"),
            IdempotencyKey = o.String("idempotencyKey"),
            RequestedBy = o.String("requestedBy"),
            Reason = o.String("reason"),
            Source = o.String("source"),
            MaintenanceWindow = o.Object("maintenanceWindow", "the maintenance window") is { } mw ? ReadWindow(mw, scheduledStart) : null,
            Apply = ReadApply(o),
            Options = o.Object("options", "the orchestration options") is { } opt ? ReadOptions(opt) : new UpdateOptions(),
        };
        o.Finish();
        return cluster is null ? null : request;
    }

    /// <summary>
    /// Reads a standalone <c>slurmConfiguration</c> object (a CLI configuration file, a configuration carried
    /// between workflow steps). Structure only; values are checked by <see cref="RequestValidator.ValidateConfiguration"/>.
    /// </summary>
    public static (SlurmConfigurationChange? Change, IReadOnlyList<ValidationIssue> Issues) ParseConfiguration(JsonElement element, string path = "$")
    {
        var issues = new IssueCollector();
        var reader = ObjectReader.Open(element, path, issues, "a slurmConfiguration object");
        return reader is null ? (null, issues.Issues) : (ReadConfiguration(reader), issues.Issues);
    }

    /// <summary>Reads a <c>slurmConfiguration</c> object: UpdateCluster's shape exactly.</summary>
    internal static SlurmConfigurationChange ReadConfiguration(ObjectReader o)
    {
        var change = new SlurmConfigurationChange
        {
            ScaleDownIdleTimeInSeconds = o.Int("scaleDownIdleTimeInSeconds"),
            SlurmCustomSettings = o.Array("slurmCustomSettings", (e, p) => ReadSetting(e, p, o.Issues)),
            SlurmdbdCustomSettings = o.Array("slurmdbdCustomSettings", (e, p) => ReadSetting(e, p, o.Issues)),
            CgroupCustomSettings = o.Array("cgroupCustomSettings", (e, p) => ReadSetting(e, p, o.Issues)),
            Accounting = o.Object("accounting", "the accounting configuration") is { } a
                ? Finish(a, new AccountingChange(a.Int("defaultPurgeTimeInDays"), ReadMode(a, "mode")))
                : null,
            SlurmRest = o.Object("slurmRest", "the Slurm REST API configuration") is { } r
                ? Finish(r, new SlurmRestChange(ReadMode(r, "mode")))
                : null,
        };
        _ = o.Raw("authKey");
        _ = o.Raw("jwtAuth");
        if (o.Has("authKey") || o.Has("jwtAuth"))
        {
            o.Issues.Add(o.Child(o.Has("authKey") ? "authKey" : "jwtAuth"), Rules.UnknownField,
                "is read-only: GetCluster reports it, UpdateCluster cannot change it");
        }

        o.Finish("UpdateCluster's slurmConfiguration has scaleDownIdleTimeInSeconds, slurmCustomSettings, slurmdbdCustomSettings, cgroupCustomSettings, accounting and slurmRest");
        return change;
    }

    private static CustomSetting? ReadSetting(JsonElement element, string path, IssueCollector issues)
    {
        var o = ObjectReader.Open(element, path, issues, "a setting with parameterName and parameterValue");
        if (o is null)
        {
            return null;
        }

        var name = o.String("parameterName", required: true, "the Slurm parameter name");
        var value = o.String("parameterValue", required: true, "the value, as a string (for example \"600\")");
        o.Finish();

        // Empty names and values are kept so that the validator reports them at their exact path.
        return new CustomSetting(name ?? string.Empty, value ?? string.Empty);
    }

    private static FeatureMode? ReadMode(ObjectReader o, string name)
    {
        var text = o.String(name);
        if (text is null)
        {
            return null;
        }

        if (FeatureModeExtensions.TryParseWire(text, out var mode))
        {
            return mode;
        }

        var upper = text.ToUpperInvariant();
        var hint = upper is FeatureModeExtensions.StandardWire or FeatureModeExtensions.NoneWire ? $"; did you mean '{upper}'?" : string.Empty;
        o.Issues.Add(o.Child(name), Rules.Enum, $"must be STANDARD or NONE{hint}", text);
        return null;
    }

    private static MaintenanceWindow? ReadWindow(ObjectReader o, DateTimeOffset? scheduledStart)
    {
        var start = o.Timestamp("start") ?? scheduledStart;
        var end = o.Timestamp("end");
        var duration = o.Int("durationMinutes");
        var cutoff = o.Int("cutoffMinutes") ?? 0;
        o.Finish("a maintenance window has start, end or durationMinutes, and cutoffMinutes");

        if (end is not null && duration is not null)
        {
            o.Issues.Add(o.Child("durationMinutes"), Rules.Conflict, "cannot be combined with end: give one of them");
            return null;
        }

        if (duration is { } minutes)
        {
            if (minutes <= 0)
            {
                o.Issues.Add(o.Child("durationMinutes"), Rules.Range, "must be 1 or more", minutes.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }

            if (start is null)
            {
                o.Issues.Add(o.Child("start"), Rules.Required, "is required with durationMinutes outside a scheduler input");
                return null;
            }

            end = start.Value.AddMinutes(minutes);
        }

        if (end is null)
        {
            if (!o.Issues.Issues.Any(i => i.Path.StartsWith(o.Path, StringComparison.Ordinal)))
            {
                o.Issues.Add(o.Child("end"), Rules.Required, "is required (or durationMinutes in a scheduler input)");
            }

            return null;
        }

        if (cutoff < 0 || (start is { } s && end.Value - TimeSpan.FromMinutes(cutoff) < s))
        {
            o.Issues.Add(o.Child("cutoffMinutes"), Rules.Range, "must be 0 or more and leave time between the window's start and end minus cutoff",
                cutoff.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }

        return new MaintenanceWindow(end.Value, TimeSpan.FromMinutes(cutoff)) { Start = start };
    }

    private static UpdateOptions ReadOptions(ObjectReader o)
    {
        var options = new UpdateOptions
        {
            DryRun = o.Bool("dryRun") ?? false,
            RollbackOnFailure = o.Bool("rollbackOnFailure") ?? false,
            Deadline = o.Timestamp("deadline"),
            TimeoutSeconds = o.Int("timeoutSeconds"),
            AllowUnlistedSettings = o.Bool("allowUnlistedSettings") ?? false,
            ExpectedUpdateMinutes = o.Int("expectedUpdateMinutes"),
            RequeueOnFailure = o.Bool("requeueOnFailure") ?? false,
            SettingsMode = o.String("settingsMode") switch
            {
                null or SettingsModeMerge => SettingsMode.Merge,
                SettingsModeReplace => SettingsMode.Replace,
                var other => InvalidSettingsMode(o, other),
            },
            RemoveSettings = o.Object("removeSettings", "setting names to remove, per list") is { } r ? ReadRemovals(r) : SettingRemovals.None,
        };
        o.Finish("options are dryRun, rollbackOnFailure, deadline, timeoutSeconds, settingsMode, removeSettings, allowUnlistedSettings, expectedUpdateMinutes and requeueOnFailure");
        return options;
    }

    private static ApplyMode? ReadApply(ObjectReader o)
    {
        var text = o.String("apply");
        if (text is null)
        {
            return null;
        }

        if (ApplyModeExtensions.TryParseWire(text, out var mode))
        {
            return mode;
        }

        o.Issues.Add(o.Child("apply"), Rules.Enum, $"must be '{ApplyModeExtensions.NowWire}' (start the update now) or '{ApplyModeExtensions.NextWindowWire}' (queue it for the cluster's next maintenance window)", text);
        return null;
    }

    private static SettingsMode InvalidSettingsMode(ObjectReader o, string value)
    {
        o.Issues.Add(o.Child("settingsMode"), Rules.Enum, "must be 'merge' (keep settings the request does not name) or 'replace' (send the list as the whole list)", value);
        return SettingsMode.Merge;
    }

    private static SettingRemovals ReadRemovals(ObjectReader o)
    {
        var removals = new SettingRemovals(
            ReadNames(o, "slurmCustomSettings"),
            ReadNames(o, "slurmdbdCustomSettings"),
            ReadNames(o, "cgroupCustomSettings"));
        o.Finish("removeSettings has slurmCustomSettings, slurmdbdCustomSettings and cgroupCustomSettings, each a list of names");
        return removals;
    }

    private static IReadOnlyList<string> ReadNames(ObjectReader o, string name) =>
        o.Array(name, (e, p) =>
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                return e.GetString();
            }

            o.Issues.Add(p, Rules.Type, $"must be a setting name (a string), is {ObjectReader.Describe(e)}");
            return null;
        }) ?? [];

    private static T Finish<T>(ObjectReader o, T value)
    {
        o.Finish();
        return value;
    }

    private static bool IsTrailingWhitespace(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static string DescribeJsonError(JsonException ex)
    {
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return $"is not valid JSON{where}: {(cut > 0 ? message[..cut] : message)}";
    }
}
