using System.Text.Json.Serialization;

namespace PcsOrchestrator.Functions.Contracts;

/// <summary>Source-generated JSON for every step's input and output (AOT-safe; no reflection).</summary>
[JsonSourceGenerationOptions(
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
