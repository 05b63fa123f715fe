using System.Text.Json.Nodes;

namespace PcsOrchestrator.Domain.Tests;

/// <summary>Request documents for tests: the seed's example, and a request using every field of the current model.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 22, 0, 0, TimeSpan.Zero);

    public static string Seed => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "seed-request.json"));

    /// <summary>A valid request that uses every field the orchestrator accepts.</summary>
    public static JsonObject Full() => new()
    {
        ["clusterIdentifier"] = "research-cluster",
        ["clientToken"] = "client-token-1234",
        ["idempotencyKey"] = "CHG-1234",
        ["requestedBy"] = "alice@example.com",
        ["reason"] = "Raise idle time for the weekend",
        ["source"] = "cli",
        ["slurmConfiguration"] = new JsonObject
        {
            ["scaleDownIdleTimeInSeconds"] = 900,
            ["slurmCustomSettings"] = new JsonArray(Setting("MinJobAge", "600"), Setting("PriorityWeightAge", "1000")),
            ["slurmdbdCustomSettings"] = new JsonArray(Setting("PurgeJobAfter", "12month")),
            ["cgroupCustomSettings"] = new JsonArray(Setting("ConstrainCores", "yes")),
            ["accounting"] = new JsonObject { ["defaultPurgeTimeInDays"] = 30, ["mode"] = "STANDARD" },
            ["slurmRest"] = new JsonObject { ["mode"] = "STANDARD" },
        },
        ["maintenanceWindow"] = new JsonObject { ["end"] = "2026-11-25T06:00:00Z", ["cutoffMinutes"] = 30 },
        ["options"] = new JsonObject
        {
            ["dryRun"] = false,
            ["rollbackOnFailure"] = true,
            ["timeoutSeconds"] = 7200,
            ["settingsMode"] = "merge",
            ["removeSettings"] = new JsonObject { ["slurmCustomSettings"] = new JsonArray("Prolog") },
            ["allowUnlistedSettings"] = false,
            ["expectedUpdateMinutes"] = 20,
        },
    };

    public static JsonObject Setting(string name, string value) => new() { ["parameterName"] = name, ["parameterValue"] = value };

    public static JsonObject EventBridge(JsonNode detail, string id = "6f9a2d1e-0000-4000-8000-000000000001") => new()
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = "PCS Cluster Update Requested",
        ["source"] = "com.example.hpc",
        ["account"] = "123456789012",
        ["time"] = "2026-11-24T21:59:58Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = detail,
    };

    public static JsonObject Scheduler(JsonNode request, string scheduledTime = "2026-11-24T22:00:00Z") => new()
    {
        ["scheduledTime"] = scheduledTime,
        ["scheduleArn"] = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/pcs-weekly",
        ["request"] = request,
    };
}
