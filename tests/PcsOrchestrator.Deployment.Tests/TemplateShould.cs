using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PcsOrchestrator.Deployment.Tests;

public sealed partial class TemplateShould
{
    private static readonly Template Template = Template.Load();

    [Fact]
    [Trait("Category", "Integration")]
    public async Task PassCfnLint()
    {
        var (exit, output) = await Repo.RunAsync(Repo.Tool("cfn-lint"), ["template.yaml"], TestContext.Current.CancellationToken);

        exit.Should().Be(0, output);
    }

    [Fact]
    public void SubstituteEveryArnOfTheDefinition_AndNothingElse()
    {
        var definition = Repo.Read("statemachine", "update-cluster.asl.json");
        var used = Placeholder().Matches(definition).Select(m => m.Groups[1].Value).ToHashSet();
        var machine = Template.ResourcesOfType("AWS::Serverless::StateMachine").Single().Resource;
        var substitutions = ((YamlMappingNode)Template.Get(machine, "Properties", "DefinitionSubstitutions")!).Children.Keys.Select(k => k.ToString()).ToHashSet();

        substitutions.Should().BeEquivalentTo(used);
        Template.Get(machine, "Properties", "DefinitionUri")!.ToString().Should().Be("statemachine/update-cluster.asl.json");
    }

    [Fact]
    public void RunEveryFunctionOnTheAotCustomRuntime_BuiltByTheMakefile()
    {
        var functions = Template.ResourcesOfType("AWS::Serverless::Function").ToList();
        var makefile = Repo.Read("Makefile");

        functions.Select(f => f.Name).Should().BeEquivalentTo(PcsOrchestrator.Functions.Handlers.HandlerRegistry.Names.Select(n => n + "Function"), "one function per handler");
        Template.Get(Template.Root, "Globals", "Function", "Runtime")!.ToString().Should().Be("provided.al2023");
        Template.Items(Template.Get(Template.Root, "Globals", "Function", "Architectures")).Select(a => a.ToString()).Should().Equal("x86_64");
        foreach (var (name, function) in functions)
        {
            Template.Get(function, "Metadata", "BuildMethod")!.ToString().Should().Be("makefile", name);
            makefile.Should().Contain(name, $"the Makefile has a build-{name} target");
            $"{name}".Should().Be(Template.Get(function, "Properties", "Handler") + "Function", "Handler names the step");
        }
    }

    [Fact]
    public void GrantNoWildcardAction()
    {
        foreach (var (owner, statement) in Template.PolicyStatements())
        {
            foreach (var action in Template.Items(Template.Get(statement, "Action")).Select(a => a.ToString()))
            {
                action.Should().NotContain("*", $"{owner} grants '{action}'");
            }
        }
    }

    [Fact]
    public void GrantPcsOnlyOnTheClustersOfTheStacksAccountAndRegion()
    {
        var statements = Template.PolicyStatements().Where(s => Actions(s.Statement).Any(a => a.StartsWith("pcs:", StringComparison.Ordinal))).ToList();

        statements.Should().NotBeEmpty();
        foreach (var (owner, statement) in statements)
        {
            Actions(statement).Should().OnlyContain(a => a.StartsWith("pcs:", StringComparison.Ordinal), $"{owner} mixes PCS with other services");
            Template.Items(Template.Get(statement, "Resource")).Select(Template.Describe).Should()
                .Equal(["!Sub arn:${AWS::Partition}:pcs:${AWS::Region}:${AWS::AccountId}:cluster/*"], owner);
        }
    }

