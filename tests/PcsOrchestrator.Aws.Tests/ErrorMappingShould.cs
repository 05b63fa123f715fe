using System.Net;
using System.Text;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Aws.Tests;

public sealed class ErrorMappingShould
{
    private static PcsServiceException Map(HttpStatusCode status, string body, string? errorTypeHeader = null)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
        if (errorTypeHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", errorTypeHeader);
        }

        return PcsClient.ToException("GetCluster", response, Encoding.UTF8.GetBytes(body), "req-1");
    }

    [Theory]
    [InlineData("ValidationException", typeof(PcsValidationException))]
    [InlineData("ConflictException", typeof(PcsConflictException))]
    [InlineData("ThrottlingException", typeof(PcsThrottlingException))]
    [InlineData("ResourceNotFoundException", typeof(PcsResourceNotFoundException))]
    [InlineData("AccessDeniedException", typeof(PcsAccessDeniedException))]
    [InlineData("InternalServerException", typeof(PcsInternalServerException))]
    [InlineData("ServiceQuotaExceededException", typeof(PcsServiceQuotaExceededException))]
    public void DispatchOnTheTypeNotTheStatus(string type, Type expected)
    {
        var error = Map(HttpStatusCode.BadRequest, $$"""{"__type":"com.amazonaws.pcs#{{type}}","message":"m"}""");

        error.Should().BeOfType(expected);
        error.ErrorCode.Should().Be(type);
        error.RequestId.Should().Be("req-1");
        error.Message.Should().Be("GetCluster: m");
    }

    [Fact]
    public void KeepAnUnknownTypeWithItsNameAndStatus()
    {
        var error = Map((HttpStatusCode)418, """{"__type":"TeapotException","message":"short and stout"}""");

        error.Should().BeOfType<PcsServiceException>();
        error.ErrorCode.Should().Be("TeapotException");
        error.StatusCode.Should().Be((HttpStatusCode)418);
    }

    [Fact]
    public void ReadTheTypeFromTheHeader_WhenTheBodyIsNotJson()
    {
        var error = Map(HttpStatusCode.BadRequest, "<html>", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/");

        error.Should().BeOfType<PcsThrottlingException>();
    }

    [Fact]
    public void CarryTheModeledMembers()
    {
        var validation = (PcsValidationException)Map(HttpStatusCode.BadRequest, """{"__type":"ValidationException","message":"bad","reason":"fieldValidationFailed","fieldList":[{"name":"clientToken","message":"too short"}]}""");
        var throttling = (PcsThrottlingException)Map(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"slow down","retryAfterSeconds":7}""");

        validation.FieldList.Should().ContainSingle().Which.Name.Should().Be("clientToken");
        throttling.RetryAfterSeconds.Should().Be(7);
    }

    [Theory]
    [InlineData(null, null, null, "https://pcs.eu-west-1.amazonaws.com/")]
    [InlineData(null, "http://localhost:4566", null, "http://localhost:4566/")]
    [InlineData(null, "http://localhost:4566", "http://127.0.0.1:9000", "http://127.0.0.1:9000/")]
    [InlineData("http://explicit:1", "http://localhost:4566", "http://127.0.0.1:9000", "http://explicit:1/")]
    public void ResolveTheEndpoint_ExplicitThenServiceVariableThenGlobalVariableThenRegion(string? explicitEndpoint, string? global, string? service, string expected)
    {
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = global, ["AWS_ENDPOINT_URL_PCS"] = service, ["AWS_REGION"] = "eu-west-1" };
        var options = new PcsClientOptions { Endpoint = explicitEndpoint is null ? null : new Uri(explicitEndpoint), Environment = n => environment.GetValueOrDefault(n) };

        options.ResolveEndpoint().Should().Be(new Uri(expected));
    }
}
