using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Local.StateMachine;

/// <summary>The intrinsic functions this runner supports; any other States.* function is refused when the definition loads.</summary>
public static class Intrinsics
{
    public static IReadOnlySet<string> Supported { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "States.Format", "States.JsonToString", "States.StringToJson", "States.Array", "States.ArrayLength", "States.MathAdd", "States.UUID",
    };

    public static bool IsCall(string expression) => expression.StartsWith("States.", StringComparison.Ordinal);

    /// <summary>The function name of a call, for load-time checks.</summary>
    public static string NameOf(string expression)
    {
        var open = expression.IndexOf('(', StringComparison.Ordinal);
        return open < 0 ? expression : expression[..open];
    }

    public static JsonNode? Evaluate(string expression, JsonNode? input, JsonNode? context)
    {
        var position = 0;
        var value = ParseCall(expression, ref position, input, context);
        SkipSpaces(expression, ref position);
        return position == expression.Length ? value : throw new StatesRuntimeException($"unexpected text after the intrinsic call: '{expression[position..]}'");
    }

    private static JsonNode? ParseCall(string text, ref int position, JsonNode? input, JsonNode? context)
    {
        var open = text.IndexOf('(', position);
        if (open < 0)
        {
            throw new StatesRuntimeException($"'{text}' is not an intrinsic call");
        }

        var name = text[position..open].Trim();
        position = open + 1;
        var arguments = new List<JsonNode?>();
        SkipSpaces(text, ref position);
        if (position < text.Length && text[position] == ')')
        {
            position++;
        }
        else
        {
            while (true)
            {
                arguments.Add(ParseArgument(text, ref position, input, context));
                SkipSpaces(text, ref position);
                if (position >= text.Length)
                {
                    throw new StatesRuntimeException($"'{text}' is missing a closing parenthesis");
                }

                if (text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (text[position] == ')')
                {
                    position++;
                    break;
                }

                throw new StatesRuntimeException($"unexpected '{text[position]}' in '{text}'");
            }
        }

        return Apply(name, arguments);
    }

    private static JsonNode? ParseArgument(string text, ref int position, JsonNode? input, JsonNode? context)
    {
        SkipSpaces(text, ref position);
        var c = text[position];
        if (c == '\'')
        {
            var value = new StringBuilder();
            position++;
            while (position < text.Length && text[position] != '\'')
            {
                if (text[position] == '\\' && position + 1 < text.Length)
                {
                    position++;
                }

                value.Append(text[position++]);
            }

            position++;
            return JsonValue.Create(value.ToString());
        }

        var end = position;
        var depth = 0;
        while (end < text.Length && (depth > 0 || text[end] is not (',' or ')')))
        {
            depth += text[end] == '(' ? 1 : text[end] == ')' ? -1 : 0;
            end++;
        }

        var token = text[position..end].Trim();
        if (IsCall(token))
        {
            var inner = 0;
            var result = ParseCall(token, ref inner, input, context);
            position = end;
            return result;
        }

        position = end;
        if (token.StartsWith('$'))
        {
            return JsonPath.Get(token, input, context);
        }

        if (token is "true" or "false")
        {
            return JsonValue.Create(token == "true");
        }

        if (token == "null")
        {
            return null;
        }

        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? (number == Math.Floor(number) && Math.Abs(number) < long.MaxValue ? JsonValue.Create((long)number) : JsonValue.Create(number))
            : throw new StatesRuntimeException($"'{token}' is not a valid intrinsic argument");
    }

    private static JsonNode? Apply(string name, List<JsonNode?> args) => name switch
    {
        "States.Format" => JsonValue.Create(Format(args)),
        "States.JsonToString" => JsonValue.Create(args.Single()?.ToJsonString() ?? "null"),
        "States.StringToJson" => JsonNode.Parse(args.Single()?.GetValue<string>() ?? "null"),
        "States.Array" => new JsonArray([.. args.Select(a => a?.DeepClone())]),
        "States.ArrayLength" => JsonValue.Create(args.Single()?.AsArray().Count ?? 0),
        "States.MathAdd" => JsonValue.Create(long.Parse(args[0]!.ToJsonString(), CultureInfo.InvariantCulture) + long.Parse(args[1]!.ToJsonString(), CultureInfo.InvariantCulture)),
        "States.UUID" => JsonValue.Create(Guid.NewGuid().ToString()),
        _ => throw new StatesRuntimeException($"the intrinsic function {name} is not supported"),
    };

    private static string Format(List<JsonNode?> args)
    {
        var template = args[0]?.GetValue<string>() ?? string.Empty;
        var result = new StringBuilder();
        var next = 1;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && i + 1 < template.Length && template[i + 1] == '}')
            {
                var value = next < args.Count ? args[next++] : throw new StatesRuntimeException("States.Format has more {} than arguments");
                result.Append(value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null");
                i++;
            }
            else
            {
                result.Append(template[i]);
            }
        }

        return result.ToString();
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }
}
