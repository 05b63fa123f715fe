namespace PcsOrchestrator.Domain.Validation;

/// <summary>
/// One violation: the JSON path of the field (<c>$.slurmConfiguration.accounting.defaultPurgeTimeInDays</c>),
/// the rule it breaks (one of <see cref="Rules"/>), a sentence for people, and the offending value when there is one.
/// The same shape travels through handlers, the audit log and the CLI.
/// </summary>
public sealed record ValidationIssue(string Path, string Rule, string Message, string? Value = null)
{
    public override string ToString() => Value is null ? $"{Path}: {Message} [{Rule}]" : $"{Path}: {Message} [{Rule}] (got {Value})";
}

/// <summary>The rule names a <see cref="ValidationIssue"/> can carry.</summary>
public static class Rules
{
    public const string InvalidJson = "invalid-json";
    public const string TooLarge = "too-large";
    public const string Required = "required";
    public const string Type = "type";
    public const string UnknownField = "unknown-field";
    public const string DuplicateProperty = "duplicate-property";
    public const string Pattern = "pattern";
    public const string Range = "range";
    public const string NotZero = "not-zero";
    public const string Enum = "enum";
    public const string Length = "length";
    public const string Timestamp = "timestamp";
    public const string DuplicateSetting = "duplicate-setting";
    public const string UnlistedSetting = "unlisted-setting";
    public const string ControlCharacters = "control-characters";
    public const string Conflict = "conflict";
    public const string EmptyChange = "empty-change";
    public const string TooMany = "too-many";
    public const string DeadlinePassed = "deadline-passed";
    public const string TimeZone = "time-zone";
}

/// <summary>Collects issues in one pass; never throws for bad input.</summary>
public sealed class IssueCollector
{
    private readonly List<ValidationIssue> _issues = [];

    public IReadOnlyList<ValidationIssue> Issues => _issues;

    public bool HasIssues => _issues.Count > 0;

    public void Add(string path, string rule, string message, string? value = null) =>
        _issues.Add(new ValidationIssue(path, rule, message, value is null ? null : Display(value)));

    public void AddRange(IEnumerable<ValidationIssue> issues) => _issues.AddRange(issues);

    /// <summary>Shows a value safely: control characters escaped, long values shortened.</summary>
    public static string Display(string value)
    {
        const int max = 120;
        var builder = new System.Text.StringBuilder(Math.Min(value.Length, max) + 8);
        foreach (var c in value)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
