using System.Reflection;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>The state machine definitions shipped inside the command (from statemachine/*.asl.json).</summary>
public static class Definitions
{
    public const string UpdateCluster = "update-cluster.asl.json";

    public static string Read(string name = UpdateCluster)
    {
        using var stream = typeof(Definitions).Assembly.GetManifestResourceStream("statemachine/" + name)
            ?? throw new InvalidOperationException($"the definition {name} is not embedded in {typeof(Definitions).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The definition from <paramref name="path"/>, or the embedded one when no path is given.</summary>
    public static string Load(FileInfo? path) => path is null ? Read() : File.ReadAllText(path.FullName);

    public static IEnumerable<string> Names() =>
        typeof(Definitions).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("statemachine/", StringComparison.Ordinal))
            .Select(n => n["statemachine/".Length..]);

    internal static Assembly Assembly => typeof(Definitions).Assembly;
}
