using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local;

/// <summary>
/// Reads CreateSchedule / UpdateSchedule bodies and query members with the constraints of EventBridge Scheduler's
/// model (required members, lengths, patterns, enums, ranges), each violation in the service's words naming the
/// member: <c>Value 'a b' at 'Name' failed to satisfy constraint: Member must satisfy regular expression pattern: ...</c>.
/// </summary>
internal sealed partial class SchedulerModelReader
{
    public const string NamePattern = "^[0-9a-zA-Z-_.]+$";
    private const string ClientTokenPattern = "^[a-zA-Z0-9-_]+$";
    private const string RoleArnPattern = @"^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$";

    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations => _violations;

    /// <summary>The ValidationException message for everything found so far, or null.</summary>
    public string? Message => _violations.Count switch
    {
        0 => null,
        1 => "1 validation error detected: " + _violations[0],
        var n => $"{n} validation errors detected: " + string.Join("; ", _violations),
    };

    public void Name(string? value, string member, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Missing(member);
            }

            return;
        }

        Length(value, member, 1, 64);
        if (!NameForm().IsMatch(value))
        {
            Violate(value, member, $"Member must satisfy regular expression pattern: {NamePattern}");
        }
    }

    public void ClientToken(string? value)
    {
        Optional(value, "ClientToken", 1, 64);
        Pattern(value, "ClientToken", ClientTokenPattern);
    }

    public void Enum(string? value, string member, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Violate(value, member, $"Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }
    }

    /// <summary>The schedule a CreateSchedule or UpdateSchedule body describes, defaults filled in as GetSchedule answers them.</summary>
    public Schedule Definition(string name, JsonObject body)
    {
        Name(name, "Name", required: true);
        var group = Text(body, "GroupName");
        Name(group, "GroupName", required: false);
        var expression = Text(body, "ScheduleExpression");
        Required(expression, "ScheduleExpression", 1, 256);
        var zone = Text(body, "ScheduleExpressionTimezone");
        Optional(zone, "ScheduleExpressionTimezone", 1, 50);
        var description = Text(body, "Description");
        Optional(description, "Description", 0, 512);
        var state = Text(body, "State");
        Enum(state, "State", ScheduleStates.Enabled, ScheduleStates.Disabled);
        var after = Text(body, "ActionAfterCompletion");
        Enum(after, "ActionAfterCompletion", ActionsAfterCompletion.None, ActionsAfterCompletion.Delete);
        ClientToken(Text(body, "ClientToken"));
        var kms = Text(body, "KmsKeyArn");
        Optional(kms, "KmsKeyArn", 1, 2048);

        return new Schedule
        {
            Name = name,
            GroupName = group ?? "default",
            ScheduleExpression = expression ?? string.Empty,
            ScheduleExpressionTimezone = zone,
            StartDate = Timestamp(body, "StartDate"),
            EndDate = Timestamp(body, "EndDate"),
            Description = description,
            State = state ?? ScheduleStates.Enabled,
            FlexibleTimeWindow = Window(body),
            ActionAfterCompletion = after ?? ActionsAfterCompletion.None,
            KmsKeyArn = kms,
            Target = TargetOf(body),
        };
    }

    public string? Text(JsonObject parent, string member, string? path = null)
    {
        var node = parent[member];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        _violations.Add($"Value at '{path ?? member}' failed to satisfy constraint: Member must be a string");
        return null;
    }

    public void Violate(string? value, string member, string constraint) =>
        _violations.Add(value is null ? $"Value null at '{member}' failed to satisfy constraint: {constraint}" : $"Value '{Shown(value)}' at '{member}' failed to satisfy constraint: {constraint}");

    private FlexibleTimeWindow? Window(JsonObject body)
    {
        if (Object(body, "FlexibleTimeWindow", "FlexibleTimeWindow") is not { } window)
        {
            Missing("FlexibleTimeWindow");
            return null;
        }

        var mode = Text(window, "Mode", "FlexibleTimeWindow.Mode");
        if (mode is null)
        {
            Missing("FlexibleTimeWindow.Mode");
        }

        Enum(mode, "FlexibleTimeWindow.Mode", FlexibleTimeWindowModes.Off, FlexibleTimeWindowModes.Flexible);
        var minutes = Integer(window, "MaximumWindowInMinutes", "FlexibleTimeWindow.MaximumWindowInMinutes", 1, 1440);
        if (mode == FlexibleTimeWindowModes.Flexible && minutes is null && window["MaximumWindowInMinutes"] is null)
        {
            Violate(null, "FlexibleTimeWindow.MaximumWindowInMinutes", "Member must not be null when FlexibleTimeWindow.Mode is FLEXIBLE");
        }

        return new FlexibleTimeWindow { Mode = mode ?? string.Empty, MaximumWindowInMinutes = minutes };
    }

    private Target? TargetOf(JsonObject body)
    {
        if (Object(body, "Target", "Target") is not { } target)
        {
            Missing("Target");
            return null;
        }

        var arn = Text(target, "Arn", "Target.Arn");
        Required(arn, "Target.Arn", 1, 1600);
        var role = Text(target, "RoleArn", "Target.RoleArn");
        Required(role, "Target.RoleArn", 1, 1600);
        Pattern(role, "Target.RoleArn", RoleArnPattern);
        var input = Text(target, "Input", "Target.Input");
        Optional(input, "Target.Input", 1, int.MaxValue);
        RetryPolicy retry = new() { MaximumEventAgeInSeconds = 86400, MaximumRetryAttempts = 185 };
        if (Object(target, "RetryPolicy", "Target.RetryPolicy") is { } policy)
        {
            retry = new RetryPolicy
            {
                MaximumEventAgeInSeconds = Integer(policy, "MaximumEventAgeInSeconds", "Target.RetryPolicy.MaximumEventAgeInSeconds", 60, 86400) ?? 86400,
                MaximumRetryAttempts = Integer(policy, "MaximumRetryAttempts", "Target.RetryPolicy.MaximumRetryAttempts", 0, 185) ?? 185,
            };
        }

        DeadLetterConfig? deadLetter = null;
        if (Object(target, "DeadLetterConfig", "Target.DeadLetterConfig") is { } dlq)
        {
            var dlqArn = Text(dlq, "Arn", "Target.DeadLetterConfig.Arn");
            Optional(dlqArn, "Target.DeadLetterConfig.Arn", 1, 1600);
            deadLetter = new DeadLetterConfig { Arn = dlqArn };
        }

        return new Target { Arn = arn ?? string.Empty, RoleArn = role ?? string.Empty, Input = input, RetryPolicy = retry, DeadLetterConfig = deadLetter };
    }

    private JsonObject? Object(JsonObject parent, string member, string path)
    {
        var node = parent[member];
        if (node is null or JsonObject)
        {
            return node as JsonObject;
        }

        _violations.Add($"Value at '{path}' failed to satisfy constraint: Member must be a structure");
        return null;
    }

    private int? Integer(JsonObject parent, string member, string path, int min, int max)
    {
        var node = parent[member];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var number))
        {
            _violations.Add($"Value at '{path}' failed to satisfy constraint: Member must be an integer");
            return null;
        }

        if (number < min)
        {
            Violate(number.ToString(CultureInfo.InvariantCulture), path, $"Member must have value greater than or equal to {min}");
        }
        else if (number > max)
        {
            Violate(number.ToString(CultureInfo.InvariantCulture), path, $"Member must have value less than or equal to {max}");
        }

        return number;
    }

    /// <summary>Epoch seconds (what the SDKs send in rest-json bodies), or an ISO 8601 string.</summary>
    private DateTimeOffset? Timestamp(JsonObject parent, string member)
    {
        var node = parent[member];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(text.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUniversalTime();
        }

        _violations.Add($"Value at '{member}' failed to satisfy constraint: Member must be a timestamp (epoch seconds)");
        return null;
    }

    private void Missing(string member) => Violate(null, member, "Member must not be null");

    private void Required(string? value, string member, int min, int max)
    {
        if (value is null)
        {
            Missing(member);
            return;
        }

        Length(value, member, min, max);
    }

    private void Optional(string? value, string member, int min, int max)
    {
        if (value is not null)
        {
            Length(value, member, min, max);
        }
    }

    private void Length(string value, string member, int min, int max)
    {
        if (value.Length < min)
        {
            Violate(value, member, $"Member must have length greater than or equal to {min}");
        }
        else if (value.Length > max)
        {
            Violate(value, member, $"Member must have length less than or equal to {max}");
        }
    }

    private void Pattern(string? value, string member, string pattern)
    {
        if (value is not null && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            Violate(value, member, $"Member must satisfy regular expression pattern: {pattern}");
        }
    }

    private static string Shown(string value) => value.Length > 100 ? value[..100] + "..." : value;

    [GeneratedRegex(NamePattern)]
    private static partial Regex NameForm();
}
