namespace PcsOrchestrator.Local.Pcs;

/// <summary>How long each lifecycle transition takes in the emulator. Zero: visible on the next read.</summary>
public sealed record EmulatorDurations
{
    public TimeSpan Create { get; init; } = TimeSpan.Zero;

    public TimeSpan Update { get; init; } = TimeSpan.Zero;

    public TimeSpan Delete { get; init; } = TimeSpan.Zero;
}

public sealed record PcsEmulatorOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public EmulatorDurations Durations { get; init; } = new();

    public string Account { get; init; } = "123456789012";

    public string Region { get; init; } = "us-east-1";

    /// <summary>Strict mode: verify every request's SigV4 signature against these credentials (null: the header's shape only).</summary>
    public StrictCredentials? Strict { get; init; }

    /// <summary>Page size when a list call gives no maxResults.</summary>
    public int DefaultPageSize { get; init; } = 100;
}
