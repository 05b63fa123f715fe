using System.Buffers;
using System.Globalization;
using System.Text.Json;
using PcsOrchestrator.Domain.Keys;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Parsing;

/// <summary>
/// Writes an <see cref="UpdateRequest"/> back as a direct request document, the shape <see cref="RequestParser"/>
/// reads: later workflow steps, the audit log and the CLI carry requests in this one form.
/// </summary>
public static class RequestWriter
{
    public static byte[] Write(UpdateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, request);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter w, UpdateRequest request)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(request);
        w.WriteStartObject();
        w.WriteString("clusterIdentifier", request.ClusterIdentifier);
        w.WritePropertyName("slurmConfiguration");
        CanonicalJson.WriteChange(w, request.SlurmConfiguration, sortLists: false);
        WriteOptional(w, "clientToken", request.ClientToken);
        WriteOptional(w, "idempotencyKey", request.IdempotencyKey);
        WriteOptional(w, "requestedBy", request.RequestedBy);
        WriteOptional(w, "reason", request.Reason);
        WriteOptional(w, "source", request.Source);
        if (request.MaintenanceWindow is { } window)
        {
            w.WriteStartObject("maintenanceWindow");
            if (window.Start is { } start)
            {
                w.WriteString("start", Timestamp(start));
            }

            w.WriteString("end", Timestamp(window.End));
            w.WriteNumber("cutoffMinutes", (int)window.Cutoff.TotalMinutes);
            w.WriteEndObject();
        }

        if (request.Apply is { } apply)
        {
            w.WriteString("apply", apply.ToWire());
        }

        var o = request.Options;
        w.WriteStartObject("options");
        w.WriteBoolean("dryRun", o.DryRun);
        w.WriteBoolean("rollbackOnFailure", o.RollbackOnFailure);
        if (o.Deadline is { } deadline)
        {
            w.WriteString("deadline", Timestamp(deadline));
        }

        if (o.TimeoutSeconds is { } timeout)
        {
            w.WriteNumber("timeoutSeconds", timeout);
        }

        w.WriteString("settingsMode", o.SettingsMode == SettingsMode.Replace ? RequestParser.SettingsModeReplace : RequestParser.SettingsModeMerge);
        if (!o.RemoveSettings.IsEmpty)
        {
            w.WriteStartObject("removeSettings");
            foreach (var kind in SettingsListKindExtensions.All)
            {
                if (o.RemoveSettings.For(kind) is { Count: > 0 } names)
                {
                    w.WriteStartArray(kind.WireName());
                    foreach (var name in names)
                    {
                        w.WriteStringValue(name);
                    }

                    w.WriteEndArray();
                }
            }

            w.WriteEndObject();
        }

        w.WriteBoolean("allowUnlistedSettings", o.AllowUnlistedSettings);
        if (o.ExpectedUpdateMinutes is { } expected)
        {
            w.WriteNumber("expectedUpdateMinutes", expected);
        }

        if (o.RequeueOnFailure)
        {
            w.WriteBoolean("requeueOnFailure", true);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A configuration as an UpdateCluster <c>slurmConfiguration</c> object (lists in their order).</summary>
    public static byte[] WriteConfiguration(SlurmConfigurationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            CanonicalJson.WriteChange(w, change, sortLists: false);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Timestamp(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
