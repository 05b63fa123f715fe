using System.Globalization;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.AspNetCore.Http;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>Credentials the emulator's strict mode accepts: requests must be SigV4-signed with this secret, recently.</summary>
public sealed record StrictCredentials(string AccessKeyId, string SecretAccessKey)
{
    /// <summary>How far a request's X-Amz-Date may be from the emulator's clock (AWS allows 5 minutes).</summary>
    public TimeSpan MaxSkew { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Strict mode: re-signs the received request with AWSSDK.Core's SigV4 signer and the configured secret and compares.</summary>
internal static class SigV4Verifier
{
    public static void Verify(HttpRequest request, byte[] body, string authorization, StrictCredentials credentials, DateTimeOffset now)
    {
        var fields = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        var scope = fields.GetValueOrDefault("Credential")?.Split('/') ?? [];
        if (scope.Length != 5 || scope[0] != credentials.AccessKeyId)
        {
            throw PcsServiceFault.Auth("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (!DateTimeOffset.TryParseExact(request.Headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            throw PcsServiceFault.Auth("IncompleteSignatureException", "The request has no valid X-Amz-Date header.");
        }

        if ((now - signedAt).Duration() > credentials.MaxSkew)
        {
            throw PcsServiceFault.Auth("InvalidSignatureException", $"Signature expired: {signedAt:yyyyMMdd'T'HHmmss'Z'} is now earlier than {(now - credentials.MaxSkew):yyyyMMdd'T'HHmmss'Z'} ({now:yyyyMMdd'T'HHmmss'Z'} - {credentials.MaxSkew.TotalMinutes:0} min.)");
        }

        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Post,
            RequestUri = new Uri($"http://{request.Host}{request.Path}{request.QueryString}"),
            Content = body,
        };
        foreach (var name in (fields.GetValueOrDefault("SignedHeaders") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name != "host")
            {
                signing.Headers[name] = request.Headers[name].ToString();
            }
        }

        var result = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            Region = RegionEndpoint.GetBySystemName(scope[2]),
            Service = scope[3],
            SignedAt = signedAt.UtcDateTime,
        });
        var expected = result.Headers.TryGetValue("Authorization", out var computed) ? computed.Split("Signature=")[^1] : string.Empty;
        if (!string.Equals(expected, fields.GetValueOrDefault("Signature"), StringComparison.Ordinal))
        {
            throw PcsServiceFault.Auth("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
    }
}
