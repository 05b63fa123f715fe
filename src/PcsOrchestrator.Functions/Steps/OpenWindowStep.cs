using System.Globalization;
using PcsOrchestrator.Domain;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Windows;
using PcsOrchestrator.Functions.Contracts;

namespace PcsOrchestrator.Functions.Steps;

/// <summary>
/// A maintenance window opened (its EventBridge Scheduler schedule fired): start one run per cluster it covers that
/// has queued changes (or, with drift detection, every cluster), each an execution of this state machine named after
/// the window, the occurrence and the cluster, so a schedule that fires twice starts each run once. The window's
/// definition is read now, so an edit made since the schedule was set counts; a definition that has no occurrence
/// opening at the scheduled time (edited or deleted meanwhile) starts nothing.
/// </summary>
public sealed class OpenWindowStep(StepServices services)
{
    public async Task<OpenWindowResult> RunAsync(RunState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var opening = state.Opening ?? throw new InvalidOperationException("the state has no 'opening' section: Prepare has not run on a window input");
        var window = await services.Maintenance.GetWindowAsync(opening.Window, cancellationToken);
        if (window is null)
        {
            return new OpenWindowResult
            {
                Outcome = OpenWindowResult.Outcomes.NoWindow,
                Window = opening.Window,
                Reason = $"maintenance window {opening.Window} is not defined (deleted since its schedule was set?): nothing was started; delete its schedule or define the window again",
            };
        }

        // EventBridge Scheduler sends the scheduled time, which is the occurrence's start even when delivery was late.
        var occurrence = window.OccurrenceAt(opening.ScheduledTime) ?? window.Schedule.OpenAt(opening.ScheduledTime);
        if (occurrence?.Start is not { } start)
        {
            return new OpenWindowResult
            {
                Outcome = OpenWindowResult.Outcomes.NotOpen,
                Window = window.Name,
                Reason = $"maintenance window {window.Name} ({window.Schedule.Expression} in {window.Schedule.Zone.Id}) has no occurrence open at {RequestWriter.Timestamp(opening.ScheduledTime)}: its schedule and its definition disagree (run 'pcs-orchestrator window set' again); nothing was started",
            };
        }

        var stateMachine = opening.StateMachineArn ?? throw new StepException(ErrorNames.RequestInvalid, "the window opening carries no state machine ARN ($$.StateMachine.Id): the cluster runs cannot be started");
        var runs = new List<WindowClusterRun>();
        foreach (var cluster in window.Clusters)
        {
            // A cluster belongs to one window: the stack's default window lists clusters that may since have been given
            // a stored window of their own, and that window applies their changes, not this one.
            if ((await services.Maintenance.WindowOfClusterAsync(cluster, cancellationToken))?.Name is { } owner && owner != window.Name)
            {
                runs.Add(new WindowClusterRun { ClusterIdentifier = cluster, Action = "skipped", Reason = $"covered by maintenance window {owner}" });
                continue;
            }

            // Pending changes, and any an earlier run left applying (the run takes those over once it holds the lock).
            var pending = (await services.Maintenance.ChangesForRunAsync(cluster, cancellationToken)).Count;
            if (pending == 0 && window.Drift == DriftMode.Off)
            {
                runs.Add(new WindowClusterRun { ClusterIdentifier = cluster, Action = "skipped", Reason = "no queued changes" });
                continue;
            }

            var run = new WindowRun(window.Name, cluster, occurrence, window.Drift, opening.ScheduledTime);
            var started = await services.Starter.StartAsync(stateMachine, run.ExecutionName, System.Text.Encoding.UTF8.GetString(run.ToJson()), cancellationToken);
            runs.Add(new WindowClusterRun
            {
                ClusterIdentifier = cluster,
                Action = started ? "started" : "already-started",
                ExecutionName = run.ExecutionName,
                Pending = pending,
                Reason = pending == 0
                    ? $"no queued changes; drift {window.Drift.ToWire()}"
                    : $"{pending.ToString(CultureInfo.InvariantCulture)} queued change{(pending == 1 ? string.Empty : "s")}",
            });
        }

        return new OpenWindowResult
        {
            Outcome = OpenWindowResult.Outcomes.Opened,
            Window = window.Name,
            Start = start,
            End = occurrence.End,
            Runs = runs,
            Reason = $"{runs.Count(r => r.Action != "skipped").ToString(CultureInfo.InvariantCulture)} of {runs.Count.ToString(CultureInfo.InvariantCulture)} clusters have work in this window",
        };
    }
}
