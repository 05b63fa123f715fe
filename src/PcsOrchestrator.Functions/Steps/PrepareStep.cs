using System.Text.Json;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// Parse and validate the execution input; derive key, client tokens and deadline. Pure: no I/O. The input is an
/// update request (direct, EventBridge event or scheduler input), a maintenance window's opening, or one cluster's
/// run in an open window.
/// </summary>
public sealed class PrepareStep(StepServices services)
{
    public PrepareResult Run(PrepareInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var receivedAt = input.StartTime ?? services.Time.GetUtcNow();
        if (WindowInputs.IsWindowInput(input.Input))
        {
            return Window(input, receivedAt);
        }

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

    private PrepareResult Window(PrepareInput input, DateTimeOffset receivedAt)
    {
        var (opening, run, issues) = WindowInputs.Parse(input.Input);
        if (issues.Count > 0)
        {
            throw new StepException(ErrorNames.RequestInvalid,
                $"the window input was rejected ({issues.Count} issue{(issues.Count == 1 ? string.Empty : "s")}): " + string.Join("; ", issues));
        }

        var executionId = input.ExecutionId ?? "local";
        if (opening is not null)
        {
            return new PrepareResult
            {
                Opening = new WindowOpeningInfo
                {
                    Window = opening.Window,
                    ScheduledTime = opening.ScheduledTime,
                    ScheduleArn = opening.ScheduleArn,
                    ExecutionId = executionId,
                    StateMachineArn = input.StateMachineArn,
                },
            };
        }

        var key = run!.IdempotencyKey;
        var occurrence = run.Occurrence;
        return new PrepareResult
        {
            Run = new RunInfo
            {
                Kind = RunKinds.Window,
                Window = new WindowRunInfo
                {
                    Name = run.Window,
                    Start = occurrence.Start!.Value,
                    End = occurrence.End,
                    CutoffMinutes = (int)occurrence.Cutoff.TotalMinutes,
                    Drift = run.Drift.ToWire(),
                    ScheduledTime = run.ScheduledTime,
                },
                ExecutionId = executionId,
                ClusterIdentifier = run.ClusterIdentifier,
                ReceivedAt = receivedAt,
                // PCS cannot cancel an update: one started before the cutoff is followed past the window's end.
                Deadline = occurrence.End + services.Settings.WindowRunGrace,
                IdempotencyKey = key,
                PayloadHash = IdempotencyKeys.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(key)),
                ClientToken = IdempotencyKeys.ClientTokenFor(key, "apply"),
                RollbackClientToken = IdempotencyKeys.ClientTokenFor(key, "rollback"),
                Origin = "window",
                Source = "maintenance-window",
                Reason = $"maintenance window {run.Window} opened at {RequestWriter.Timestamp(occurrence.Start!.Value)}",
            },
        };
    }
}
