using System.Text.Json.Nodes;

namespace PcsOrchestrator.Local.StateMachine.Tests;

/// <summary>Time that jumps forward whenever something waits: a run that waits hours takes milliseconds.</summary>
internal sealed class JumpingTime : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero).UtcTicks;

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan && dueTime < TimeSpan.FromDays(1))
        {
            lock (Waits)
            {
                Waits.Add(dueTime);
            }

            Interlocked.Add(ref _ticks, dueTime.Ticks);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}

public sealed class RunnerShould
{
    private static async Task<ExecutionResult> Run(string definition, ITaskInvoker invoker, JsonNode? input, TimeProvider? time = null, IReadOnlyDictionary<string, string>? substitutions = null) =>
        await new StateMachineRunner(StateMachineDefinition.Parse(definition, substitutions), invoker, time ?? new JumpingTime(), () => 0.5).StartExecution("run-1", input).Completion;

    [Fact]
    public async Task ProcessInputParametersResultSelectorResultPathAndOutputPath_InTheSpecsOrder()
    {
        const string definition = """
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"${Fn}","InputPath":"$.in",
              "Parameters":{"value.$":"$.v","fixed":1,"name.$":"$$.Execution.Name","text.$":"States.Format('v={}', $.v)"},
              "ResultSelector":{"doubled.$":"$.r"},"ResultPath":"$.out","OutputPath":"$.out","End":true}}}
            """;
        JsonNode? seen = null;
        var router = new ResourceRouter().Route("Echo", (input, _) =>
        {
            seen = input;
            return Task.FromResult<JsonNode?>(new JsonObject { ["r"] = input!["value"]!.GetValue<int>() * 2 });
        });

        var result = await Run(definition, router, JsonNode.Parse("""{"in":{"v":21},"other":true}"""), substitutions: new Dictionary<string, string> { ["Fn"] = "arn:aws:lambda:us-east-1:123456789012:function:Echo" });

        result.Status.Should().Be(ExecutionStatus.Succeeded);
        seen!.ToJsonString().Should().Be("""{"value":21,"fixed":1,"name":"run-1","text":"v=21"}""");
        result.Output!.ToJsonString().Should().Be("""{"doubled":42}""");
        result.StateTransitions.Should().Be(1);
        result.History.Select(h => h.Type).Should().Equal("ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded");
        result.History.Select(h => h.Id).Should().Equal(1, 2, 3, 4, 5, 6, 7);
    }

    [Fact]
    public async Task RetryWithBackoffCappedAndJittered_CountingEachAttemptAsATransition_ThenCatch()
    {
        const string definition = """
            {"StartAt":"T","States":{
              "T":{"Type":"Task","Resource":"F","Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3,"MaxDelaySeconds":10,"JitterStrategy":"FULL"}],
                   "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Failed"}],"End":true},
              "Failed":{"Type":"Fail","ErrorPath":"$.error.Error","CausePath":"$.error.Cause"}}}
            """;
        var calls = 0;
        var time = new JumpingTime();
        var router = new ResourceRouter().Route("F", (_, _) =>
        {
            calls++;
            throw new TaskFailedException("Busy", "try later");
        });

        var result = await Run(definition, router, new JsonObject(), time);

        calls.Should().Be(4);
        time.Waits.Should().Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)], "2, 6, min(18, 10) seconds, times the jitter draw 0.5");
        result.Status.Should().Be(ExecutionStatus.Failed);
        (result.Error, result.Cause).Should().Be(("Busy", "try later"));
        result.StateTransitions.Should().Be(2 + 3, "T, Failed, and three retries");
    }

    [Fact]
    public async Task LoopThroughChoiceAndWaitWithSecondsPath_For24HoursInMilliseconds()
    {
        const string definition = """
            {"StartAt":"Check","States":{
              "Check":{"Type":"Task","Resource":"Count","ResultPath":"$.check","Next":"Done?"},
              "Done?":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.check.n","NumericGreaterThanEquals":288},{"Variable":"$.check.ok","BooleanEquals":true}],"Next":"Ok"}],"Default":"Wait"},
              "Wait":{"Type":"Wait","SecondsPath":"$.check.wait","Next":"Check"},
              "Ok":{"Type":"Succeed","OutputPath":"$.check"}}}
            """;
        var n = 0;
        var time = new JumpingTime();
        var router = new ResourceRouter().Route("Count", (_, _) => Task.FromResult<JsonNode?>(new JsonObject { ["n"] = ++n, ["ok"] = true, ["wait"] = 300 }));

        var result = await Run(definition, router, new JsonObject(), time);

        result.Status.Should().Be(ExecutionStatus.Succeeded);
        result.Output!["n"]!.GetValue<int>().Should().Be(288);
        (result.StopDate - result.StartDate).Should().Be(TimeSpan.FromSeconds(287 * 300));
        result.StateTransitions.Should().Be((288 * 2) + (287 * 1) + 1);
    }

    [Fact]
    public async Task TreatStatesTaskFailedAsEverythingButATimeout()
    {
        const string definition = """
            {"StartAt":"T","States":{
              "T":{"Type":"Task","Resource":"Slow","TimeoutSeconds":5,"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Caught"},{"ErrorEquals":["States.Timeout"],"ResultPath":"$.timeout","Next":"TimedOut"}],"End":true},
              "Caught":{"Type":"Pass","Result":"task-failed","End":true},
              "TimedOut":{"Type":"Pass","InputPath":"$.timeout","End":true}}}
            """;
        var router = new ResourceRouter().Route("Slow", async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return null;
        });

        var result = await Run(definition, router, new JsonObject(), new FakeTimeProviderThatFiresShortTimers());

        result.Output!["Error"]!.GetValue<string>().Should().Be("States.Timeout");
    }

    [Theory]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[],"End":true}}}""", "Type 'Parallel'")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"x","HeartbeatSeconds":5,"End":true}}}""", "HeartbeatSeconds")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}""", "'B' is not a state")]
    [InlineData("""{"StartAt":"A","QueryLanguage":"JSONata","States":{"A":{"Type":"Succeed"}}}""", "JSONPath")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"x","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}""", "States.ALL must appear alone and in the last")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Hash($.a, 'SHA-256')"},"End":true}}}""", "States.Hash")]
    [InlineData("""{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Missing}","End":true}}}""", "Missing")]
    public void RefuseWhatItCannotRun_WhenTheDefinitionLoads(string definition, string message)
    {
        var act = () => StateMachineDefinition.Parse(definition);

        act.Should().Throw<AslDefinitionException>().WithMessage($"*{message}*");
    }

    [Fact]
    public async Task EndAbortedWhenStopped()
    {
        const string definition = """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}""";
        var execution = new StateMachineRunner(StateMachineDefinition.Parse(definition), new ResourceRouter(), TimeProvider.System).StartExecution("stop-me", null);
        await Task.Delay(50, TestContext.Current.CancellationToken);

        execution.Stop("Operator", "stopped by hand");
        var result = await execution.Completion;

        result.Status.Should().Be(ExecutionStatus.Aborted);
        result.Error.Should().Be("Operator");
        result.History[^1].Type.Should().Be("ExecutionAborted");
    }
}

/// <summary>Real time, except timers of 10 s or less fire at once (the task timeout here), so the test does not sleep.</summary>
internal sealed class FakeTimeProviderThatFiresShortTimers : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime <= TimeSpan.FromSeconds(10) && dueTime > TimeSpan.Zero ? TimeSpan.FromMilliseconds(20) : dueTime, period);
}
