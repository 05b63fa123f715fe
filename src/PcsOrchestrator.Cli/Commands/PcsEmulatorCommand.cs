using System.CommandLine;
using System.Text.Json;
using PcsOrchestrator.Local.Pcs;

namespace PcsOrchestrator.Cli.Commands;

/// <summary><c>pcs-orchestrator local pcs-emulator</c>: the PCS emulator on its own, for your own automation and the AWS CLI.</summary>
public static class PcsEmulatorCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port to listen on (0: a free one).", DefaultValueFactory = _ => 0 };
        var seed = new Option<FileInfo?>("--seed") { Description = "A seed file: durations and clusters with queues and compute node groups (see local/demo-seed.json)." };
        var create = new Option<int?>("--create-seconds") { Description = "How long CREATING lasts (overrides the seed)." };
        var update = new Option<int?>("--update-seconds") { Description = "How long UPDATING lasts (overrides the seed)." };
        var delete = new Option<int?>("--delete-seconds") { Description = "How long DELETING lasts (overrides the seed)." };
        var accessKey = new Option<string?>("--strict-access-key-id") { Description = "Strict mode: verify SigV4 signatures made with this access key id ..." };
        var secretKey = new Option<string?>("--strict-secret-access-key") { Description = "... and this secret access key." };
        var command = new Command("pcs-emulator", "Run the PCS emulator on 127.0.0.1 until Ctrl-C; prints one JSON line with its endpoint once it listens.")
        {
            port, seed, create, update, delete, accessKey, secretKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var io = parse.InvocationConfiguration;
            if (parse.GetValue(port) is < 0 or > 65535)
            {
                await io.Error.WriteLineAsync("error: --port must be between 0 and 65535");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(accessKey) is null != parse.GetValue(secretKey) is null)
            {
                await io.Error.WriteLineAsync("error: --strict-access-key-id and --strict-secret-access-key go together");
                return ExitCodes.Usage;
            }

            EmulatorSeed? seeded = null;
            if (parse.GetValue(seed) is { } file)
            {
                try
                {
                    seeded = EmulatorSeed.Parse(await File.ReadAllTextAsync(file.FullName, cancellationToken));
                }
                catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
                {
                    await io.Error.WriteLineAsync($"error: --seed: {ex.Message}");
                    return ExitCodes.Usage;
                }
            }

            var durations = seeded?.Durations?.ToDurations() ?? new EmulatorDurations();
            durations = durations with
            {
                Create = parse.GetValue(create) is { } c ? TimeSpan.FromSeconds(c) : durations.Create,
                Update = parse.GetValue(update) is { } u ? TimeSpan.FromSeconds(u) : durations.Update,
                Delete = parse.GetValue(delete) is { } d ? TimeSpan.FromSeconds(d) : durations.Delete,
            };
            var options = new PcsEmulatorOptions
            {
                Port = parse.GetValue(port),
                Durations = durations,
                Strict = parse.GetValue(accessKey) is { } key ? new StrictCredentials(key, parse.GetValue(secretKey)!) : null,
            };
            try
            {
                await PcsEmulator.RunAsync(options, io.Output, cancellationToken, seeded is null ? null : seeded.ApplyAsync);
            }
            catch (IOException ex)
            {
                await io.Error.WriteLineAsync($"error: the emulator could not listen: {ex.Message}");
                return ExitCodes.Environment;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
