using Archgate.Protocol;

namespace Archgate.Core.Tests.Protocol;

public sealed class FindingsTests
{
    private static readonly RuleDescriptor NoCredentials = new("AG9001", Severity.Critical)
    {
        Title = "No credentials accepted",
        Hint = "require authentication",
        Owasp = "API2:2023 Broken Authentication",
        Cwe = 306,
        Zap = 40018,
    };

    [Fact]
    public void Create_takes_the_rules_severity_and_hint_and_ends_the_hint_with_its_catalogue_references()
    {
        var finding = Findings.Create(NoCredentials, "api", "GET /orders", "answered 200 without credentials", "HTTP/1.1 200");

        Assert.Equal(("AG9001", Severity.Critical, "api", "GET /orders"), (finding.Rule, finding.Severity, finding.Component, finding.Location));
        Assert.Equal("answered 200 without credentials", finding.Message);
        Assert.Equal("HTTP/1.1 200", finding.Evidence);
        Assert.Equal("require authentication (OWASP API2:2023 Broken Authentication, CWE-306, ZAP 40018)", finding.Hint);
    }

    [Fact]
    public void A_stated_severity_and_hint_win_over_the_rules()
    {
        var finding = Findings.Create(NoCredentials, null, null, "m", hint: "do this", severity: Severity.Low);

        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Equal("do this (OWASP API2:2023 Broken Authentication, CWE-306, ZAP 40018)", finding.Hint);
        Assert.Null(finding.Evidence);
    }

    [Fact]
    public void A_rule_without_catalogue_keeps_the_hint_as_it_is_and_evidence_is_capped()
    {
        var finding = Findings.Create("AG3001", Severity.High, "db", "Host=x", "unreachable", new string('x', Findings.MaxEvidence + 500), "start it");

        Assert.Equal("start it", finding.Hint);
        Assert.StartsWith(new string('x', Findings.MaxEvidence), finding.Evidence, StringComparison.Ordinal);
        Assert.EndsWith("(500 more characters not kept)", finding.Evidence, StringComparison.Ordinal);
        Assert.Null(new RuleDescriptor("AG3001", Severity.High).References);
    }
}
