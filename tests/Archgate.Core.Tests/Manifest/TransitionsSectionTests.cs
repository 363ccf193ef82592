using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

/// <summary>A service's declared state machine (<c>transitions</c>), for step 7's transition check.</summary>
public sealed class TransitionsSectionTests
{
    private static ManifestLoadResult Parse(string transitions) => ManifestLoader.Parse($$"""
        version: 1
        system: { name: s }
        components:
          - name: tracking-api
            kind: service
            url: http://127.0.0.1:7500
            transitions:
        {{transitions}}
        """, "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null);

    [Fact]
    public void A_declaration_keeps_each_state_its_allowed_actions_and_where_it_is_written()
    {
        var result = Parse("""
                  "/parcels/{id}/":
                    start: [status=picked_up]
                    status=picked_up: [status=in_transit, cancel]
                    status=in_transit: [status=delivered]
                    status=delivered: []
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var declared = Assert.Single(result.Model!.Find<ServiceComponent>("tracking-api")!.Transitions);
        Assert.Equal("/parcels/{id}/", declared.Item);
        Assert.Equal(["status=picked_up"], declared.Allowed[DeclaredTransitions.Start]);
        Assert.Equal(["status=in_transit", "cancel"], declared.Allowed["status=picked_up"]);
        Assert.Empty(declared.Allowed["status=delivered"]);
        Assert.Equal(8, declared.Location.Line);
    }

    [Fact]
    public void A_value_that_is_no_list_an_action_that_is_no_text_and_a_missing_start_are_each_placed_where_written()
    {
        var result = Parse("""
                  "/parcels/{id}":
                    start: [status=picked_up]
                    status=picked_up: status=in_transit
                    status=in_transit: [{ to: status=delivered }]
                  "/claims/{id}":
                    submit: [approve]
            """);

        Assert.False(result.Succeeded);
        var errors = result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Path}: {e.Message}").ToList();
        Assert.Contains("10:27 components.tracking-api.transitions./parcels/{id}.status=picked_up: expected a list, found 'status=in_transit'", errors);
        Assert.Contains("11:29 components.tracking-api.transitions./parcels/{id}.status=in_transit[0]: expected a text value, found a mapping", errors);
        Assert.Contains("13:9 components.tracking-api.transitions./claims/{id}.start: missing required field 'start'", errors);
        Assert.Equal(3, result.Errors.Count);
    }

    [Fact]
    public void Transitions_are_for_services_only()
    {
        var result = ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - name: web
                kind: frontend
                url: http://127.0.0.1:7500
                transitions: { "/parcels/{id}": { start: [] } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null);

        Assert.Contains(result.Errors, e => e.Path == "components.web.transitions" && e.Line == 7);
    }
}
