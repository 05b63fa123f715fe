using PcsOrchestrator.Tests.Corpus;

namespace PcsOrchestrator.Domain.Tests;

/// <summary>Every case of the hostile-input corpus (tests/corpus/hostile/cases.json) against the intake itself.</summary>
public sealed class HostileInputShould
{
    [Fact]
    public void HoldAtLeastFiftyCases_WithUniqueIds()
    {
        HostileCorpus.Cases.Should().HaveCountGreaterThanOrEqualTo(50);
        HostileCorpus.Cases.Select(c => c.Id).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [MemberData(nameof(HostileCorpus.Ids), MemberType = typeof(HostileCorpus))]
    public void RejectTheCase_NamingTheFieldAndTheRule(string id)
    {
        var hostile = HostileCorpus.Get(id);

        var result = RequestIntake.Accept(hostile.Bytes, Requests.Now);

        result.Accepted.Should().BeFalse(hostile.Attack);
        result.Issues.Should().Contain(i => i.Path == hostile.Path && i.Rule == hostile.Rule,
            $"{hostile.Attack}; got: {string.Join(" | ", result.Issues)}");
        result.Issues.Should().AllSatisfy(i => i.ToString().Should().NotContain("\n").And.NotContain("\r").And.NotContain("   at ", "an issue is one line, never a stack trace"));
    }
}
