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

        functions.Should().HaveCount(10);
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
        var statements = Template.PolicyStatements().Where(s => Actions(s.Statement).Contains("states:StartExecution")).ToList();

        statements.Should().NotBeEmpty();
        foreach (var (owner, statement) in statements)
        {
            Template.Items(Template.Get(statement, "Resource")).Select(Template.Describe).Should().Equal(["!Ref UpdateClusterStateMachine"], owner);
        }
    }

    [Fact]
    public void StartTheStateMachineFromAnEventBridgeRuleAndASchedule()
    {
        var machine = Template.ResourcesOfType("AWS::Serverless::StateMachine").Single().Resource;
        var rule = Template.Get(machine, "Properties", "Events", "UpdateRequested")!;
        Template.Get(rule, "Type")!.ToString().Should().Be("EventBridgeRule");
        Template.Describe(Template.Items(Template.Get(rule, "Properties", "Pattern", "source")).Single()).Should().Be("!Ref EventSource");

        var schedule = Template.ResourcesOfType("AWS::Scheduler::Schedule").Single().Resource;
        Template.Describe(Template.Get(schedule, "Properties", "ScheduleExpressionTimezone")!).Should().Be("!Ref ScheduleTimezone");
        var input = Template.Describe(Template.Get(schedule, "Properties", "Target", "Input")!);
        input.Should().Contain("<aws.scheduler.scheduled-time>").And.Contain("${ScheduledChange}");
        using var parsed = JsonDocument.Parse(input["!Sub ".Length..].Replace("${ScheduledChange}", "{}", StringComparison.Ordinal));
        parsed.RootElement.GetProperty("request").ValueKind.Should().Be(JsonValueKind.Object);
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

    private static List<(string, string)> Pairs(YamlNode list, string first, string second) =>
        [.. Template.Items(list).Cast<YamlMappingNode>().Select(m => (m[first].ToString(), m[second].ToString()))];

    private static List<string> Actions(YamlMappingNode statement) => [.. Template.Items(Template.Get(statement, "Action")).Select(a => a.ToString())];

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex Placeholder();
}
