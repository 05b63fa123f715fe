using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Parsing;
using PcsOrchestrator.Domain.Planning;
using PcsOrchestrator.Domain.Timing;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Tests;

/// <summary>Property-based tests (CsCheck): each runs hundreds of generated cases and shrinks any failure.</summary>
public sealed class PropertyShould
{
    private const long Iterations = 300;

    private static readonly Gen<string> ClusterIds = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 1, 20].Select(s => "pcs_" + s),
        Gen.Select(Gen.Char['a', 'z'], Gen.String[Gen.OneOf(Gen.Char.AlphaNumeric, Gen.Const('-')), 2, 40], (c, s) => c + s));

    private static readonly Gen<string> Values = Gen.String[Gen.Char[' ', '~'], 1, 40]
        .Where(s => !string.IsNullOrEmpty(s));

    private static Gen<JsonArray?> SettingsList(IReadOnlyCollection<string> catalog) =>
        Gen.Shuffle(catalog.Where(n => n != "MinJobAge").ToArray()).SelectMany(names =>
            Gen.Int[0, Math.Min(6, names.Length)].SelectMany(count =>
                Values.Array[count].Select(values => (JsonArray?)new JsonArray([.. names.Take(count).Select((n, i) => (JsonNode)Requests.Setting(n, values[i]))]))));

    private static readonly Gen<JsonObject> ValidRequests =
        Gen.Select(ClusterIds, Gen.Int[1, 10_000_000], SettingsList(SettingsCatalog.Slurm), SettingsList(SettingsCatalog.Slurmdbd), SettingsList(SettingsCatalog.Cgroup),
                Gen.OneOf(Gen.Const(-1), Gen.Int[1, 10_000]), Gen.OneOfConst("STANDARD", "NONE"), Gen.OneOfConst("STANDARD", "NONE"))
            .Select((cluster, scaleDown, slurm, slurmdbd, cgroup, purge, accounting, rest) => new JsonObject
            {
                ["clusterIdentifier"] = cluster,
                ["slurmConfiguration"] = new JsonObject
                {
                    ["scaleDownIdleTimeInSeconds"] = scaleDown,
                    ["slurmCustomSettings"] = slurm,
                    ["slurmdbdCustomSettings"] = slurmdbd,
                    ["cgroupCustomSettings"] = cgroup,
                    ["accounting"] = new JsonObject { ["defaultPurgeTimeInDays"] = purge, ["mode"] = accounting },
                    ["slurmRest"] = new JsonObject { ["mode"] = rest },
                },
            });

    [Fact]
    public void AcceptEveryGeneratedValidRequest() =>
        ValidRequests.Sample(request =>
        {
            var result = RequestIntake.Accept(request.ToJsonString(), Requests.Now);
            result.Issues.Should().BeEmpty(request.ToJsonString());
            result.Identity!.ClientToken.Length.Should().BeInRange(RequestValidator.ClientTokenMin, RequestValidator.ClientTokenMax);
        }, iter: Iterations);

    /// <summary>A violation: where to put a bad value, the value, and the rule it must be reported under.</summary>
    private sealed record Violation(string Path, JsonNode? Value, string Rule);

    private static readonly Gen<Violation> Violations = Gen.OneOf(
        Gen.Int[int.MinValue, 0].Select(v => new Violation("slurmConfiguration.scaleDownIdleTimeInSeconds", JsonValue.Create(v), Rules.Range)),
        Gen.Int[10_000_001, int.MaxValue].Select(v => new Violation("slurmConfiguration.scaleDownIdleTimeInSeconds", JsonValue.Create(v), Rules.Range)),
        Gen.Const(new Violation("slurmConfiguration.accounting.defaultPurgeTimeInDays", JsonValue.Create(0), Rules.NotZero)),
        Gen.Int[int.MinValue, -2].Select(v => new Violation("slurmConfiguration.accounting.defaultPurgeTimeInDays", JsonValue.Create(v), Rules.Range)),
        Gen.Int[10_001, int.MaxValue].Select(v => new Violation("slurmConfiguration.accounting.defaultPurgeTimeInDays", JsonValue.Create(v), Rules.Range)),
        Gen.String[Gen.Char.AlphaNumeric, 1, 10].Where(s => s != "STANDARD" && s != "NONE").Select(v => new Violation("slurmConfiguration.slurmRest.mode", JsonValue.Create(v), Rules.Enum)),
        Gen.Select(Values, Gen.Char[(char)0, (char)31], Gen.Int[0, 40], (v, c, at) => new Violation(
            "slurmConfiguration.slurmCustomSettings[0].parameterValue", JsonValue.Create(v.Insert(Math.Min(at, v.Length), c.ToString())), Rules.ControlCharacters)),
        Gen.String[Gen.Char.AlphaNumeric, 0, 1].Select(v => new Violation("clusterIdentifier", JsonValue.Create("x" + v), Rules.Pattern)),
        Gen.String[Gen.Char.AlphaNumeric, 1, 7].Select(v => new Violation("clientToken", JsonValue.Create(v), Rules.Length)),
        Gen.String[Gen.Char['a', 'z'], 1, 12].Select(v => new Violation("slurmConfiguration.unknown" + v, JsonValue.Create(1), Rules.UnknownField)),
        Gen.String[Gen.Char['a', 'z'], 3, 12].Select(v => new Violation("slurmConfiguration.cgroupCustomSettings[0].parameterName", JsonValue.Create("Zz" + v), Rules.UnlistedSetting)));

    [Fact]
    public void ReportEverySingleFieldViolation_AtItsField() =>
        Gen.Select(ValidRequests, Violations).Sample((request, violation) =>
        {
            var slurmConfiguration = request["slurmConfiguration"]!.AsObject();
            slurmConfiguration["slurmCustomSettings"] = new JsonArray(Requests.Setting("Prolog", "/opt/prolog.sh"));
            slurmConfiguration["cgroupCustomSettings"] = new JsonArray(Requests.Setting("ConstrainCores", "yes"));
            RequestValidatorShould.Set(request, violation.Path, violation.Value?.DeepClone());

            var issues = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Issues;

            issues.Should().ContainSingle(request.ToJsonString()).Which.Should().Match<ValidationIssue>(i =>
                i.Path == "$." + violation.Path && i.Rule == violation.Rule);
        }, iter: Iterations);

    [Fact]
    public void DeriveTheSameKey_WhateverThePropertyOrderSettingOrderAndWhitespace() =>
        Gen.Select(ValidRequests, Gen.Int, Gen.Bool).Sample((request, seed, indented) =>
        {
            var original = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Identity!;
            var shuffled = Shuffle(request, new Random(seed))!;
            var json = shuffled.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

            var again = RequestIntake.Accept(json, Requests.Now).Identity!;

            again.Should().Be(original, json);
        }, iter: Iterations);

    [Fact]
    public void RoundTripThroughTheRequestWriter_ToTheSameRequest() =>
        ValidRequests.Sample(request =>
        {
            var parsed = RequestIntake.Accept(request.ToJsonString(), Requests.Now);
            var written = RequestWriter.Write(parsed.Request!);

            var again = RequestIntake.Accept(written, Requests.Now);

            again.Issues.Should().BeEmpty();
            again.Request.Should().BeEquivalentTo(parsed.Request);
            again.Identity.Should().Be(parsed.Identity);
        }, iter: Iterations);

    [Fact]
    public void DeriveDifferentKeys_ForDifferentChanges() =>
        Gen.Select(ValidRequests, Gen.Int[1, 9_999_999]).Sample((request, scaleDown) =>
        {
            request["slurmConfiguration"]!["scaleDownIdleTimeInSeconds"] = scaleDown;
            var first = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Identity!;
            request["slurmConfiguration"]!["scaleDownIdleTimeInSeconds"] = scaleDown + 1;
            var second = RequestIntake.Accept(request.ToJsonString(), Requests.Now).Identity!;

            second.IdempotencyKey.Should().NotBe(first.IdempotencyKey);
            second.ClientToken.Should().NotBe(first.ClientToken);
        }, iter: Iterations);

    private static readonly Gen<CustomSetting[]> Settings =
        Gen.Select(Gen.OneOfConst("MinJobAge", "minjobage", "Prolog", "Epilog", "PriorityWeightAge", "PRIORITYWEIGHTAGE", "Licenses"), Gen.String[Gen.Char['a', 'z'], 1, 3])
            .Select((n, v) => new CustomSetting(n, v)).Array[0, 6];

    [Fact]
    public void MergeIdempotently_ApplyingARequestTwiceEqualsOnce() =>
        Gen.Select(Settings, Settings, Gen.OneOfConst("Prolog", "Epilog", "licenses").Array[0, 2], Gen.Int[1, 10_000]).Sample((current, requested, removals, scaleDown) =>
        {
            var configuration = new ClusterConfiguration { SlurmCustomSettings = current };
            var change = new SlurmConfigurationChange { SlurmCustomSettings = requested, ScaleDownIdleTimeInSeconds = scaleDown };
            var options = new UpdateOptions { RemoveSettings = new SettingRemovals(removals, [], []) };

            var once = Planner.Apply(configuration, change, options);
            var twice = Planner.Apply(once, change, options);

            Planner.Diff(once, twice).Should().BeEmpty();
            Planner.Plan(once, change, options).IsNoOp.Should().BeTrue("re-planning an applied request finds nothing to do");
            foreach (var removed in removals)
            {
                once.SlurmCustomSettings.Should().NotContain(s => string.Equals(s.ParameterName, removed, StringComparison.OrdinalIgnoreCase));
            }
        }, iter: Iterations);

    [Fact]
    public void BackOffWithinCapFloorAndDeadline() =>
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 600], Gen.Int[0, 40], Gen.Int[0, 120], Gen.Int[0, 3600], Gen.Int, Gen.Enum<JitterMode>())
            .Sample((baseSeconds, capSeconds, attempt, floorSeconds, remainingSeconds, seed, jitter) =>
            {
                var policy = new BackoffPolicy(TimeSpan.FromSeconds(baseSeconds), TimeSpan.FromSeconds(Math.Max(baseSeconds, capSeconds)), Jitter: jitter);
                var floor = TimeSpan.FromSeconds(floorSeconds);
                var deadline = Requests.Now.AddSeconds(remainingSeconds);

                var decision = policy.Next(attempt, new SeededRandomSource(seed), Requests.Now, deadline, floor);

                if (decision.GiveUp)
                {
                    TimeSpan.FromSeconds(remainingSeconds).Should().BeLessThan(floor > policy.MinDelay ? floor : policy.MinDelay,
                        "it gives up only when even the floor would pass the deadline");
                    return;
                }

                (Requests.Now + decision.Delay).Should().BeOnOrBefore(deadline, "a wait never passes the deadline");
                decision.Delay.Should().BeGreaterThanOrEqualTo(floor, "a wait never undercuts retryAfterSeconds");
                decision.Delay.Should().BeLessThanOrEqualTo(floor > policy.MaxDelay ? floor : policy.MaxDelay, "a wait never exceeds its cap unless the service asked for longer");
                if (jitter == JitterMode.Equal && Requests.Now + (policy.Ceiling(attempt) / 2) <= deadline)
                {
                    decision.Delay.Should().BeGreaterThanOrEqualTo(policy.Ceiling(attempt) / 2, "equal jitter never waits less than half the ceiling");
                }
            }, iter: 2000);

    [Fact]
    public void BackOffDeterministically_UnderASeed()
    {
        var policy = BackoffPolicy.Readiness;
        var first = Enumerable.Range(0, 10).Select(a => policy.Next(a, new SeededRandomSource(42), Requests.Now, null).Delay).ToArray();
        var second = Enumerable.Range(0, 10).Select(a => policy.Next(a, new SeededRandomSource(42), Requests.Now, null).Delay).ToArray();

        second.Should().Equal(first);
        policy.Ceiling(0).Should().Be(TimeSpan.FromSeconds(15));
        policy.Ceiling(3).Should().Be(TimeSpan.FromMinutes(2));
        policy.Ceiling(5).Should().Be(TimeSpan.FromMinutes(5));
        policy.Ceiling(1000).Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void GiveUpWithAReason_WhenRetryAfterIsLongerThanTheTimeLeft()
    {
        var decision = BackoffPolicy.Readiness.Next(0, new SeededRandomSource(1), Requests.Now, Requests.Now.AddSeconds(10), TimeSpan.FromSeconds(30));

        decision.GiveUp.Should().BeTrue();
        decision.Reason.Should().Contain("30 s").And.Contain("10 s");
    }

    private static JsonNode? Shuffle(JsonNode? node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(_ => random.Next()).Select(kv => KeyValuePair.Create(kv.Key, Shuffle(kv.Value, random)))),
        JsonArray a => new JsonArray([.. a.OrderBy(_ => random.Next()).Select(x => Shuffle(x, random))]),
        _ => node?.DeepClone(),
    };
}
