using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using PcsOrchestrator.Local;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// <c>pcs-orchestrator local up</c>: the whole product as services on loopback until Ctrl-C or SIGTERM: DynamoDB
/// Local, the PCS emulator with a demo seed, the Lambda emulator running the real <c>bootstrap</c> for every
/// function, and a Step Functions endpoint running the real definition. Prints one JSON line with every endpoint.
/// </summary>
public static class LocalUpCommand
{
    public const string DemoSeedResource = "local/demo-seed.json";

    public static Command Create()
    {
        var speed = new Option<double>("--speed") { Description = "How many times faster than real time Wait states and emulated lifecycles run.", DefaultValueFactory = _ => 1 };
        var seed = new Option<FileInfo?>("--seed") { Description = "The PCS emulator's seed (default: the demo cluster, as local/demo-seed.json)." };
        var bootstrap = new Option<FileInfo?>("--bootstrap") { Description = "The functions' program: an AOT bootstrap (make publish) or a bootstrap.dll (default: the JIT bootstrap.dll shipped with this command)." };
        var definition = new Option<FileInfo?>("--definition") { Description = "An ASL definition file (default: the one shipped with this command)." };
        var prefix = new Option<string>("--table-prefix") { Description = "Prefix of the DynamoDB table names.", DefaultValueFactory = _ => "pcs-orchestrator" };
        var dynamo = new Option<string?>("--dynamodb-endpoint") { Description = "Use a running DynamoDB (Local) endpoint instead of starting one." };
        var sfnPort = new Option<int>("--sfn-port") { Description = "Port of the Step Functions endpoint (0: a free one).", DefaultValueFactory = _ => 0 };
        var lambdaPort = new Option<int>("--lambda-port") { Description = "Port of the Lambda Invoke API (0: a free one).", DefaultValueFactory = _ => 0 };
        var pcsPort = new Option<int>("--pcs-port") { Description = "Port of the PCS emulator (0: a free one).", DefaultValueFactory = _ => 0 };
        var verbose = new Option<bool>("--function-logs") { Description = "Copy the functions' log lines to standard error." };
        var command = new Command("up", "Start the local stack (DynamoDB Local, PCS emulator, Lambda emulator, Step Functions endpoint) until Ctrl-C; prints one JSON line with the endpoints.")
        {
            speed, seed, bootstrap, definition, prefix, dynamo, sfnPort, lambdaPort, pcsPort, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            if (parse.GetValue(speed) < 1)
            {
                return await UsageAsync(io.Error, "--speed must be 1 or more");
            }

            foreach (var port in new[] { sfnPort, lambdaPort, pcsPort })
            {
                if (parse.GetValue(port) is < 0 or > 65535)
                {
                    return await UsageAsync(io.Error, $"{port.Name} must be between 0 and 65535");
                }
            }

            foreach (var file in new[] { parse.GetValue(seed), parse.GetValue(bootstrap), parse.GetValue(definition) })
            {
                if (file is { Exists: false })
                {
                    return await UsageAsync(io.Error, $"file '{file.FullName}' does not exist");
                }
            }

            Uri? dynamoEndpoint = null;
            if (parse.GetValue(dynamo) is { } given && (!Uri.TryCreate(given, UriKind.Absolute, out dynamoEndpoint) || dynamoEndpoint.Scheme is not ("http" or "https")))
            {
                return await UsageAsync(io.Error, $"--dynamodb-endpoint: '{given}' is not an http(s) URL");
            }

            EmulatorSeed emulatorSeed;
            try
            {
                emulatorSeed = EmulatorSeed.Parse(parse.GetValue(seed) is { } s ? await File.ReadAllTextAsync(s.FullName, cancellationToken) : ReadDemoSeed());
            }
            catch (JsonException ex)
            {
                return await UsageAsync(io.Error, $"--seed: {ex.Message}");
            }

            var (program, arguments) = Bootstrap(parse.GetValue(bootstrap));
            var errors = io.Error;
            var options = new LocalServicesOptions
            {
                Definition = Definitions.Load(parse.GetValue(definition)),
                BootstrapCommand = program,
                BootstrapArguments = arguments,
                Seed = emulatorSeed,
                Speed = parse.GetValue(speed),
                DynamoEndpoint = dynamoEndpoint,
                TablePrefix = parse.GetValue(prefix)!,
                StepFunctionsPort = parse.GetValue(sfnPort),
                LambdaPort = parse.GetValue(lambdaPort),
                PcsPort = parse.GetValue(pcsPort),
                OnFunctionOutput = parse.GetValue(verbose) ? (function, line) => errors.WriteLine($"[{function}] {line}") : null,
            };

            // The web hosts inside take SIGTERM and Ctrl-C for themselves; this command's own registration makes
            // either signal stop everything in order and exit 0.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
            LocalServices services;
            try
            {
                services = await LocalServices.StartAsync(options, stop.Token);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                await io.Error.WriteLineAsync($"error: the local stack could not start: {ex.Message}");
                return ExitCodes.Environment;
            }

            await using (services)
            {
                await io.Output.WriteLineAsync(services.Describe().ToJsonString());
                await io.Output.FlushAsync(CancellationToken.None);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C or SIGTERM: the normal end.
                }
            }

            return ExitCodes.Success;

            void Cancel(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    /// <summary>The functions' program: the given AOT binary, <c>dotnet</c> with a given dll, or the JIT bootstrap.dll beside this command.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) Bootstrap(FileInfo? given)
    {
        var path = given?.FullName ?? Path.Combine(AppContext.BaseDirectory, "bootstrap.dll");
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [path]) : (path, []);
    }

    public static string ReadDemoSeed()
    {
        using var stream = Definitions.Assembly.GetManifestResourceStream(DemoSeedResource)
            ?? throw new InvalidOperationException($"{DemoSeedResource} is not embedded in the command");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync("error: " + message);
        return ExitCodes.Usage;
    }
}
