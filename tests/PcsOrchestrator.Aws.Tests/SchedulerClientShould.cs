using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using PcsOrchestrator.Aws.EventBridgeScheduler;

namespace PcsOrchestrator.Aws.Tests;

/// <summary>The Scheduler client's REST-JSON wire format, error mapping and retries, against canned answers (no emulator).</summary>
public sealed class SchedulerClientShould
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/scheduler";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScheduleRequest Weekly(string name = "weekly") => new()
    {
        Name = name,
        ScheduleExpression = "cron(0 3 ? * SUN *)",
        ScheduleExpressionTimezone = "Europe/Berlin",
        StartDate = new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero),
        FlexibleTimeWindow = new FlexibleTimeWindow { Mode = FlexibleTimeWindowModes.Off },
        Target = new Target { Arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m", RoleArn = RoleArn, Input = "{}" },
    };

    [Fact]
    public async Task SendCreateSchedule_AsAPostToTheSchedulesName_WithTheModelsMemberNames()
    {
        using var handler = new CannedHandler((HttpStatusCode.OK, """{"ScheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/default/weekly"}""", null));
        using var client = Client(handler);

        var arn = await client.CreateScheduleAsync(Weekly(), Ct);

        arn.Should().Be("arn:aws:scheduler:us-east-1:123456789012:schedule/default/weekly");
        var sent = handler.Requests.Should().ContainSingle().Subject;
        sent.Method.Should().Be("POST");
        sent.Uri.Should().Be("https://scheduler.eu-west-1.amazonaws.com/schedules/weekly");
        sent.ContentType.Should().Be("application/json");
        sent.Authorization.Should().StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/").And.Contain("/eu-west-1/scheduler/aws4_request");
        using var body = JsonDocument.Parse(sent.Body!);
        var members = body.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        members.Should().BeEquivalentTo(["ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "FlexibleTimeWindow", "ClientToken", "Target"], "Name is the URI label and nulls are left out");
        body.RootElement.GetProperty("StartDate").GetDouble().Should().Be(1803945600, "rest-json timestamps are epoch seconds");
        body.RootElement.GetProperty("FlexibleTimeWindow").GetProperty("Mode").GetString().Should().Be("OFF");
        body.RootElement.GetProperty("Target").GetProperty("RoleArn").GetString().Should().Be(RoleArn);
        body.RootElement.GetProperty("ClientToken").GetString().Should().MatchRegex("^[a-zA-Z0-9-_]{1,64}$");
    }

    [Fact]
    public async Task SendUpdateAsPut_GetAndDeleteWithTheirQueryMembers_AndEscapeTheNameLabel()
    {
        using var handler = new CannedHandler(
            (HttpStatusCode.OK, """{"ScheduleArn":"arn"}""", null),
            (HttpStatusCode.OK, """{"Arn":"arn","Name":"a b","CreationDate":1803945600.5}""", null),
            (HttpStatusCode.OK, string.Empty, null));
        using var client = Client(handler);

        await client.UpdateScheduleAsync(Weekly("a b"), Ct);
        var schedule = await client.GetScheduleAsync("a b", "windows", Ct);
        await client.DeleteScheduleAsync("a b", null, Ct);

        handler.Requests.Select(r => (r.Method, r.Uri.Split('?')[0])).Should().Equal(
            ("PUT", "https://scheduler.eu-west-1.amazonaws.com/schedules/a%20b"),
            ("GET", "https://scheduler.eu-west-1.amazonaws.com/schedules/a%20b"),
            ("DELETE", "https://scheduler.eu-west-1.amazonaws.com/schedules/a%20b"));
        handler.Requests[1].Uri.Should().EndWith("?groupName=windows");
        handler.Requests[1].Body.Should().BeNull();
        handler.Requests[2].Uri.Should().MatchRegex(@"\?clientToken=[0-9a-f-]{36}$", "a null group is left out, and DeleteSchedule carries an idempotency token");
        schedule.CreationDate.Should().Be(new DateTimeOffset(2027, 3, 2, 0, 0, 0, 500, TimeSpan.Zero));
    }

    [Fact]
    public async Task FollowNextTokenThroughEveryPage_WithTheFiltersOnEveryPage()
    {
        using var handler = new CannedHandler(
            (HttpStatusCode.OK, """{"Schedules":[{"Arn":"a1","Name":"w-1"}],"NextToken":"t/1+"}""", null),
            (HttpStatusCode.OK, """{"Schedules":[{"Arn":"a2","Name":"w-2","Target":{"Arn":"sm"}}]}""", null));
        using var client = Client(handler);

        var schedules = await client.ListSchedulesAsync(new ScheduleFilter { GroupName = "g", NamePrefix = "w-", State = ScheduleStates.Enabled }, Ct, pageSize: 1);

        schedules.Select(s => s.Name).Should().Equal("w-1", "w-2");
        schedules[1].Target!.Arn.Should().Be("sm");
        handler.Requests.Select(r => r.Uri).Should().Equal(
            "https://scheduler.eu-west-1.amazonaws.com/schedules?MaxResults=1&NamePrefix=w-&ScheduleGroup=g&State=ENABLED",
            "https://scheduler.eu-west-1.amazonaws.com/schedules?MaxResults=1&NamePrefix=w-&NextToken=t%2F1%2B&ScheduleGroup=g&State=ENABLED");
    }

    [Fact]
    public async Task RefuseAPaginationLoop()
    {
        using var handler = new CannedHandler(
            (HttpStatusCode.OK, """{"Schedules":[],"NextToken":"again"}""", null),
            (HttpStatusCode.OK, """{"Schedules":[],"NextToken":"again"}""", null));
        using var client = Client(handler);

        var error = (await FluentActions.Awaiting(() => client.ListSchedulesAsync(null, Ct)).Should().ThrowAsync<SchedulerException>()).Which;

        error.ErrorCode.Should().Be("InvalidPagination");
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "ThrottlingException")]
    [InlineData(HttpStatusCode.InternalServerError, "InternalServerException")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")]
    public async Task RetryTransientErrors_WithTheSameClientToken(HttpStatusCode status, string type)
    {
        using var handler = new CannedHandler(
            (status, """{"Message":"try again"}""", type),
            (HttpStatusCode.OK, """{"ScheduleArn":"arn"}""", null));
        using var client = Client(handler);

        var arn = await client.CreateScheduleAsync(Weekly(), Ct);

        arn.Should().Be("arn");
        handler.Requests.Should().HaveCount(2);
        handler.Requests.Select(r => JsonDocument.Parse(r.Body!).RootElement.GetProperty("ClientToken").GetString()).Distinct().Should().ContainSingle("a retried create must not make a second schedule");
    }

    [Fact]
    public async Task RetryANetworkFailure_AndReportItAsUnreachableWhenTheBudgetIsSpent()
    {
        using var handler = new CannedHandler();
        using var client = Client(handler);

        var error = (await FluentActions.Awaiting(() => client.GetScheduleAsync("weekly", null, Ct)).Should().ThrowAsync<SchedulerException>()).Which;

        error.ErrorCode.Should().Be(SchedulerException.Unreachable);
        error.IsTransient.Should().BeTrue();
        handler.Requests.Should().HaveCount(3, "the transport's budget is three attempts");
    }

    [Fact]
    public async Task NotRetryAClientError()
    {
        using var handler = new CannedHandler((HttpStatusCode.BadRequest, """{"Message":"1 validation error detected"}""", "ValidationException"));
        using var client = Client(handler);

        await FluentActions.Awaiting(() => client.CreateScheduleAsync(Weekly(), Ct)).Should().ThrowAsync<SchedulerValidationException>();

        handler.Requests.Should().ContainSingle();
    }

    [Theory]
    [InlineData("ValidationException", typeof(SchedulerValidationException))]
    [InlineData("ConflictException", typeof(SchedulerConflictException))]
    [InlineData("ResourceNotFoundException", typeof(SchedulerResourceNotFoundException))]
    [InlineData("ThrottlingException", typeof(SchedulerThrottlingException))]
    [InlineData("ServiceQuotaExceededException", typeof(SchedulerServiceQuotaExceededException))]
    [InlineData("InternalServerException", typeof(SchedulerInternalServerException))]
    public void DispatchOnTheErrorTypeHeader_NotTheStatus(string type, Type expected)
    {
        var error = Map(HttpStatusCode.BadRequest, """{"Message":"m"}""", $"{type}:http://internal.amazon.com/coral/com.amazonaws.chronos/");

        error.Should().BeOfType(expected);
        error.ErrorCode.Should().Be(type);
        error.Message.Should().Be("GetSchedule: m");
        error.RequestId.Should().Be("req-1");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"code":"ConflictException","message":"lower"}""", "lower")]
    [InlineData("""{"__type":"com.amazonaws.chronos#ConflictException","Message":"upper"}""", "upper")]
    public void ReadTheTypeAndMessageFromTheBody_WhenThereIsNoHeader(string body, string message)
    {
        var error = Map(HttpStatusCode.Conflict, body);

        error.Should().BeOfType<SchedulerConflictException>();
        error.Message.Should().Be("GetSchedule: " + message);
    }

    [Fact]
    public void KeepAnUnknownTypeWithItsNameAndStatus_AndABodyThatIsNotJson()
    {
        var unknown = Map((HttpStatusCode)418, """{"Message":"short and stout"}""", "TeapotException");
        var html = Map(HttpStatusCode.BadGateway, "<html>");

        unknown.Should().BeOfType<SchedulerException>();
        unknown.ErrorCode.Should().Be("TeapotException");
        unknown.StatusCode.Should().Be((HttpStatusCode)418);
        html.ErrorCode.Should().Be("Http502");
        html.IsTransient.Should().BeTrue();
    }

    [Theory]
    [InlineData(null, null, null, "https://scheduler.eu-west-1.amazonaws.com/")]
    [InlineData(null, "http://localhost:4566", null, "http://localhost:4566/")]
    [InlineData(null, "http://localhost:4566", "http://127.0.0.1:9000", "http://127.0.0.1:9000/")]
    [InlineData("http://explicit:1", "http://localhost:4566", "http://127.0.0.1:9000", "http://explicit:1/")]
    public void ResolveTheEndpoint_ExplicitThenServiceVariableThenGlobalVariableThenRegion(string? explicitEndpoint, string? global, string? service, string expected)
    {
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = global, ["AWS_ENDPOINT_URL_SCHEDULER"] = service, ["AWS_REGION"] = "eu-west-1" };
        var options = new SchedulerClientOptions { Endpoint = explicitEndpoint is null ? null : new Uri(explicitEndpoint), Environment = n => environment.GetValueOrDefault(n) };

        options.ResolveEndpoint().Should().Be(new Uri(expected));
    }

    [Fact]
    public void KeepTheEndpointsPath_AsAPrefixOfTheRequestPath()
    {
        var request = new RestJsonRequest("GetSchedule", HttpMethod.Get, "/schedules/a") { Query = [new("groupName", "g h"), new("skipped", null)] };

        request.ResolveAgainst(new Uri("http://127.0.0.1:4566/scheduler/")).Should().Be(new Uri("http://127.0.0.1:4566/scheduler/schedules/a?groupName=g%20h"));
    }

    private static SchedulerException Map(HttpStatusCode status, string body, string? errorTypeHeader = null)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
        if (errorTypeHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", errorTypeHeader);
        }

        return SchedulerClient.ToException("GetSchedule", response, Encoding.UTF8.GetBytes(body), "req-1");
    }

    private static SchedulerClient Client(HttpMessageHandler handler) => new(new SchedulerClientOptions
    {
        Region = "eu-west-1",
        Environment = _ => null,
        Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        BaseDelay = TimeSpan.FromMilliseconds(1),
        Random = () => 0.5,
        InnerHandler = handler,
    });

    private sealed record SentRequest(string Method, string Uri, string? ContentType, string? Authorization, string? Body);

    /// <summary>Answers each request with the next canned response; with none left, the connection fails.</summary>
    private sealed class CannedHandler(params (HttpStatusCode Status, string Body, string? ErrorType)[] answers) : HttpMessageHandler
    {
        private readonly Queue<(HttpStatusCode Status, string Body, string? ErrorType)> _answers = new(answers);

        public List<SentRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, request.Content?.Headers.ContentType?.MediaType, request.Headers.TryGetValues("Authorization", out var authorization) ? authorization.First() : null, body));
            if (!_answers.TryDequeue(out var answer))
            {
                throw new HttpRequestException("Connection refused");
            }

            var response = new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "req-" + Requests.Count);
            if (answer.ErrorType is not null)
            {
                response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", answer.ErrorType);
            }

            return response;
        }
    }
}
