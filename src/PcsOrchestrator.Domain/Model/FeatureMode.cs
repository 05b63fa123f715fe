namespace PcsOrchestrator.Domain.Model;

/// <summary>The <c>mode</c> of accounting and of the Slurm REST API: <c>STANDARD</c> (enabled) or <c>NONE</c>.</summary>
public enum FeatureMode
{
    None,
    Standard,
}

public static class FeatureModeExtensions
{
    public const string StandardWire = "STANDARD";
    public const string NoneWire = "NONE";

    public static string ToWire(this FeatureMode mode) => mode == FeatureMode.Standard ? StandardWire : NoneWire;

    public static bool TryParseWire(string value, out FeatureMode mode)
    {
        switch (value)
        {
            case StandardWire:
                mode = FeatureMode.Standard;
                return true;
            case NoneWire:
                mode = FeatureMode.None;
                return true;
            default:
                mode = FeatureMode.None;
                return false;
        }
    }
}
