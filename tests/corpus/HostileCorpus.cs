using System.Text;
using System.Text.Json.Nodes;

namespace PcsOrchestrator.Tests.Corpus;

/// <summary>One case of tests/corpus/hostile/cases.json: what it attacks, its bytes, and the issue it must produce.</summary>
public sealed record HostileCase(string Id, string Attack, byte[] Bytes, string Path, string Rule, bool Audited)
{
    /// <summary>Whether the bytes are UTF-8 at all (JSON text must be; no AWS API carries anything else).</summary>
    public bool IsUtf8 => System.Text.Unicode.Utf8.IsValid(Bytes);

    /// <summary>The bytes as a JSON document, when they are one (the cases a Step Functions execution can carry).</summary>
    public JsonNode? Document
    {
        get
        {
            if (!IsUtf8)
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(Bytes, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 1000 });
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Whether the bytes are one well-formed JSON document at all.</summary>
    public bool IsJson => Document is not null || (IsUtf8 && Encoding.UTF8.GetString(Bytes).Trim() == "null");

    public override string ToString() => Id;
}

/// <summary>
/// The hostile-input corpus (linked into the test projects that use it; the JSON file is copied beside the tests).
/// Sources: <c>input</c> (a JSON document, written compactly), <c>text</c> (raw text), <c>base64</c> (raw bytes),
/// <c>generate</c> (built here: documents too large or too deep to keep in the file).
/// </summary>
public static class HostileCorpus
{
    private const string Valid = """{"clusterIdentifier":"demo-cluster","slurmConfiguration":{"scaleDownIdleTimeInSeconds":1800}""";

    public static IReadOnlyList<HostileCase> Cases { get; } = Load();

    public static IEnumerable<TheoryDataRow<string>> Ids => Cases.Select(c => new TheoryDataRow<string>(c.Id));

    public static HostileCase Get(string id) => Cases.Single(c => c.Id == id);

    private static List<HostileCase> Load()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "corpus", "hostile", "cases.json");
        var root = JsonNode.Parse(File.ReadAllText(file))!;
        return [.. root["cases"]!.AsArray().Select(c => new HostileCase(
            c!["id"]!.GetValue<string>(),
            c["attack"]!.GetValue<string>(),
            Bytes(c.AsObject()),
            c["expect"]!["path"]!.GetValue<string>(),
            c["expect"]!["rule"]!.GetValue<string>(),
            c["audited"]?.GetValue<bool>() ?? false))];
    }

    private static byte[] Bytes(JsonObject c)
    {
        if (c.TryGetPropertyValue("input", out var input))
        {
            return Encoding.UTF8.GetBytes(input?.ToJsonString() ?? "null");
        }

        if (c["text"] is { } text)
        {
            return Encoding.UTF8.GetBytes(text.GetValue<string>());
        }

        if (c["base64"] is { } base64)
        {
            return Convert.FromBase64String(base64.GetValue<string>());
        }

        var json = c["generate"]!.GetValue<string>() switch
        {
            "oversized" => Valid + ",\"reason\":\"" + new string('x', 300 * 1024) + "\"}",
            "deep-arrays" => Valid + ",\"reason\":" + new string('[', 200) + new string(']', 200) + "}",
            "deep-objects" => Valid + ",\"reason\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}",
            "too-many-settings" => """{"clusterIdentifier":"demo-cluster","slurmConfiguration":{"slurmCustomSettings":[""" +
                string.Join(",", Enumerable.Range(0, 2000).Select(i => $$"""{"parameterName":"MinJobAge","parameterValue":"{{i}}"}""")) + "]}}",
            var other => throw new InvalidOperationException($"unknown generator '{other}'"),
        };
        return Encoding.UTF8.GetBytes(json);
    }
}
