using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Local.StateMachine;

/// <summary>
/// Reference paths as Amazon States Language uses them: <c>$</c>, <c>$.a.b</c>, <c>$['a']</c>, <c>$.a[0]</c>, and
/// <c>$$.…</c> into the context object. No filters or wildcards: ASL reference paths do not allow them.
/// </summary>
public static class JsonPath
{
    /// <summary>Splits a path into its steps (property names and indexes); throws for anything that is not a reference path.</summary>
    public static IReadOnlyList<object> Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var start = path.StartsWith("$$", StringComparison.Ordinal) ? 2 : path.StartsWith('$') ? 1 : throw new FormatException($"'{path}' is not a path: it must start with $");
        var steps = new List<object>();
        var i = start;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                if (end == i + 1)
                {
                    throw new FormatException($"'{path}' has an empty step at {i}");
                }

                steps.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    throw new FormatException($"'{path}' has an unclosed [");
                }

                var inner = path[(i + 1)..close];
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    steps.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    throw new FormatException($"'{path}': '[{inner}]' is not a reference path step (no wildcards or filters)");
                }

                i = close + 1;
            }
            else
            {
                throw new FormatException($"'{path}' is not a reference path");
            }
        }

        return steps;
    }

    /// <summary>Selects the node at the path, or reports that nothing is there.</summary>
    public static bool TryGet(string path, JsonNode? input, JsonNode? context, out JsonNode? value)
    {
        var node = path.StartsWith("$$", StringComparison.Ordinal) ? context : input;
        foreach (var step in Parse(path))
        {
            switch (step)
            {
                case string name when node is JsonObject obj && obj.TryGetPropertyValue(name, out var next):
                    node = next;
                    break;
                case int index when node is JsonArray array && index < array.Count:
                    node = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        value = node;
        return true;
    }

    public static JsonNode? Get(string path, JsonNode? input, JsonNode? context) =>
        TryGet(path, input, context, out var value) ? value?.DeepClone() : throw new StatesRuntimeException($"the JSONPath '{path}' could not be found in the input '{Describe(input)}'");

    /// <summary>ResultPath: puts <paramref name="result"/> at the path inside a copy of <paramref name="input"/>.</summary>
    public static JsonNode? Set(string path, JsonNode? input, JsonNode? result)
    {
        var steps = Parse(path);
        if (steps.Count == 0)
        {
            return result?.DeepClone();
        }

        var root = input?.DeepClone() ?? new JsonObject();
        if (root is not JsonObject)
        {
            throw new StatesRuntimeException($"ResultPath '{path}' cannot be applied: the state input is not an object");
        }

        JsonNode node = root;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not string name || node is not JsonObject obj)
            {
                throw new StatesRuntimeException($"ResultPath '{path}' must name object properties only");
            }

            if (i == steps.Count - 1)
            {
                obj[name] = result?.DeepClone();
            }
            else
            {
                if (obj[name] is not JsonObject child)
                {
                    child = new JsonObject();
                    obj[name] = child;
                }

                node = child;
            }
        }

        return root;
    }

    private static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 200 ? new StringBuilder(text, 0, 200, 203).Append("...").ToString() : text;
    }
}

/// <summary>An error of the definition's data handling at run time (States.Runtime).</summary>
public sealed class StatesRuntimeException(string message) : Exception(message)
{
    public StatesRuntimeException()
        : this("States.Runtime")
    {
    }

    public StatesRuntimeException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
