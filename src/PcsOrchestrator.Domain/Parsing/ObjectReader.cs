using System.Globalization;
using System.Text.Json;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Parsing;

/// <summary>
/// Reads one JSON object field by field, recording type errors, duplicate properties and (on <see cref="Finish"/>)
/// every property nobody asked for. Paths are JSON paths from the document root.
/// </summary>
internal sealed class ObjectReader
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly IssueCollector _issues;

    private ObjectReader(JsonElement element, string path, IssueCollector issues)
    {
        Path = path;
        _issues = issues;
        foreach (var property in element.EnumerateObject())
        {
            if (!_properties.TryAdd(property.Name, property.Value))
            {
                issues.Add(Child(property.Name), Rules.DuplicateProperty, "appears more than once in the same object");
            }
        }
    }

    public string Path { get; }

    public IssueCollector Issues => _issues;

    /// <summary>Wraps <paramref name="element"/> when it is an object; otherwise records a type error and returns null.</summary>
    public static ObjectReader? Open(JsonElement element, string path, IssueCollector issues, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            issues.Add(path, Rules.Type, $"must be a JSON object ({what}), is {Describe(element)}");
            return null;
        }

        return new ObjectReader(element, path, issues);
    }

    public string Child(string name) => IsPlainName(name) ? $"{Path}.{name}" : $"{Path}['{IssueCollector.Display(name).Replace("'", "\\'", StringComparison.Ordinal)}']";

    public bool Has(string name)
    {
        _known.Add(name);
        return _properties.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null;
    }

    public JsonElement? Raw(string name)
    {
        _known.Add(name);
        return _properties.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public string? String(string name, bool required = false, string? description = null)
    {
        if (Raw(name) is not { } value)
        {
            MissingIfRequired(name, required, description);
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            _issues.Add(Child(name), Rules.Type, $"must be a string, is {Describe(value)}");
            return null;
        }

        return value.GetString();
    }

    public int? Int(string name, bool required = false)
    {
        if (Raw(name) is not { } value)
        {
            MissingIfRequired(name, required, null);
            return null;
        }

        return ReadInt(value, Child(name), _issues);
    }

    public bool? Bool(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        _issues.Add(Child(name), Rules.Type, $"must be true or false, is {Describe(value)}");
        return null;
    }

    /// <summary>An RFC 3339 timestamp with an explicit offset or Z.</summary>
    public DateTimeOffset? Timestamp(string name, bool required = false)
    {
        var text = String(name, required);
        if (text is null)
        {
            return null;
        }

        if (TryParseTimestamp(text, out var instant))
        {
            return instant;
        }

        _issues.Add(Child(name), Rules.Timestamp, "must be an ISO 8601 / RFC 3339 timestamp with a time zone, for example 2026-11-24T22:00:00Z", text);
        return null;
    }

    public ObjectReader? Object(string name, string what, bool required = false)
    {
        if (Raw(name) is not { } value)
        {
            MissingIfRequired(name, required, what);
            return null;
        }

        return Open(value, Child(name), _issues, what);
    }

    /// <summary>Reads an array; <paramref name="read"/> gets each item with its path and may return null for a bad item.</summary>
    public IReadOnlyList<T>? Array<T>(string name, Func<JsonElement, string, T?> read)
        where T : class
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            _issues.Add(Child(name), Rules.Type, $"must be a JSON array, is {Describe(value)}");
            return null;
        }

        var items = new List<T>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (read(item, $"{Child(name)}[{index}]") is { } parsed)
            {
                items.Add(parsed);
            }

            index++;
        }

        return items;
    }

    /// <summary>Records every property that was never asked for, with a hint when only the case differs.</summary>
    public void Finish(string? hintForUnknown = null)
    {
        foreach (var name in _properties.Keys)
        {
            if (_known.Contains(name))
            {
                continue;
            }

            var near = _known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            var message = near is not null
                ? $"is not a known field; did you mean '{near}'? (names are case-sensitive)"
                : hintForUnknown is null ? "is not a known field" : $"is not a known field; {hintForUnknown}";
            _issues.Add(Child(name), Rules.UnknownField, message);
        }
    }

    public static int? ReadInt(JsonElement value, string path, IssueCollector issues)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            issues.Add(path, Rules.Type, $"must be a whole number, is {Describe(value)}");
            return null;
        }

        if (value.TryGetInt32(out var number))
        {
            return number;
        }

        var raw = value.GetRawText();
        issues.Add(path, value.TryGetDecimal(out var d) && d == decimal.Truncate(d) || raw.Contains('e', StringComparison.OrdinalIgnoreCase) ? Rules.Range : Rules.Type,
            "must be a whole number within the field's range", raw);
        return null;
    }

    public static bool TryParseTimestamp(string text, out DateTimeOffset instant)
    {
        instant = default;
        if (text.Length < 20 || text[10] is not ('T' or 't'))
        {
            return false;
        }

        var hasZone = text[^1] is 'Z' or 'z' ||
                      (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasZone && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };

    private void MissingIfRequired(string name, bool required, string? description)
    {
        if (required)
        {
            _issues.Add(Child(name), Rules.Required, description is null ? "is required" : $"is required: {description}");
        }
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
