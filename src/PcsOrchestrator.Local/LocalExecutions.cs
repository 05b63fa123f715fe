using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using PcsOrchestrator.Functions.Ports;
using PcsOrchestrator.Local.StateMachine;

namespace PcsOrchestrator.Local;

/// <summary>
/// Every execution of the in-process deployment: the ones a caller starts, the ones the local EventBridge Scheduler
/// starts at a window's opening, and the cluster runs an opening starts (as <see cref="IWorkflowStarter"/>, with Step
/// Functions' rule that a name is used once). Tests wait for all of them, however many an execution starts.
/// </summary>
public sealed class LocalExecutions : IWorkflowStarter
{
    private readonly ConcurrentDictionary<string, Execution> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Execution> _all = new();
    private StateMachineRunner? _runner;

    public IReadOnlyList<Execution> All => [.. _all];

    public StateMachineRunner Runner => _runner ?? throw new InvalidOperationException("the runner is not attached yet");

    internal void Attach(StateMachineRunner runner) => _runner = runner;

    /// <summary>Starts an execution (names are not checked: tests may reuse one).</summary>
    public Execution Start(string name, JsonNode? input)
    {
        var execution = Runner.StartExecution(name, input);
        _byName.TryAdd(name, execution);
        _all.Enqueue(execution);
        return execution;
    }

    public Task<bool> StartAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken)
    {
        if (stateMachineArn != Runner.StateMachineArn)
        {
            throw new InvalidOperationException($"state machine {stateMachineArn} does not exist here (this deployment runs {Runner.StateMachineArn})");
        }

        if (_byName.ContainsKey(name))
        {
            return Task.FromResult(false);
        }

        var execution = Runner.StartExecution(name, JsonNode.Parse(input));
        if (!_byName.TryAdd(name, execution))
        {
            execution.Stop("States.Aborted", "a concurrent start of the same name won");
            return Task.FromResult(false);
        }

        _all.Enqueue(execution);
        return Task.FromResult(true);
    }

    public Execution? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Waits until every execution, including any started while waiting, has ended; returns them in start order.</summary>
    public async Task<IReadOnlyList<ExecutionResult>> WhenAllCompletedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            var seen = All;
            await Task.WhenAll(seen.Select(e => e.Completion)).WaitAsync(limit.Token);
            if (All.Count == seen.Count)
            {
                return [.. seen.Select(e => e.Completion.Result)];
            }
        }
    }
}
