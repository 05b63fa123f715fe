using System.Text.Json.Serialization;

namespace PcsOrchestrator.Functions.Contracts;

/// <summary>
/// Source-generated JSON for every step's input and output (AOT-safe; no reflection). The state carries the caller's
/// request as it came, so it may nest deeper than the default 64 levels: the intake refuses a request deeper than
/// <see cref="Domain.Parsing.RequestParser.MaxDepth"/> with its path and rule, which it could not do if reading the
/// state failed first.
/// </summary>
[JsonSourceGenerationOptions(
    MaxDepth = 1024,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(RunState))]
[JsonSerializable(typeof(PrepareInput))]
[JsonSerializable(typeof(PrepareResult))]
[JsonSerializable(typeof(ClaimResult))]
[JsonSerializable(typeof(ReadinessResult))]
[JsonSerializable(typeof(PlanResult))]
[JsonSerializable(typeof(ApplyResult))]
[JsonSerializable(typeof(PollResult))]
[JsonSerializable(typeof(VerifyResult))]
[JsonSerializable(typeof(FinalResult))]
[JsonSerializable(typeof(FailureResult))]
[JsonSerializable(typeof(OpenWindowResult))]
[JsonSerializable(typeof(IssueDocument))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;

/// <summary>A validation issue as it appears in errors and audit entries.</summary>
public sealed class IssueDocument
{
    public required string Path { get; set; }

    public required string Rule { get; set; }

    public required string Message { get; set; }

    public string? Value { get; set; }
}
