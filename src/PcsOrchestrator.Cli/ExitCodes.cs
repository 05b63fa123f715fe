namespace PcsOrchestrator.Cli;

/// <summary>The command's exit codes (documented in the README).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for a run: the update succeeded, or there was nothing to do).</summary>
    public const int Success = 0;

    /// <summary>The run ended in failure (rejected, blocked, update failed, deadline passed, ...).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself was wrong (unknown option, missing argument, missing file).</summary>
    public const int Usage = 2;

    /// <summary>Something the command needs is missing or broke (an emulator did not start, a port was taken).</summary>
    public const int Environment = 3;
}
