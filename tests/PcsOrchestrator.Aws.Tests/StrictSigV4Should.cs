using System.Net;
using System.Text;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using PcsOrchestrator.Aws.Pcs;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Aws.Tests;

/// <summary>The emulator's strict mode checks SigV4 signatures for real; the project's client passes it.</summary>
[Trait("Category", "Integration")]
public sealed class StrictSigV4Should
{
    private const string Key = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static Task<PcsEmulator> StartAsync(TimeProvider time) =>
        PcsEmulator.StartAsync(new PcsEmulatorOptions { Time = time, Strict = new StrictCredentials(Key, Secret) });

    private static PcsClient Client(PcsEmulator emulator, string secret, HttpMessageHandler? inner = null) => new(new PcsClientOptions
    {
        Endpoint = emulator.Endpoint,
        Region = "us-east-1",
        Credentials = new BasicAWSCredentials(Key, secret),
        MaxAttempts = 1,
        InnerHandler = inner,
    });

    [Fact]
    public async Task AcceptTheClientsSignature()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        using var client = Client(emulator, Secret);

        (await client.ListClustersAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
    }

    [Fact]
    public async Task RejectASignatureMadeWithTheWrongSecret()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        using var client = Client(emulator, "not-the-secret-at-all");

        var act = () => client.ListClustersAsync(TestContext.Current.CancellationToken);

        var error = (await act.Should().ThrowAsync<PcsServiceException>()).Which;
        error.ErrorCode.Should().Be("InvalidSignatureException");
        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RejectAStaleTimestamp()
    {
        await using var emulator = await StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(20)));
        using var client = Client(emulator, Secret);

        var act = () => client.ListClustersAsync(TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<PcsServiceException>()).Which.Message.Should().Contain("Signature expired");
    }

    [Fact]
    public async Task RejectABodyChangedAfterSigning()
    {
        await using var emulator = await StartAsync(TimeProvider.System);
        using var client = Client(emulator, Secret, new TamperingHandler());

        var act = () => client.GetClusterAsync("research", TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<PcsServiceException>()).Which.ErrorCode.Should().Be("InvalidSignatureException");
    }

    /// <summary>Sits below the signer and swaps the body for another after the signature was computed.</summary>
    private sealed class TamperingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var original = await request.Content!.ReadAsStringAsync(cancellationToken);
            var headers = request.Content.Headers.ToList();
            request.Content = new StringContent(original.Replace("research", "hijacked", StringComparison.Ordinal), Encoding.UTF8);
            request.Content.Headers.Clear();
            foreach (var (name, values) in headers)
            {
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }

            request.Content.Headers.ContentLength = null;
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
