using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PcsOrchestrator.Local.StateMachine;

/// <summary>A definition this runner cannot run: the state and field are named, nothing is silently ignored.</summary>
public sealed class AslDefinitionException(string message) : Exception(message)
{
    public AslDefinitionException()
        : this("invalid definition")
    {
    }

    public AslDefinitionException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

/// <summary>
/// A parsed, checked Amazon States Language definition (JSONPath query language). Supported: Task, Pass, Choice,
/// Wait, Succeed, Fail; InputPath, Parameters (with .$ keys and the intrinsics in <see cref="Intrinsics"/>),
/// ResultSelector, ResultPath, OutputPath, Retry, Catch, TimeoutSeconds, and execution-level TimeoutSeconds. Any
/// other field (Parallel, Map, HeartbeatSeconds, Credentials, JSONata, ...) is refused when the definition loads.
/// </summary>
public sealed partial class StateMachineDefinition
{
    private static readonly Dictionary<string, HashSet<string>> AllowedFields = new(StringComparer.Ordinal)
    {
        ["Task"] = ["Type", "Comment", "Resource", "InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "Retry", "Catch", "TimeoutSeconds", "Next", "End"],
        ["Pass"] = ["Type", "Comment", "InputPath", "Parameters", "Result", "ResultPath", "OutputPath", "Next", "End"],
        ["Choice"] = ["Type", "Comment", "InputPath", "OutputPath", "Choices", "Default"],
        ["Wait"] = ["Type", "Comment", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Next", "End"],
        ["Succeed"] = ["Type", "Comment", "InputPath", "OutputPath"],
        ["Fail"] = ["Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath"],
    };

    private static readonly string[] WaitFields = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
    private static readonly HashSet<string> RetryFields = ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"];
    private static readonly HashSet<string> CatchFields = ["ErrorEquals", "ResultPath", "Next", "Comment"];

    private static readonly HashSet<string> Comparisons =
    [
        "StringEquals", "StringEqualsPath", "StringLessThan", "StringGreaterThan", "StringMatches",
        "NumericEquals", "NumericEqualsPath", "NumericLessThan", "NumericLessThanPath", "NumericGreaterThan", "NumericGreaterThanPath",
        "NumericLessThanEquals", "NumericGreaterThanEquals", "BooleanEquals", "BooleanEqualsPath",
        "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
        "IsPresent", "IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp",
    ];

    private StateMachineDefinition(JsonObject root, string startAt, IReadOnlyDictionary<string, JsonObject> states)
    {
        Root = root;
        StartAt = startAt;
        States = states;
    }

    public JsonObject Root { get; }

    public string StartAt { get; }

    public IReadOnlyDictionary<string, JsonObject> States { get; }

    public int? TimeoutSeconds => Root[nameof(TimeoutSeconds)]?.GetValue<int>();

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>Applies DefinitionSubstitutions (every <c>${Name}</c> must have a value), parses and checks the definition.</summary>
    public static StateMachineDefinition Parse(string json, IReadOnlyDictionary<string, string>? substitutions = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var missing = new List<string>();
        var text = Placeholder().Replace(json, m =>
        {
            if (substitutions is not null && substitutions.TryGetValue(m.Groups[1].Value, out var value))
            {
                return value;
            }

            missing.Add(m.Groups[1].Value);
            return m.Value;
        });
        if (missing.Count > 0)
        {
            throw new AslDefinitionException("no DefinitionSubstitutions value for: " + string.Join(", ", missing.Distinct()));
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(text)?.AsObject() ?? throw new AslDefinitionException("the definition is not a JSON object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new AslDefinitionException("the definition is not valid JSON", ex);
        }

        foreach (var (name, _) in root)
        {
            if (name is not ("Comment" or "StartAt" or "States" or "TimeoutSeconds" or "Version" or "QueryLanguage"))
            {
                throw new AslDefinitionException($"top-level field '{name}' is not supported");
            }
        }

        if (root["QueryLanguage"] is { } language && language.GetValue<string>() != "JSONPath")
        {
            throw new AslDefinitionException("only QueryLanguage JSONPath is supported");
        }

        var startAt = root[nameof(StartAt)]?.GetValue<string>() ?? throw new AslDefinitionException("StartAt is required");
        var states = root[nameof(States)] as JsonObject ?? throw new AslDefinitionException("States is required");
        var map = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (name, node) in states)
        {
            map[name] = node as JsonObject ?? throw new AslDefinitionException($"state '{name}' is not an object");
        }

        if (!map.ContainsKey(startAt))
        {
            throw new AslDefinitionException($"StartAt '{startAt}' is not a state");
        }

        foreach (var (name, state) in map)
        {
            Check(name, state, map);
        }

        return new StateMachineDefinition(root, startAt, map);
    }

    private static void Check(string name, JsonObject state, Dictionary<string, JsonObject> states)
    {
        var type = state["Type"]?.GetValue<string>() ?? throw new AslDefinitionException($"state '{name}' has no Type");
        if (!AllowedFields.TryGetValue(type, out var allowed))
        {
            throw new AslDefinitionException($"state '{name}': Type '{type}' is not supported by this runner");
        }

        foreach (var (field, _) in state)
        {
            if (!allowed.Contains(field))
            {
                throw new AslDefinitionException($"state '{name}': field '{field}' is not supported for a {type} state");
            }
        }

        void Target(string? next, string what)
        {
            if (next is null || !states.ContainsKey(next))
            {
                throw new AslDefinitionException($"state '{name}': {what} '{next}' is not a state");
            }
        }

        if (type is "Task" or "Pass" or "Wait")
        {
            var hasNext = state["Next"] is not null;
            var end = state["End"]?.GetValue<bool>() ?? false;
            if (hasNext == end)
            {
                throw new AslDefinitionException($"state '{name}' must have exactly one of Next and End: true");
            }

            if (hasNext)
            {
                Target(state["Next"]!.GetValue<string>(), "Next");
            }
        }

        if (type == "Task" && state["Resource"] is null)
        {
            throw new AslDefinitionException($"state '{name}': Resource is required");
        }

        if (type == "Wait" && WaitFields.Count(f => state[f] is not null) != 1)
        {
            throw new AslDefinitionException($"state '{name}': a Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath");
        }

        foreach (var (i, retrier) in (state["Retry"] as JsonArray ?? []).Select((r, i) => (i, r!.AsObject())))
        {
            CheckFields(name, $"Retry[{i}]", retrier, RetryFields);
            CheckErrorEquals(name, $"Retry[{i}]", retrier, i == (state["Retry"] as JsonArray)!.Count - 1);
            if (retrier["JitterStrategy"] is { } jitter && jitter.GetValue<string>() is not ("FULL" or "NONE"))
            {
                throw new AslDefinitionException($"state '{name}': Retry[{i}].JitterStrategy must be FULL or NONE");
            }
        }

        foreach (var (i, catcher) in (state["Catch"] as JsonArray ?? []).Select((c, i) => (i, c!.AsObject())))
        {
            CheckFields(name, $"Catch[{i}]", catcher, CatchFields);
            CheckErrorEquals(name, $"Catch[{i}]", catcher, i == (state["Catch"] as JsonArray)!.Count - 1);
            Target(catcher["Next"]?.GetValue<string>(), $"Catch[{i}].Next");
        }

        if (type == "Choice")
        {
            var choices = state["Choices"] as JsonArray;
            if (choices is null || choices.Count == 0)
            {
                throw new AslDefinitionException($"state '{name}': Choices must be a non-empty array");
            }

            foreach (var choice in choices)
            {
                CheckRule(name, choice!.AsObject(), topLevel: true);
                Target(choice["Next"]?.GetValue<string>(), "Choices[].Next");
            }

            if (state["Default"] is { } fallback)
            {
                Target(fallback.GetValue<string>(), "Default");
            }
        }

        foreach (var field in new[] { "Parameters", "ResultSelector" })
        {
            if (state[field] is { } template)
            {
                CheckTemplate(name, field, template);
            }
        }

        foreach (var field in new[] { "InputPath", "OutputPath", "ResultPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath" })
        {
            if (state[field] is JsonValue path && path.GetValueKind() == JsonValueKind.String)
            {
                try
                {
                    JsonPath.Parse(path.GetValue<string>());
                }
                catch (FormatException ex)
                {
                    throw new AslDefinitionException($"state '{name}': {field}: {ex.Message}");
                }
            }
        }
    }

    private static void CheckFields(string state, string what, JsonObject node, HashSet<string> allowed)
    {
        foreach (var (field, _) in node)
        {
            if (!allowed.Contains(field))
            {
                throw new AslDefinitionException($"state '{state}': {what}.{field} is not supported");
            }
        }
    }

    private static void CheckErrorEquals(string state, string what, JsonObject node, bool last)
    {
        var errors = (node["ErrorEquals"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList();
        if (errors is null || errors.Count == 0)
        {
            throw new AslDefinitionException($"state '{state}': {what}.ErrorEquals must be a non-empty array");
        }

        if (errors.Contains("States.ALL") && (errors.Count > 1 || !last))
        {
            throw new AslDefinitionException($"state '{state}': {what}: States.ALL must appear alone and in the last retrier or catcher");
        }
    }

    private static void CheckRule(string state, JsonObject rule, bool topLevel)
    {
        foreach (var combinator in new[] { "And", "Or" })
        {
            if (rule[combinator] is JsonArray parts)
            {
                foreach (var part in parts)
                {
                    CheckRule(state, part!.AsObject(), topLevel: false);
                }

                return;
            }
        }

        if (rule["Not"] is JsonObject inner)
        {
            CheckRule(state, inner, topLevel: false);
            return;
        }

        var operators = rule.Select(kv => kv.Key).Where(k => k is not ("Variable" or "Next" or "Comment")).ToList();
        if (rule["Variable"] is null || operators.Count != 1 || !Comparisons.Contains(operators[0]))
        {
            throw new AslDefinitionException($"state '{state}': a choice rule needs a Variable and one supported comparison, got {string.Join(", ", operators)}");
        }

        _ = topLevel;
    }

    private static void CheckTemplate(string state, string field, JsonNode template)
    {
        switch (template)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key.EndsWith(".$", StringComparison.Ordinal))
                    {
                        var expression = value?.GetValue<string>() ?? string.Empty;
                        if (Intrinsics.IsCall(expression) && !Intrinsics.Supported.Contains(Intrinsics.NameOf(expression)))
                        {
                            throw new AslDefinitionException($"state '{state}': {field}.{key}: intrinsic {Intrinsics.NameOf(expression)} is not supported");
                        }
                    }
                    else if (value is not null)
                    {
                        CheckTemplate(state, field, value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        CheckTemplate(state, field, item);
                    }
                }

                break;
        }
    }
}
