using System.Security.Cryptography;
using System.Text;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Keys;

/// <summary>The identity of a request: its idempotency key, the hash of its payload and the PCS client tokens derived from the key.</summary>
public sealed record RequestIdentity(string IdempotencyKey, string PayloadHash, string ClientToken, string RollbackClientToken, bool KeyWasDerived);

/// <summary>
/// Derives keys and tokens. The key is the explicit key, else the EventBridge event id, else a SHA-256 over the
/// canonical JSON of (cluster, requested change) — with the scheduled time for scheduler inputs, so each schedule
/// occurrence is one request and a redelivered occurrence is a duplicate.
/// </summary>
public static class IdempotencyKeys
{
    public const string ClientTokenPrefix = "pcso-";
    private const int ClientTokenHexChars = 40;

    public static RequestIdentity Derive(UpdateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payloadHash = Sha256Hex(CanonicalJson.OfRequestedChange(request, includeScheduledTime: false));
        string key;
        var derived = false;
        if (!string.IsNullOrEmpty(request.IdempotencyKey))
        {
            key = request.IdempotencyKey;
        }
        else if (request.Trigger?.EventId is { Length: > 0 } eventId)
        {
            key = $"event:{eventId}";
        }
        else
        {
            derived = true;
            key = request.Origin == RequestOrigin.Scheduler
                ? Sha256Hex(CanonicalJson.OfRequestedChange(request, includeScheduledTime: true))
                : payloadHash;
        }

        var clientToken = string.IsNullOrEmpty(request.ClientToken) ? ClientTokenFor(key, "apply") : request.ClientToken;
        return new RequestIdentity(key, payloadHash, clientToken, ClientTokenFor(key, "rollback"), derived);
    }

    /// <summary>A PCS client token (8 to 100 characters) derived deterministically from the key and its purpose.</summary>
    public static string ClientTokenFor(string key, string purpose)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(purpose);
        var hex = Sha256Hex(Encoding.UTF8.GetBytes($"pcs-orchestrator/client-token/v1\n{purpose}\n{key}"));
        return ClientTokenPrefix + hex[..ClientTokenHexChars];
    }

    /// <summary>
    /// A Step Functions execution name for the key (1 to 80 characters of letters, digits, '-' and '_'), so that
    /// StartExecution itself refuses a second start of the same request for 90 days.
    /// </summary>
    public static string ExecutionName(string clusterIdentifier, string key)
    {
        ArgumentNullException.ThrowIfNull(clusterIdentifier);
        ArgumentNullException.ThrowIfNull(key);
        var cluster = new string([.. clusterIdentifier.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(30)]);
        var hash = Sha256Hex(Encoding.UTF8.GetBytes(key))[..32];
        return $"{cluster}-{hash}";
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
