using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PcsOrchestrator.Persistence.Tests;

/// <summary>The maintenance table as raw items, to check exactly what a call wrote (and that nothing else was).</summary>
internal static class MaintenanceTable
{
    /// <summary>Every item as one sorted line each: <c>pk|sk|name=value;…</c> (attributes in name order).</summary>
    public static async Task<List<string>> SnapshotAsync(IAmazonDynamoDB dynamo, string table, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true }, cancellationToken);
            lines.AddRange((page.Items ?? []).Select(Line));
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The partition and sort key of every item, sorted.</summary>
    public static async Task<List<string>> KeysAsync(IAmazonDynamoDB dynamo, string table, CancellationToken cancellationToken) =>
        [.. (await SnapshotAsync(dynamo, table, cancellationToken)).Select(line => string.Join('|', line.Split('|').Take(2)))];

    private static string Line(Dictionary<string, AttributeValue> item) =>
        $"{item["pk"].S}|{item["sk"].S}|" + string.Join(';', item.Where(a => a.Key is not ("pk" or "sk")).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Value(a.Value)}"));

    private static string Value(AttributeValue value) =>
        value.S ?? value.N ?? (value.L is { } list ? "[" + string.Join(',', list.Select(Value)) + "]" : "?");
}
