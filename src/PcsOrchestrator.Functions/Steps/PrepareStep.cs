using System.Text.Json;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>Parse and validate the execution input; derive key, client tokens and deadline. Pure: no I/O.</summary>
public sealed class PrepareStep(StepServices services)
{
    public PrepareResult Run(PrepareInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var receivedAt = input.StartTime ?? services.Time.GetUtcNow();
        var raw = input.Input.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(input.Input, FunctionsJsonContext.Default.JsonElement);
        var intake = RequestIntake.Accept(raw, receivedAt);
        if (!intake.Accepted)
        {
            throw new StepException(ErrorNames.RequestInvalid,
                $"the request was rejected ({intake.Issues.Count} issue{(intake.Issues.Count == 1 ? string.Empty : "s")}): " + string.Join("; ", intake.Issues));
        }

        var request = intake.Request!;
        var identity = intake.Identity!;
        using var normalized = JsonDocument.Parse(RequestWriter.Write(request));
        return new PrepareResult
        {
            Run = new RunInfo
            {
                ExecutionId = input.ExecutionId ?? "local",
                ClusterIdentifier = request.ClusterIdentifier,
                ReceivedAt = receivedAt,
                Deadline = intake.Deadline!.Value,
                IdempotencyKey = identity.IdempotencyKey,
                PayloadHash = identity.PayloadHash,
                ClientToken = identity.ClientToken,
                RollbackClientToken = identity.RollbackClientToken,
                ExplicitClientToken = !string.IsNullOrEmpty(request.ClientToken),
                DryRun = request.Options.DryRun,
                RollbackOnFailure = request.Options.RollbackOnFailure,
                Origin = request.Origin switch
                {
                    RequestOrigin.EventBridge => "eventbridge",
                    RequestOrigin.Scheduler => "scheduler",
                    _ => "direct",
                },
                Source = request.Source,
                RequestedBy = request.RequestedBy,
                Reason = request.Reason,
                EventId = request.Trigger?.EventId,
                Request = normalized.RootElement.Clone(),
            },
        };
    }
}
