using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Local.Tests;

/// <summary>
/// The emulator does not verify signatures, so the client's REST-JSON signing (paths, query strings, bodies) is
/// checked against botocore's own SigV4 signer: the signature a real Scheduler endpoint recomputes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SigV4Should
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private const string Verifier = """
        import json, sys
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        for sent in json.load(sys.stdin):
            headers = dict(sent["headers"])
            ours = headers.pop("Authorization")
            request = AWSRequest(method=sent["method"], url=sent["url"], data=sent["body"].encode(), headers=headers)
            request.context["timestamp"] = headers["X-Amz-Date"]
            auth = SigV4Auth(Credentials("AKIDEXAMPLE", sys.argv[1]), "scheduler", "us-east-1")
            canonical = auth.canonical_request(request)
            expected = auth.signature(auth.string_to_sign(request, canonical), request)
            signed = auth.signed_headers(auth.headers_to_sign(request))
            print(sent["method"], sent["url"], "ok" if ours.endswith("Signature=" + expected) and ("SignedHeaders=" + signed + ",") in ours else "MISMATCH " + ours)
        """;

    [Fact]
    public async Task SignEveryOperationAsBotocoreDoes()
    {
        using var recorder = new Recorder();
        using var client = new SchedulerClient(new SchedulerClientOptions
        {
            Region = "us-east-1",
            Environment = _ => null,
            Credentials = new BasicAWSCredentials("AKIDEXAMPLE", Secret),
            InnerHandler = recorder,
        });
        var ct = TestContext.Current.CancellationToken;

        await client.CreateScheduleAsync(SchedulerWorld.Schedule("weekly-window", "cron(0 3 ? * SUN *)", "Europe/Berlin"), ct);
        await client.UpdateScheduleAsync(SchedulerWorld.Schedule("weekly-window", "rate(1 day)", configure: r => r.StartDate = SchedulerWorld.Start), ct);
        await client.GetScheduleAsync("weekly-window", "pcs.windows_1", ct);
        await client.ListSchedulesAsync(new ScheduleFilter { GroupName = "default", NamePrefix = "weekly-", State = ScheduleStates.Enabled }, ct, pageSize: 10);
        await client.DeleteScheduleAsync("weekly-window", "default", ct);
        var python = await Tools.PythonWithBotocoreAsync();
        var (exit, stdout, stderr) = await Tools.RunAsync(new ProcessStartInfo(python) { ArgumentList = { "-c", Verifier, Secret } }, JsonSerializer.Serialize(recorder.Sent, CamelCase));

        exit.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5).And.OnlyContain(line => line.EndsWith(" ok", StringComparison.Ordinal), stdout);
        recorder.Sent.Select(s => s.Method).Should().Equal("POST", "PUT", "GET", "GET", "DELETE");
        recorder.Sent[3].Url.Should().Contain("?MaxResults=10&NamePrefix=weekly-&ScheduleGroup=default&State=ENABLED");
    }

    private sealed record Sent(string Method, string Url, string Body, Dictionary<string, string> Headers);

    /// <summary>Keeps every signed request as it would go on the wire and answers with an empty success.</summary>
    private sealed class Recorder : HttpMessageHandler
    {
        public List<Sent> Sent { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = string.Empty;
            if (request.Content is not null)
            {
                body = await request.Content.ReadAsStringAsync(cancellationToken);
                foreach (var header in request.Content.Headers)
                {
                    headers[header.Key] = string.Join(",", header.Value);
                }
            }

            headers["Host"] = request.RequestUri!.Authority;
            Sent.Add(new Sent(request.Method.Method, request.RequestUri.AbsoluteUri, body, headers));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"ScheduleArn":"arn","Arn":"arn","Name":"weekly-window","Schedules":[]}""", Encoding.UTF8, "application/json") };
        }
    }
}
