using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace PcsOrchestrator.Lambda.Runtime.Tests;

public sealed class EmbeddedMetricsShould : IDisposable
{
    private readonly MemoryStream _stdout = new();
    private readonly EmbeddedMetrics _metrics;

    public EmbeddedMetricsShould() =>
        _metrics = new EmbeddedMetrics(new JsonLineWriter(_stdout), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1795000000000)), "PcsOrchestrator");

    public void Dispose() => _stdout.Dispose();

    [Fact]
    public void WriteACounter_AsOneEmfDocument()
    {
        _metrics.Count("UpdatesStarted", new Dictionary<string, string> { ["FunctionName"] = "ApplyFunction" });

        Lines().Should().Equal(
            """{"_aws":{"Timestamp":1795000000000,"CloudWatchMetrics":[{"Namespace":"PcsOrchestrator","Dimensions":[["FunctionName"]],"Metrics":[{"Name":"UpdatesStarted","Unit":"Count"}]}]},"FunctionName":"ApplyFunction","UpdatesStarted":1}""");
    }

    [Fact]
    public void WriteADuration_InMilliseconds()
    {
        _metrics.Duration("UpdateDuration", TimeSpan.FromSeconds(93.5), new Dictionary<string, string> { ["Service"] = "PcsOrchestrator", ["Outcome"] = "Succeeded" });

        Lines().Should().Equal(
            """{"_aws":{"Timestamp":1795000000000,"CloudWatchMetrics":[{"Namespace":"PcsOrchestrator","Dimensions":[["Service","Outcome"]],"Metrics":[{"Name":"UpdateDuration","Unit":"Milliseconds"}]}]},"Service":"PcsOrchestrator","Outcome":"Succeeded","UpdateDuration":93500}""");
    }

    [Fact]
    public void WriteSeveralMetricsAndProperties_InOneDocument()
    {
        _metrics.Emit(
            new Dictionary<string, string> { ["Service"] = "PcsOrchestrator" },
            [new MetricValue("Polls", 4, MetricUnit.Count), new MetricValue("ReadinessWait", 12.5, MetricUnit.Seconds)],
            new Dictionary<string, string> { ["cluster"] = "pcs_1" });

        Lines().Should().Equal(
            """{"_aws":{"Timestamp":1795000000000,"CloudWatchMetrics":[{"Namespace":"PcsOrchestrator","Dimensions":[["Service"]],"Metrics":[{"Name":"Polls","Unit":"Count"},{"Name":"ReadinessWait","Unit":"Seconds"}]}]},"Service":"PcsOrchestrator","Polls":4,"ReadinessWait":12.5,"cluster":"pcs_1"}""");
    }

    [Fact]
    public void RefuseADocumentWhoseMemberNamesCollide()
    {
        var act = () => _metrics.Emit(new Dictionary<string, string> { ["Polls"] = "x" }, [new MetricValue("Polls", 1, MetricUnit.Count)]);

        act.Should().Throw<ArgumentException>().WithMessage("member name 'Polls' is blank, reserved or used twice*");
        Lines().Should().BeEmpty();
    }

    [Fact]
    public void RefuseADocumentWithoutMetrics()
    {
        var act = () => _metrics.Emit(new Dictionary<string, string>(), []);

        act.Should().Throw<ArgumentException>();
        Lines().Should().BeEmpty();
    }

    private string[] Lines() => Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
