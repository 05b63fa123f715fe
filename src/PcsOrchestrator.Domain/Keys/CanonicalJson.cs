using System.Buffers;
using System.Text.Json;
using PcsOrchestrator.Domain.Model;

namespace PcsOrchestrator.Domain.Keys;

/// <summary>
/// The canonical JSON of a requested change: object keys in ordinal order, no whitespace, setting lists sorted by
/// name (PCS settings are a set: order carries no meaning), absent members left out. Two requests that mean the
/// same change produce the same bytes whatever their property order, setting order or whitespace.
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical form of (cluster, change, settings mode, removals, dry run[, scheduled time]).</summary>
    public static byte[] OfRequestedChange(UpdateRequest request, bool includeScheduledTime)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            w.WriteStartObject();
            w.WritePropertyName("change");
            WriteChange(w, request.SlurmConfiguration);
            w.WriteString("cluster", request.ClusterIdentifier);
            w.WriteBoolean("dryRun", request.Options.DryRun);
            w.WritePropertyName("removeSettings");
            w.WriteStartObject();
            foreach (var kind in SortedKinds)
            {
                var names = request.Options.RemoveSettings.For(kind);
                if (names.Count > 0)
                {
                    w.WriteStartArray(kind.WireName());
                    foreach (var name in names.Order(StringComparer.Ordinal))
                    {
                        w.WriteStringValue(name);
                    }

                    w.WriteEndArray();
                }
            }

            w.WriteEndObject();
            if (includeScheduledTime && request.Trigger?.ScheduledTime is { } scheduled)
            {
                w.WriteString("scheduledTime", scheduled.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }

            w.WriteString("settingsMode", request.Options.SettingsMode == SettingsMode.Replace ? "replace" : "merge");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a <c>slurmConfiguration</c> object in UpdateCluster's shape, properties in ordinal order. With
    /// <paramref name="sortLists"/> the settings are sorted by name (the canonical form); without, their order is kept.
    /// </summary>
    public static void WriteChange(Utf8JsonWriter w, SlurmConfigurationChange change, bool sortLists = true)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(change);
        w.WriteStartObject();
        if (change.Accounting is { IsEmpty: false } accounting)
        {
            w.WriteStartObject("accounting");
            if (accounting.DefaultPurgeTimeInDays is { } purge)
            {
                w.WriteNumber("defaultPurgeTimeInDays", purge);
            }

            if (accounting.Mode is { } mode)
            {
                w.WriteString("mode", mode.ToWire());
            }

            w.WriteEndObject();
        }

        WriteList(w, "cgroupCustomSettings", change.CgroupCustomSettings, sortLists);
        if (change.ScaleDownIdleTimeInSeconds is { } scaleDown)
        {
            w.WriteNumber("scaleDownIdleTimeInSeconds", scaleDown);
        }

        WriteList(w, "slurmCustomSettings", change.SlurmCustomSettings, sortLists);
        if (change.SlurmRest?.Mode is { } restMode)
        {
            w.WriteStartObject("slurmRest");
            w.WriteString("mode", restMode.ToWire());
            w.WriteEndObject();
        }

        WriteList(w, "slurmdbdCustomSettings", change.SlurmdbdCustomSettings, sortLists);
        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<CustomSetting>? list, bool sort)
    {
        if (list is null)
        {
            return;
        }

        w.WriteStartArray(name);
        var ordered = sort ? list.OrderBy(s => s.ParameterName, StringComparer.Ordinal).ThenBy(s => s.ParameterValue, StringComparer.Ordinal) : list.AsEnumerable();
        foreach (var setting in ordered)
        {
            w.WriteStartObject();
            w.WriteString("parameterName", setting.ParameterName);
            w.WriteString("parameterValue", setting.ParameterValue);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static readonly SettingsListKind[] SortedKinds = [SettingsListKind.Cgroup, SettingsListKind.Slurm, SettingsListKind.Slurmdbd];
}
