using System.CommandLine;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PcsOrchestrator.Persistence;

namespace PcsOrchestrator.Cli.Commands;

/// <summary>
/// One of the stack's tables as the commands find it: <c>--table</c> (or another option), else
/// <c>&lt;--table-prefix&gt;-&lt;suffix&gt;</c>, else the variable the functions read, else the name <c>local up</c> gives it.
/// </summary>
public sealed record TableKind(string Name, string Variable, Func<TableNames, string> OfPrefix, string StackOutput)
{
    /// <summary>The prefix <c>local up</c> gives its tables by default.</summary>
    public const string DefaultPrefix = "pcs-orchestrator";

    public static TableKind Audit { get; } = new("audit", TableNames.AuditVariable, t => t.Audit, "AuditTableName");

    public static TableKind Maintenance { get; } = new("maintenance", TableNames.MaintenanceVariable, t => t.Maintenance, "MaintenanceTableName");

    /// <summary>The option's help: how the table is found without it.</summary>
    public string Help =>
        $"The {Name} table's name. Without it: <prefix>-{Name} when --table-prefix is given, else ${Variable} (what the functions read), else {DefaultPrefix}-{Name} (the name local up gives it). For a deployed stack: its {StackOutput} output.";

    public string Resolve(string? table, string? prefix, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return table
            ?? (prefix is not null ? OfPrefix(TableNames.WithPrefix(prefix)) : null)
            ?? CommandSupport.Configured(environment, Variable)
            ?? OfPrefix(TableNames.WithPrefix(DefaultPrefix));
    }
}

/// <summary>What a command's work gets: the DynamoDB client, the tables it resolved and where DynamoDB is (for messages).</summary>
internal sealed record StoreContext(IAmazonDynamoDB Dynamo, string Table, string? SecondTable, string Where);

/// <summary>
/// Where a command's tables are: <c>--table</c> (the command's own table), optionally a second table option (the
/// audit table for a command that writes an audit entry beside the maintenance table), <c>--table-prefix</c> for both,
/// <c>--dynamodb-endpoint</c>, <c>--region</c> and <c>--output</c>. <see cref="RunAsync"/> checks them, opens the
/// client and maps DynamoDB's failures to exit codes: a missing table or no answer is 3, a refusal 1.
/// </summary>
internal sealed class StoreOptions
{
    private readonly TableKind _kind;
    private readonly (TableKind Kind, Option<string?> Option)? _second;

    public StoreOptions(TableKind kind, TableKind? second = null)
    {
        _kind = kind;
        Table = new Option<string?>("--table") { Description = kind.Help };
        Prefix = new Option<string?>("--table-prefix")
        {
            Description = second is null
                ? $"The prefix of the stack's tables, as given to local up --table-prefix: the {kind.Name} table is <prefix>-{kind.Name}."
                : $"The prefix of the stack's tables, as given to local up --table-prefix: the {kind.Name} table is <prefix>-{kind.Name}, the {second.Name} table <prefix>-{second.Name}.",
        };
        if (second is not null)
        {
            _second = (second, new Option<string?>($"--{second.Name}-table") { Description = second.Help });
        }
    }

    public Option<string?> Table { get; }

    public Option<string?> Prefix { get; }

    public Option<string?> Endpoint { get; } = new("--dynamodb-endpoint") { Description = "The DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the region's); local up prints it as 'dynamodb'." };

    public Option<string?> Region { get; } = CommandSupport.RegionOption();

    public Option<string> Output { get; } = CommandSupport.OutputOption();

