using System.Text.Json.Serialization;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>Bodies of the control API under <c>/_emulator/</c>.</summary>
public sealed class FaultRequest
{
    public string Kind { get; set; } = "Throttle";

    public int Count { get; set; } = 1;

    public string? Operation { get; set; }

    public int? RetryAfterSeconds { get; set; }

    public int DelayMilliseconds { get; set; }
}

public sealed class FailNextUpdateRequest
{
    public string ClusterIdentifier { get; set; } = string.Empty;

    public string Code { get; set; } = "SlurmConfigurationError";

    public string Message { get; set; } = "The Slurm controller rejected the new configuration.";
}

public sealed class HoldRequest
{
    public string ResourceType { get; set; } = "cluster";

    public string ClusterIdentifier { get; set; } = string.Empty;

    public string? ChildIdentifier { get; set; }

    public string Status { get; set; } = "UPDATING";

    public int Seconds { get; set; }
}

public sealed class CallsResponse
{
    public Dictionary<string, int> Counts { get; set; } = [];

    public List<RecordedCall> Calls { get; set; } = [];
}

public sealed class ListeningLine
{
    public string Service { get; set; } = "pcs";

    public string Endpoint { get; set; } = string.Empty;

    public string Control { get; set; } = string.Empty;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FailNextUpdateRequest))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(CallsResponse))]
[JsonSerializable(typeof(ListeningLine))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
