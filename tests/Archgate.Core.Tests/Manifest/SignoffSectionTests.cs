using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

public sealed class SignoffSectionTests
{
    private static string Manifest(string owners, string signoff = "") => $$"""
        version: 1
        system: { name: s, owners: {{owners}} }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:9" }
        {{signoff}}
        """;

    [Fact]
    public void Without_a_signoff_section_the_architect_signs_off_after_reviews_by_the_other_owners_roles()
    {
        var policy = TestSystems.Load(Manifest("{ architect: alice@example.test, backend: bob@example.test, qa: quinn@example.test, Security-Officer: sam@example.test }")).Signoff;

        Assert.Equal(new SignoffRole("System-Architect", "alice@example.test"), policy.Approver);
        Assert.Equal(
            [new SignoffRole("Backend-Engineer", "bob@example.test"), new SignoffRole("QA-Tester", "quinn@example.test"), new SignoffRole("Security-Officer", "sam@example.test")],
            policy.Reviewers);
    }

    [Fact]
    public void The_section_names_the_approver_and_the_reviewers_and_the_owners_give_their_people()
    {
        var policy = TestSystems.Load(Manifest("{ architect: alice@example.test, devops: dan@example.test }",
            "signoff: { approver: CTO, reviewers: [DevOps-Engineer, Frontend-Engineer] }")).Signoff;

        Assert.Equal(new SignoffRole("CTO", null), policy.Approver);
        Assert.Equal([new SignoffRole("DevOps-Engineer", "dan@example.test"), new SignoffRole("Frontend-Engineer", null)], policy.Reviewers);
    }

    [Fact]
    public void An_empty_reviewer_list_means_the_sign_off_alone()
    {
        var policy = TestSystems.Load(Manifest("{ architect: a@example.test, backend: b@example.test }", "signoff: { reviewers: [] }")).Signoff;

        Assert.Empty(policy.Reviewers);
        Assert.Equal("System-Architect", policy.Approver.Role);
    }

    [Fact]
    public void The_old_approvers_list_is_an_error_saying_what_to_write()
    {
        var result = ManifestLoader.Parse(Manifest("{ architect: a@example.test }", "signoff: { approvers: [System-Architect] }"), "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null);

        var error = Assert.Single(result.Errors);
        Assert.Equal("signoff.approvers", error.Path);
        Assert.Contains("approver: ROLE", error.Hint, StringComparison.Ordinal);
    }
}
