namespace PcsOrchestrator.Local.Lambda;

/// <summary>One function the emulator hosts: how to start its process and what Lambda would give it.</summary>
public sealed record LambdaFunctionOptions
{
    /// <summary>The name callers invoke, the function's logical ID in template.yaml (e.g. <c>PrepareFunction</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The executable to start: the AOT <c>bootstrap</c>, or <c>dotnet</c> with the dll as first argument.</summary>
    public required string Command { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The Handler setting, given to the process as <c>_HANDLER</c>; defaults to <see cref="Name"/>.</summary>
    public string? Handler { get; init; }

    /// <summary>The function's own variables (template.yaml's Environment.Variables). The emulator's reserved variables win over them, as in Lambda.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The function's timeout (template.yaml's Timeout); past it the process is killed and replaced.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>MemorySize, given to the process as <c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c> (not enforced).</summary>
    public int MemoryMb { get; init; } = 128;

    /// <summary>The process's working directory, also <c>LAMBDA_TASK_ROOT</c>; defaults to the command's folder.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>The emulator's settings.</summary>
public sealed record LambdaEmulatorOptions
{
    public IReadOnlyList<LambdaFunctionOptions> Functions { get; init; } = [];

    /// <summary>The Invoke API's port on 127.0.0.1; 0 takes a free one (read it from <see cref="LambdaEmulator.InvokeEndpoint"/>).</summary>
    public int InvokePort { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "123456789012";

    /// <summary>How long a fresh process may take to ask for its first invocation (Lambda's init phase allows 10 s).</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The credentials every function process gets (dummies: the emulator never hands out its own).</summary>
    public string AccessKeyId { get; init; } = "test";

    public string SecretAccessKey { get; init; } = "test";

    public string SessionToken { get; init; } = "test";

    /// <summary>
    /// The only variables a function process inherits from the emulator's own environment (what a host needs to start
    /// <c>dotnet</c>); nothing else leaks in, in particular no real AWS credentials.
    /// </summary>
    public IReadOnlyList<string> InheritedVariables { get; init; } = ["PATH", "HOME", "TMPDIR", "LANG", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_CLI_HOME"];

    /// <summary>Called with (function name, line) for every line a function process writes to stdout or stderr.</summary>
    public Action<string, string>? OnFunctionOutput { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
