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
    public void A_pattern_may_name_a_method_in_any_case_and_is_kept_with_it_upper_case()
    {
        var system = TestSystems.Load(Head + """
            security:
              protected: ["/bookings/**", "put /events/*"]
              adminOnly: ["POST /events", "delete /events/*"]
            """);

        Assert.Equal(["/bookings/**", "PUT /events/*"], system.Security.Protected);
        Assert.Equal(["POST /events", "DELETE /events/*"], system.Security.AdminOnly);
    }

    [Fact]
    public void A_pattern_that_is_no_path_or_names_an_unknown_method_is_an_error_at_its_item()
    {
        var result = ManifestLoader.Parse(Head + """
            security:
              protected:
                - /orders/**
                - orders/**
              adminOnly: ["POST /events", "FETCH /events", "POST  /events", "POST"]
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null);

        Assert.False(result.Succeeded);
        var errors = result.Errors.Where(e => e.Path.StartsWith("security.", StringComparison.Ordinal)).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(["security.adminOnly[1]", "security.adminOnly[2]", "security.adminOnly[3]", "security.protected[1]"], errors.Select(e => e.Path));
        var path = errors[^1];
        Assert.Equal((8, 7), (path.Line, path.Column));
        Assert.Equal("'orders/**' is not a path pattern", path.Message);
        Assert.StartsWith("write '/admin/**' or 'POST /events'", path.Hint, StringComparison.Ordinal);
        Assert.Equal("'FETCH /events' is not a path pattern", errors[0].Message);
        Assert.Equal(9, errors[0].Line);
    }

    [Fact]
    public void Roles_map_each_pattern_to_the_roles_that_may_call_it_in_the_manifests_order()
    {
        var system = TestSystems.Load(Head + """
            security:
              roles:
                "post /claims/*/approve": [approver, admin]
                "/payouts/**": [treasurer]
            """);

        Assert.Equal(
            ["POST /claims/*/approve: approver, admin", "/payouts/**: treasurer"],
            system.Security.Roles.Select(r => $"{r.Pattern}: {string.Join(", ", r.Roles)}"));
    }

    [Fact]
    public void A_roles_entry_that_is_no_pattern_or_names_no_role_is_an_error_at_it()
    {
        var result = ManifestLoader.Parse(Head + """
            security:
              roles:
                "APPROVE /claims": [approver]
                "/claims/*/pay": []
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null);

        Assert.False(result.Succeeded);
        var errors = result.Errors.Where(e => e.Path.StartsWith("security.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["'APPROVE /claims' is not a path pattern", "no role is named"], errors.Select(e => e.Message));
        Assert.Equal("security.roles./claims/*/pay", errors[1].Path);
        Assert.Contains("/claims/*/pay: [approver]", errors[1].Hint, StringComparison.Ordinal);
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

    [Fact]
    public void An_identity_of_the_old_spelling_signs_in_through_a_named_login_else_a_services_else_the_old_contracts_auth()
    {
        const string identities = """
            security:
              identities:
                - { user: bob, password: pw }
            """;
        // Only the deprecated contracts.auth has a login: the identity signs in through it, whatever the sections' order.
        var fromPact = TestSystems.Load("""
            version: 1
            system: { name: s }
            """ + "\n" + identities + "\n" + """
            contracts:
              auth: { login: /session, username: ann, password: pw }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
            """);
        var bob = Assert.IsType<LoginAuth>(Assert.Single(fromPact.Security.Identities));
        Assert.Equal(("/session", "bob", "pw"), (bob.Path, bob.User, bob.Password));

        // A named login comes first.
        var fromNamed = TestSystems.Load(Head + """
            auth:
              ann: { login: POST /auth/login, user: ann, password: pw }
            """ + "\n" + identities);
        Assert.Equal("/auth/login", Assert.IsType<LoginAuth>(Assert.Single(fromNamed.Security.Identities)).Path);

        // With no login anywhere, the identity is an error that says where to define one.
        var none = ManifestLoader.Parse(Head + identities, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null);
        Assert.Contains(none.Errors, e => e.Path == "security.identities[0]" && e.Message == "this identity has no login operation");
    }
}
