namespace PcsOrchestrator.Bench;

/// <summary>Entry point: <c>dotnet run -c Release --project bench/PcsOrchestrator.Bench -- &lt;benchmark&gt; [options]</c>.</summary>
public static class Program
{
    public static int Main(string[] args) => BenchApp.Run(args);
}
