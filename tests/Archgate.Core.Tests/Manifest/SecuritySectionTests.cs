using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

public sealed class SecuritySectionTests
{
    private const string Head = """
        version: 1
        system: { name: s }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:7101" }

        """;

    [Fact]
    public void Admin_only_paths_safe_mode_and_rule_actions_are_read_with_where_they_are_set()
    {
        var system = TestSystems.Load(Head + """
            security:
              adminOnly: ["/admin/**"]
              safe: true
              rules:
                AG9001: ignore
                AG9025: fail
                AG9030: warn
            """);

        Assert.Equal(["/admin/**"], system.Security.AdminOnly);
        Assert.True(system.Security.Safe);
        Assert.Equal(RuleAction.Ignore, system.Security.Rules["AG9001"].Action);
        Assert.Equal(RuleAction.Fail, system.Security.Rules["AG9025"].Action);
        Assert.Equal(RuleAction.Warn, system.Security.Rules["AG9030"].Action);
        Assert.Equal("archgate.yaml:9:5", system.Security.Rules["AG9001"].Location.ToString());
    }

    [Fact]
    public void Defaults_are_no_admin_paths_not_safe_and_no_rules()
    {
        var system = TestSystems.Load(Head);
        Assert.Empty(system.Security.AdminOnly);
        Assert.False(system.Security.Safe);
        Assert.Empty(system.Security.Rules);
    }

    [Fact]
    public void A_key_that_is_no_rule_id_and_an_unknown_action_are_both_reported()
    {
        var result = ManifestLoader.Parse(Head + """
            security:
              rules: { sqli: ignore, AG9020: skip }
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == "security.rules.sqli" && e.Message == "'sqli' is not a rule id");
        Assert.Contains(result.Errors, e => e.Path == "security.rules.AG9020" && e.Message == "unknown action 'skip'" && e.Hint == "write ignore, warn or fail");
    }
}
