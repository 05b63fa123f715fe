using YamlDotNet.RepresentationModel;

namespace PcsOrchestrator.Deployment.Tests;

/// <summary>template.yaml read as a YAML tree (CloudFormation's short-form tags such as !Ref stay on the nodes).</summary>
internal sealed class Template
{
    private Template(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public static Template Load()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Repo.Read("template.yaml"));
        stream.Load(reader);
        return new Template((YamlMappingNode)stream.Documents[0].RootNode);
    }

    public YamlMappingNode Resources => (YamlMappingNode)Root["Resources"];

    public IEnumerable<(string Name, YamlMappingNode Resource)> ResourcesOfType(string type) =>
        Resources.Children
            .Where(kv => ((YamlMappingNode)kv.Value)["Type"].ToString() == type)
            .Select(kv => (kv.Key.ToString(), (YamlMappingNode)kv.Value));

    public static YamlNode? Get(YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var step in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(step), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>Every IAM policy statement in the template, with the resource that carries it.</summary>
    public IEnumerable<(string Owner, YamlMappingNode Statement)> PolicyStatements()
    {
        foreach (var (name, resource) in Resources.Children.Select(kv => (kv.Key.ToString(), (YamlMappingNode)kv.Value)))
        {
            foreach (var statement in Statements(resource))
            {
                yield return (name, statement);
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Statements(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key.ToString() == "Statement" && value is YamlSequenceNode list)
                    {
                        foreach (var item in list.Children.OfType<YamlMappingNode>())
                        {
                            yield return item;
                        }
                    }
                    else
                    {
                        foreach (var inner in Statements(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var inner in sequence.Children.SelectMany(Statements))
                {
                    yield return inner;
                }

                break;
        }
    }

    /// <summary>A node as a list of scalars (a single scalar is a list of one).</summary>
    public static IReadOnlyList<YamlNode> Items(YamlNode? node) => node switch
    {
        null => [],
        YamlSequenceNode sequence => sequence.Children.ToList(),
        _ => [node],
    };

    /// <summary>A resource reference as text: "!Ref X", "!GetAtt X.Arn", "!Sub ...", or the plain scalar.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar when !scalar.Tag.IsEmpty => $"{scalar.Tag.Value} {scalar.Value}",
        YamlScalarNode scalar => scalar.Value ?? string.Empty,
        YamlSequenceNode sequence when !sequence.Tag.IsEmpty => $"{sequence.Tag.Value} {string.Join(".", sequence.Children.Select(Describe))}",
        _ => node.ToString(),
    };
}