    [Fact]
    public void GrantDynamoDbOnlyOnTheProjectsTables()
    {
        var tables = Template.ResourcesOfType("AWS::DynamoDB::Table").Select(t => t.Name).ToHashSet();
        var allowed = tables.Select(t => $"!GetAtt {t}.Arn").Concat(tables.Select(t => $"!Sub ${{{t}.Arn}}/index/*")).ToHashSet();
        var statements = Template.PolicyStatements().Where(s => Actions(s.Statement).Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal))).ToList();

        statements.Should().NotBeEmpty();
        foreach (var (owner, statement) in statements)
        {
            Actions(statement).Should().OnlyContain(a => a.StartsWith("dynamodb:", StringComparison.Ordinal), owner);
            Template.Items(Template.Get(statement, "Resource")).Select(Template.Describe).Should().OnlyContain(r => allowed.Contains(r), owner);
        }
    }

    [Fact]
    public void GrantStartExecutionOnlyOnTheProjectsStateMachine()
    {
        // A function's own role cannot !Ref the machine that invokes it (a cycle): it names the machine's ARN from the
        // machine's name, which must then be exactly that name.
        const string byName = "!Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-update-cluster";
        var machine = Template.ResourcesOfType("AWS::Serverless::StateMachine").Single().Resource;
        var statements = Template.PolicyStatements().Where(s => Actions(s.Statement).Contains("states:StartExecution")).ToList();

        Template.Describe(Template.Get(machine, "Properties", "Name")!).Should().Be("!Sub ${AWS::StackName}-update-cluster");
        statements.Select(s => s.Owner).Should().Contain(["SchedulerRole", "OpenWindowFunction"]);
        foreach (var (owner, statement) in statements)
        {
            Actions(statement).Should().Equal(["states:StartExecution"], owner);
            Template.Items(Template.Get(statement, "Resource")).Select(Template.Describe).Should().ContainSingle(owner)
                .Which.Should().BeOneOf(["!Ref UpdateClusterStateMachine", byName], owner);
        }
    }

    [Fact]
    public void StartTheStateMachineFromAnEventBridgeRule_AndOpenTheDefaultWindowFromItsSchedule()
    {
        var machine = Template.ResourcesOfType("AWS::Serverless::StateMachine").Single().Resource;
        var rule = Template.Get(machine, "Properties", "Events", "UpdateRequested")!;
        Template.Get(rule, "Type")!.ToString().Should().Be("EventBridgeRule");
        Template.Describe(Template.Items(Template.Get(rule, "Properties", "Pattern", "source")).Single()).Should().Be("!Ref EventSource");

        var (name, schedule) = Template.ResourcesOfType("AWS::Scheduler::Schedule").Single();
        Template.Get(schedule, "Condition")!.ToString().Should().Be("HasDefaultWindow", "no default window, no schedule");
        Template.Describe(Template.Get(schedule, "Properties", "ScheduleExpression")!).Should().Be("!Ref DefaultWindowSchedule", name);
        Template.Describe(Template.Get(schedule, "Properties", "ScheduleExpressionTimezone")!).Should().Be("!Ref DefaultWindowTimezone", name);
        Template.Describe(Template.Get(schedule, "Properties", "GroupName")!).Should().Be("!Ref WindowScheduleGroup", "the group the CLI's window schedules are in");
        Template.Describe(Template.Get(schedule, "Properties", "Target", "RoleArn")!).Should().Be("!GetAtt SchedulerRole.Arn");

        // What the schedule sends is exactly what a window set by the CLI sends, for the window named as the functions name the default one.
        var input = Template.Get(schedule, "Properties", "Target", "Input")!.ToString();
        input.Should().Be(PcsOrchestrator.Operations.WindowAdministration.InputFor(PcsOrchestrator.Functions.Adapters.StackDefaults.DefaultWindowName));
        using var parsed = JsonDocument.Parse(input);
        PcsOrchestrator.Domain.Windows.WindowInputs.IsWindowInput(parsed.RootElement).Should().BeTrue();
    }

    [Fact]
    public void GiveTheFunctionsTheDefaultWindowFromTheParameters_AndTheShippedTimeZoneDatabase()
    {
        var variables = (YamlMappingNode)Template.Get(Template.Root, "Globals", "Function", "Environment", "Variables")!;
        (string Variable, string Parameter)[] expected =
        [
            (PcsOrchestrator.Functions.Adapters.StackDefaults.ApplyVariable, "DefaultApply"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.ScheduleVariable, "DefaultWindowSchedule"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.TimeZoneVariable, "DefaultWindowTimezone"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.DurationVariable, "DefaultWindowDurationMinutes"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.CutoffVariable, "DefaultWindowCutoffMinutes"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.ClustersVariable, "DefaultWindowClusters"),
            (PcsOrchestrator.Functions.Adapters.StackDefaults.DriftVariable, "DefaultWindowDrift"),
        ];

        foreach (var (variable, parameter) in expected)
        {
            Template.Describe(Template.Get(variables, variable) ?? new YamlScalarNode("(absent)")).Should().Be($"!Ref {parameter}", variable);
            Template.Get(Template.Root, "Parameters", parameter).Should().NotBeNull(parameter);
        }

        Template.Get(variables, "TZDIR")!.ToString().Should().Be("/var/task/zoneinfo", "the Makefile puts the database there");
        Repo.Read("Makefile").Should().Contain("$(ARTIFACTS_DIR)/zoneinfo");
        Template.Items(Template.Get(Template.Root, "Parameters", "DefaultApply", "AllowedValues")).Select(v => v.ToString()).Should().BeEquivalentTo(
            [PcsOrchestrator.Domain.Model.ApplyModeExtensions.NextWindowWire, PcsOrchestrator.Domain.Model.ApplyModeExtensions.NowWire]);
        Template.Items(Template.Get(Template.Root, "Parameters", "DefaultWindowDrift", "AllowedValues")).Select(v => v.ToString()).Should().BeEquivalentTo(
            Enum.GetValues<PcsOrchestrator.Domain.Windows.DriftMode>().Select(PcsOrchestrator.Domain.Windows.DriftModeExtensions.ToWire));
    }

    [Fact]
    public void ProtectTheTables_WithPitrEncryptionAndOnDemandBilling()
    {
        foreach (var (name, table) in Template.ResourcesOfType("AWS::DynamoDB::Table"))
        {
            Template.Get(table, "Properties", "BillingMode")!.ToString().Should().Be("PAY_PER_REQUEST", name);
            Template.Get(table, "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")!.ToString().Should().Be("true", name);
            Template.Get(table, "Properties", "SSESpecification", "SSEEnabled")!.ToString().Should().Be("true", name);
            Template.Get(table, "DeletionPolicy")!.ToString().Should().Be("Retain", name);
        }
    }

    [Fact]
    public void DeclareTheTablesExactlyAsTheCodeDefinesThem()
    {
        var tables = Template.ResourcesOfType("AWS::DynamoDB::Table").ToDictionary(t => t.Name, t => t.Resource);

        tables.Keys.Should().BeEquivalentTo(PcsOrchestrator.Persistence.TableDefinitions.Logical.Keys);
        foreach (var (name, definition) in PcsOrchestrator.Persistence.TableDefinitions.Logical)
        {
            var properties = (YamlMappingNode)Template.Get(tables[name], "Properties")!;
            Pairs(properties["AttributeDefinitions"], "AttributeName", "AttributeType").Should().BeEquivalentTo(
                definition.AttributeDefinitions.Select(a => (a.AttributeName, a.AttributeType.Value)), name);
            Pairs(properties["KeySchema"], "AttributeName", "KeyType").Should().Equal(
                definition.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)), name);
            var indexes = Template.Items(Template.Get(properties, "GlobalSecondaryIndexes")).Cast<YamlMappingNode>().ToList();
            indexes.Select(i => i["IndexName"].ToString()).Should().BeEquivalentTo((definition.GlobalSecondaryIndexes ?? []).Select(g => g.IndexName), name);
            foreach (var index in definition.GlobalSecondaryIndexes ?? [])
            {
                var declared = indexes.Single(i => i["IndexName"].ToString() == index.IndexName);
                Pairs(declared["KeySchema"], "AttributeName", "KeyType").Should().Equal(index.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)), index.IndexName);
                Template.Get(declared, "Projection", "ProjectionType")!.ToString().Should().Be(index.Projection.ProjectionType.Value);
            }

            var ttl = Template.Get(properties, "TimeToLiveSpecification", "AttributeName")?.ToString();
            ttl.Should().Be(PcsOrchestrator.Persistence.TableDefinitions.TimeToLive.GetValueOrDefault(name), name);
        }
    }

    [Fact]
    public void NameEveryTableToTheFunctions_InTheLocalEnvironment_AndInTheOutputs()
    {
        (string Table, string Variable)[] names =
        [
            ("IdempotencyTable", PcsOrchestrator.Persistence.TableNames.IdempotencyVariable),
            ("LockTable", PcsOrchestrator.Persistence.TableNames.LockVariable),
            ("AuditTable", PcsOrchestrator.Persistence.TableNames.AuditVariable),
            ("MaintenanceTable", PcsOrchestrator.Persistence.TableNames.MaintenanceVariable),
        ];
        var variables = (YamlMappingNode)Template.Get(Template.Root, "Globals", "Function", "Environment", "Variables")!;
        using var local = JsonDocument.Parse(Repo.Read("events", "env.json"));
        var parameters = local.RootElement.GetProperty("Parameters");

        names.Select(n => n.Table).Should().BeEquivalentTo(PcsOrchestrator.Persistence.TableDefinitions.Logical.Keys, "every table is named here");
        foreach (var (table, variable) in names)
        {
            Template.Describe(Template.Get(variables, variable) ?? new YamlScalarNode("(absent)")).Should().Be($"!Ref {table}", variable);
            Template.Describe(Template.Get(Template.Root, "Outputs", table + "Name", "Value") ?? new YamlScalarNode("(absent)")).Should().Be($"!Ref {table}", table);
            parameters.TryGetProperty(variable, out var value).Should().BeTrue($"events/env.json sets {variable}");
            value.GetString().Should().NotBeNullOrEmpty(variable);
        }
    }

    [Fact]
    public void DocumentEveryParameterInTheReadmesConfigurationReference()
    {
        var readme = Repo.Read("README.md");
        var start = readme.IndexOf("### Configuration reference", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "the README has a configuration reference");
        var end = readme.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        var reference = readme[start..(end < 0 ? readme.Length : end)];
        var parameters = ((YamlMappingNode)Template.Get(Template.Root, "Parameters")!).Children.Keys.Select(k => k.ToString()).ToList();

        parameters.Should().NotBeEmpty();
        foreach (var parameter in parameters)
        {
            reference.Should().Contain($"`{parameter}`", $"template parameter {parameter} is documented where operators look for it");
        }
    }

    private static List<(string, string)> Pairs(YamlNode list, string first, string second) =>
        [.. Template.Items(list).Cast<YamlMappingNode>().Select(m => (m[first].ToString(), m[second].ToString()))];

    private static List<string> Actions(YamlMappingNode statement) => [.. Template.Items(Template.Get(statement, "Action")).Select(a => a.ToString())];

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex Placeholder();
}