    public bool Json(ParseResult parse) => parse.GetValue(Output) == "json";

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Table);
        if (_second is { } second)
        {
            command.Options.Add(second.Option);
        }

        command.Options.Add(Prefix);
        command.Options.Add(Endpoint);
        command.Options.Add(Region);
        command.Options.Add(Output);
    }

    /// <summary>
    /// Checks the options (a bad one is exit 2), opens DynamoDB and runs <paramref name="work"/>; DynamoDB's failures
    /// become one <c>error:</c> line: a missing table or an endpoint that does not answer exit 3, a refusal exit 1.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<StoreContext, Task<int>> work)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(work);
        var io = parse.InvocationConfiguration;
        if (parse.GetValue(Prefix) is not null && (parse.GetValue(Table) is not null || (_second is { } s && parse.GetValue(s.Option) is not null)))
        {
            return await CommandSupport.UsageAsync(io.Error, _second is null
                ? "--table and --table-prefix name the same table: give one of them"
                : $"--table-prefix names both tables: give it, or --table and --{_second.Value.Kind.Name}-table, not both");
        }

        if (!CommandSupport.TryHttpUrl(parse.GetValue(Endpoint), out var endpoint))
        {
            return await CommandSupport.UsageAsync(io.Error, $"--dynamodb-endpoint: '{parse.GetValue(Endpoint)}' is not an http(s) URL");
        }

        var environment = (Func<string, string?>)Environment.GetEnvironmentVariable;
        var table = _kind.Resolve(parse.GetValue(Table), parse.GetValue(Prefix), environment);
        var secondTable = _second is { } other ? other.Kind.Resolve(parse.GetValue(other.Option), parse.GetValue(Prefix), environment) : null;
        AmazonDynamoDBClient dynamo;
        try
        {
            dynamo = DynamoClient(endpoint, parse.GetValue(Region), environment);
        }
        catch (AmazonClientException ex)
        {
            return await CommandSupport.FailAsync(io.Error, $"the DynamoDB client could not be configured (endpoint, region or credentials): {ex.Message}", ExitCodes.Environment);
        }

        using (dynamo)
        {
            var where = dynamo.Config.ServiceURL ?? $"the endpoint of region {dynamo.Config.RegionEndpoint?.SystemName ?? "(unresolved)"}";
            try
            {
                return await work(new StoreContext(dynamo, table, secondTable, where));
            }
            catch (ResourceNotFoundException)
            {
                var missing = secondTable is null
                    ? $"the {_kind.Name} table '{table}' does not exist at {where} (choose it with --table, --table-prefix or {_kind.Variable})"
                    : $"the {_kind.Name} table '{table}' or the {_second!.Value.Kind.Name} table '{secondTable}' does not exist at {where} (choose them with --table and --{_second.Value.Kind.Name}-table, --table-prefix, or {_kind.Variable} and {_second.Value.Kind.Variable})";
                return await CommandSupport.FailAsync(io.Error, missing, ExitCodes.Environment);
            }
            catch (AmazonServiceException ex) when ((int)ex.StatusCode is > 0 and < 500)
            {
                return await CommandSupport.FailAsync(io.Error, $"DynamoDB at {where} refused the request on '{table}'{(secondTable is null ? string.Empty : $" / '{secondTable}'")} ({ex.ErrorCode}): {ex.Message}", ExitCodes.Failed);
            }
            catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or HttpRequestException or System.Net.Sockets.SocketException)
            {
                return await CommandSupport.FailAsync(io.Error, $"DynamoDB at {where} could not be reached or used: {ex.Message}", ExitCodes.Environment);
            }
        }
    }

    /// <summary>
    /// A DynamoDB client: the endpoint given, else AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL (as the functions
    /// resolve it), else the region's; credentials from the SDK's default chain.
    /// </summary>
    public static AmazonDynamoDBClient DynamoClient(Uri? endpoint, string? region, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var config = new AmazonDynamoDBConfig();
        var configured = endpoint?.ToString() ?? CommandSupport.Configured(environment, "AWS_ENDPOINT_URL_DYNAMODB") ?? CommandSupport.Configured(environment, "AWS_ENDPOINT_URL");
        if (configured is not null)
        {
            config.ServiceURL = configured;
            config.AuthenticationRegion = region ?? CommandSupport.Configured(environment, "AWS_REGION") ?? CommandSupport.Configured(environment, "AWS_DEFAULT_REGION") ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonDynamoDBClient(config);
    }
}
