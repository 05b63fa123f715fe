using System.Text;
using System.Text.Json;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>Renders an Amazon States Language definition as a Mermaid flowchart: states, transitions, choices, catches.</summary>
public static class MermaidGraph
{
    public static string Render(string aslJson)
    {
        using var document = JsonDocument.Parse(aslJson);
        var root = document.RootElement;
        var states = root.GetProperty("States");
        var text = new StringBuilder("flowchart TD\n");
        text.Append("  Start((start)) --> ").Append(Id(root.GetProperty("StartAt").GetString()!)).Append('\n');
        foreach (var state in states.EnumerateObject())
        {
            var type = state.Value.GetProperty("Type").GetString();
            var id = Id(state.Name);
            var label = Escape(state.Name);
            text.Append("  ").Append(type switch
            {
                "Choice" => $"{id}{{\"{label}\"}}",
                "Wait" => $"{id}[/\"{label}\"/]",
                "Succeed" or "Fail" => $"{id}([\"{label}\"])",
                "Pass" => $"{id}>\"{label}\"]",
                _ => $"{id}[\"{label}\"]",
            }).Append('\n');
        }

        foreach (var state in states.EnumerateObject())
        {
            var id = Id(state.Name);
            var s = state.Value;
            if (s.TryGetProperty("Choices", out var choices))
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    text.Append($"  {id} -- \"{Escape(Describe(choice))}\" --> {Id(choice.GetProperty("Next").GetString()!)}\n");
                }
            }

            if (s.TryGetProperty("Default", out var fallback))
            {
                text.Append($"  {id} -- default --> {Id(fallback.GetString()!)}\n");
            }

            if (s.TryGetProperty("Next", out var next))
            {
                text.Append($"  {id} --> {Id(next.GetString()!)}\n");
            }

            if (s.TryGetProperty("Catch", out var catches))
            {
                foreach (var c in catches.EnumerateArray())
                {
                    var errors = string.Join(", ", c.GetProperty("ErrorEquals").EnumerateArray().Select(e => e.GetString()));
                    text.Append($"  {id} -. \"{Escape(errors)}\" .-> {Id(c.GetProperty("Next").GetString()!)}\n");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>A short label for a Choice rule: the compared value, or the combinator.</summary>
    private static string Describe(JsonElement rule)
    {
        foreach (var combinator in new[] { "And", "Or" })
        {
            if (rule.TryGetProperty(combinator, out var parts))
            {
                return string.Join(combinator == "And" ? " and " : " or ", parts.EnumerateArray().Select(Describe));
            }
        }

        if (rule.TryGetProperty("Not", out var inner))
        {
            return "not " + Describe(inner);
        }

        var variable = rule.TryGetProperty("Variable", out var v) ? v.GetString()!.Split('.')[^1] : "?";
        foreach (var property in rule.EnumerateObject())
        {
            if (property.Name is "Variable" or "Next")
            {
                continue;
            }

            // Type tests (IsPresent, IsNull, ...) read as what they test, not as an equality.
            return property.Name.StartsWith("Is", StringComparison.Ordinal)
                ? $"{variable} {(property.Value.ValueKind == JsonValueKind.True ? "is" : "is not")} {property.Name[2..].ToLowerInvariant()}"
                : $"{variable} = {property.Value}";
        }

        return variable;
    }

    private static string Id(string name)
    {
        var id = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return id.ToString();
    }

    private static string Escape(string text) => text.Replace("\"", "'", StringComparison.Ordinal);
}
