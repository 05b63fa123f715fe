using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace PcsOrchestrator.Lambda.Runtime.Tests;

public sealed class JsonLoggerShould : IDisposable
{
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE";
    private readonly MemoryStream _stdout = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 30, 15, 123, TimeSpan.Zero));
    private readonly JsonLogger _logger;

    public JsonLoggerShould()
    {
        var environment = new FakeEnvironment(new() { ["AWS_SESSION_TOKEN"] = SessionToken, ["AWS_SECRET_ACCESS_KEY"] = "short" });
        _logger = JsonLogger.ForEnvironment(new JsonLineWriter(_stdout), _time, environment);
    }

    public void Dispose() => _stdout.Dispose();

    [Fact]
    public void WriteOneJsonObjectPerLine_WithTheFixedMembersFirst()
    {
        _logger.Info("first");
        _logger.Log(LogLevel.Warning, "second", new Dictionary<string, string> { ["attempt"] = "2" });

        Lines().Should().Equal(
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"INFO","message":"first"}""",
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"WARN","message":"second","attempt":"2"}""");
    }

    [Fact]
    public void AddTheScopesFields_UntilTheScopeEnds()
    {
        using (_logger.BeginScope(requestId: "r1", traceId: "Root=1-a"))
        {
            using (_logger.BeginScope(execution: "arn:exec", cluster: "pcs_1"))
            {
                _logger.Info("inner");
            }

            _logger.Info("outer");
        }

        _logger.Info("none");

        Lines().Should().Equal(
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"INFO","message":"inner","requestId":"r1","traceId":"Root=1-a","execution":"arn:exec","cluster":"pcs_1"}""",
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"INFO","message":"outer","requestId":"r1","traceId":"Root=1-a"}""",
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"INFO","message":"none"}""");
    }

    [Fact]
    public void NeverWriteASecretValue_ASecretNamedField_OrASignature()
    {
        _logger.Log(
            LogLevel.Error,
            $"token {SessionToken} in Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=0123456789abcdef0123 end",
            new Dictionary<string, string> { ["sessionToken"] = "anything", ["note"] = $"again {SessionToken}" });

        Lines().Should().Equal(
            """{"timestamp":"2026-11-24T08:30:15.123Z","level":"ERROR","message":"token [redacted] in Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=[redacted] end","sessionToken":"[redacted]","note":"again [redacted]"}""");
    }

    [Fact]
    public void IgnoreFieldsThatWouldOverwriteTheFixedMembers()
    {
        using (_logger.BeginScope(requestId: "r1"))
        {
            _logger.Log(LogLevel.Information, "m", new Dictionary<string, string> { ["requestId"] = "forged", ["level"] = "DEBUG" });
        }

        Lines().Should().Equal("""{"timestamp":"2026-11-24T08:30:15.123Z","level":"INFO","message":"m","requestId":"r1"}""");
    }

    [Fact]
    public void DropLinesBelowTheConfiguredLevel()
    {
        var logger = JsonLogger.ForEnvironment(new JsonLineWriter(_stdout), _time, new FakeEnvironment(new() { ["AWS_LAMBDA_LOG_LEVEL"] = "WARN" }));

        logger.Info("dropped");
        logger.Debug("dropped");
        logger.Warn("kept");

        Lines().Should().ContainSingle().Which.Should().Contain("\"message\":\"kept\"");
    }

    [Fact]
    public void KeepLinesWhole_WhenManyThreadsLog()
    {
        Parallel.For(0, 200, i => _logger.Info(new string('x', i * 10)));

        var lines = Lines();
        lines.Should().HaveCount(200);
        lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("message").GetString()!.Length).Order().Should().Equal(Enumerable.Range(0, 200).Select(i => i * 10));
    }

    private string[] Lines() => Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
