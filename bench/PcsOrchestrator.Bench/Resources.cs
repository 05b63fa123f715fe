namespace PcsOrchestrator.Bench;

/// <summary>Files embedded from the repository: the state machine definition and the functions' sample events.</summary>
public static class Resources
{
    public static string Read(string name)
    {
        using var stream = typeof(Resources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the bench was built without {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static string Definition => Read("statemachine/update-cluster.asl.json");

    public static string SampleEvent(string function) => Read($"events/{function}.json");
}
