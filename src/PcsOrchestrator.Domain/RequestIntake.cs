using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain;

/// <summary>An accepted request with its identity and deadline, or the complete list of issues.</summary>
public sealed record IntakeResult(UpdateRequest? Request, RequestIdentity? Identity, DateTimeOffset? Deadline, IReadOnlyList<ValidationIssue> Issues)
{
    public bool Accepted => Request is not null && Identity is not null && Issues.Count == 0;
}

/// <summary>Parse, validate, derive identity: the first step of every run, pure and total (bad input never throws).</summary>
public static class RequestIntake
{
    public static IntakeResult Accept(string json, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Accept(System.Text.Encoding.UTF8.GetBytes(json), receivedAt);
    }

    public static IntakeResult Accept(ReadOnlySpan<byte> utf8Json, DateTimeOffset receivedAt)
    {
        var parsed = RequestParser.Parse(utf8Json);
        if (parsed.Request is null)
        {
            return new IntakeResult(null, null, null, parsed.Issues);
        }

        var issues = new IssueCollector();
        issues.AddRange(parsed.Issues);
        issues.AddRange(RequestValidator.Validate(parsed.Request, parsed.RequestPath, receivedAt));
        if (issues.HasIssues)
        {
            return new IntakeResult(parsed.Request, null, null, Deduplicate(issues.Issues));
        }

        return new IntakeResult(parsed.Request, IdempotencyKeys.Derive(parsed.Request), parsed.Request.Options.EffectiveDeadline(receivedAt), []);
    }

    /// <summary>
    /// The parser and the validator can both speak about one field (a value of the wrong type is then also empty);
    /// the parser's word, which comes first, is the precise one: one issue per field.
    /// </summary>
    private static List<ValidationIssue> Deduplicate(IReadOnlyList<ValidationIssue> issues)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. issues.Where(i => seen.Add(i.Path))];
    }
}
