using Archgate.Model;
using Archgate.Planning;
using Archgate.Tests;

namespace Archgate.Core.Tests.Planning;

public sealed class PlannerTests
{
    [Fact]
    public void Waves_put_dependencies_first_and_frontends_last()
    {
        var plan = Planner.Plan(TestSystems.Load(TestSystems.Shop));

        var waves = plan.Waves.Select(w => w.Select(p => p.Component.Name).ToList()).ToList();
        Assert.Equal(["db", "gateway", "audit"], waves[0]);
        Assert.Equal(["payments"], waves[1]);
        Assert.Equal(["api"], waves[2]);
        Assert.Equal(["web"], waves[3]);
    }

    [Fact]
    public void Within_a_wave_the_longest_chain_of_dependants_goes_first()
    {
        var plan = Planner.Plan(TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1" }
              - { name: b, kind: service, url: "http://127.0.0.1:2" }
              - { name: c, kind: service, url: "http://127.0.0.1:3", dependsOn: [b] }
              - { name: d, kind: service, url: "http://127.0.0.1:4", dependsOn: [c] }
            """));

        // b has a chain of two dependants (c, then d); a has none.
        Assert.Equal(["b", "a"], plan.Waves[0].Select(p => p.Component.Name));
        Assert.Equal(2, plan.Get("b").Chain);
        Assert.Equal(2, plan.Get("d").Depth);
    }

    [Fact]
    public void A_frontend_with_no_dependencies_still_comes_last()
    {
        var plan = Planner.Plan(TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: site, kind: frontend, url: "http://127.0.0.1:1" }
              - { name: api, kind: service, url: "http://127.0.0.1:2" }
            """));

        Assert.Equal("api", plan.Waves[0].Single().Component.Name);
        Assert.Equal("site", plan.Waves[1].Single().Component.Name);
    }

    [Fact]
    public void Risks_name_missing_health_contract_and_timeout_policy()
    {
        var plan = Planner.Plan(TestSystems.Load(TestSystems.Shop));

        Assert.Contains(plan.Risks, r => r.Rule == PlanRules.ThirdPartyNoTimeout && r.Component == "gateway");
        Assert.Contains(plan.Risks, r => r.Rule == PlanRules.NoContract && r.Component == "api");
        Assert.DoesNotContain(plan.Risks, r => r.Rule == PlanRules.NoHealthEndpoint);
    }

    [Fact]
    public void A_third_party_timeout_above_ten_seconds_is_a_risk()
    {
        var plan = Planner.Plan(TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: gw, kind: third-party, url: "http://127.0.0.1:1", policy: { timeout: 30s } }
            """));

        var risk = Assert.Single(plan.Risks);
        Assert.Contains("30 s", risk.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_critical_component_on_a_long_chain_is_a_risk()
    {
        // TestSystems.Load resolves paths against this folder.
        var folder = Path.Combine(Path.GetTempPath(), "archgate-tests");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "o.yaml"), "openapi: 3.0.3\n");
        var plan = Planner.Plan(TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1", health: /h, openapi: o.yaml }
              - { name: b, kind: service, url: "http://127.0.0.1:2", health: /h, openapi: o.yaml, dependsOn: [a] }
              - { name: c, kind: service, url: "http://127.0.0.1:3", health: /h, openapi: o.yaml, dependsOn: [b] }
              - { name: d, kind: service, url: "http://127.0.0.1:4", health: /h, openapi: o.yaml, dependsOn: [c], critical: true }
            """));

        var risk = Assert.Single(plan.Risks);
        Assert.Equal(PlanRules.CriticalLongChain, risk.Rule);
        Assert.Equal("d", risk.Component);
    }

    [Fact]
    public void Cycles_are_reported_once_each_starting_at_the_smallest_name()
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>
        {
            ["payments"] = ["api"],
            ["api"] = ["payments", "db"],
            ["db"] = [],
            ["x"] = ["y"],
            ["y"] = ["x"],
        };

        var cycles = DependencyGraph.FindCycles(graph).Select(c => string.Join(" -> ", c)).ToList();

        Assert.Equal(["api -> payments -> api", "x -> y -> x"], cycles);
    }

    [Fact]
    public void The_markdown_plan_has_every_section_and_a_mermaid_diagram()
    {
        var markdown = PlanWriter.ToMarkdown(Planner.Plan(TestSystems.Load(TestSystems.Shop)));

        foreach (var section in new[] { "## Scope", "## Components", "## Data flow", "## Integration points", "## Integration sequence", "## Risks" })
        {
            Assert.Contains(section, markdown, StringComparison.Ordinal);
        }

        Assert.Contains("```mermaid", markdown, StringComparison.Ordinal);
        Assert.Contains("api -->|database| db", markdown, StringComparison.Ordinal);
        Assert.Contains("1. db (database), gateway (third-party), audit (service)", markdown, StringComparison.Ordinal);
        Assert.Contains("4. web (frontend)", markdown, StringComparison.Ordinal);
        Assert.Equal(ComponentKind.Database, Planner.Plan(TestSystems.Load(TestSystems.Shop)).Order.First().Component.Kind);
    }
}

public sealed class PlanWriterSecretTests
{
    [Fact]
    public void Secret_query_values_and_user_info_never_reach_the_plan()
    {
        var markdown = PlanWriter.ToMarkdown(Planner.Plan(TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101", health: "/health?api_key=s3cr3t-key&verbose=1" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:7001/?token=t0k3n-value", dependsOn: [api] }
            """)));

        Assert.DoesNotContain("s3cr3t-key", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n-value", markdown, StringComparison.Ordinal);
        Assert.True(markdown.Contains("/health?api_key=***&verbose=1", StringComparison.Ordinal), markdown);
    }
}
