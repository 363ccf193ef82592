using Archgate.Checks.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>The judgements on what the browser saw, given visits without a browser (cases a local http server cannot show).</summary>
public sealed class PageJudgeTests
{
    private static readonly Model.SystemModel System = TestSystems.Load("""
        version: 1
        system: { name: s }
        targets: { allow: [127.0.0.1, shop.example.test, api.example.test] }
        components:
          - { name: api, kind: service, url: "https://api.example.test/v1" }
          - { name: web, kind: frontend, url: "https://shop.example.test", dependsOn: [api] }
        """);

    private static List<Finding> Judge(bool before, params PageRequest[] requests) =>
        [.. PageJudge.Judge(new PageVisit("/", "/", before, 200, null, new PageActivity(requests, [], []), "evidence/browser/web/1-index.png"), System.Find<Archgate.Model.FrontendComponent>("web")!, System)
            .Where(f => f.Rule != FrontendRules.PageSeen)];

    [Fact]
    public void An_https_page_calling_http_is_mixed_content()
    {
        var finding = Assert.Single(Judge(false, new PageRequest("GET", "http://api.example.test/v1/items", "fetch", null, "net::ERR_BLOCKED_BY_CLIENT")));

        Assert.Equal(FrontendRules.MixedContent, finding.Rule);
        Assert.Contains("served over https but calls http://api.example.test/v1/items over http", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calls_under_the_backends_base_path_pass_and_outside_it_are_an_undeclared_backend()
    {
        Assert.Empty(Judge(false, new PageRequest("GET", "https://api.example.test/v1/items", "fetch", 200, null),
            new PageRequest("GET", "wss://api.example.test/v1/events", "websocket", null, null),
            new PageRequest("GET", "https://shop.example.test/config.json", "fetch", 200, null)));

        var finding = Assert.Single(Judge(false, new PageRequest("GET", "https://api.example.test/v2/items", "fetch", 200, null)));
        Assert.Equal(FrontendRules.UndeclaredBackend, finding.Rule);
        Assert.Equal("/ called https://api.example.test/v2/items, not a declared backend: the declared backend is api at https://api.example.test/v1", finding.Message);
    }

    [Fact]
    public void A_401_is_expected_only_before_sign_in_and_the_browsers_own_line_about_it_is_not_another_finding()
    {
        var unauthorized = new PageRequest("GET", "https://api.example.test/v1/me", "fetch", 401, null);
        var line = new PageError(false, "Failed to load resource: the server responded with a status of 401 ()", "https://api.example.test/v1/me:0:0", "https://api.example.test/v1/me");
        PageVisit Visit(bool before) => new("/", "/", before, 200, null, new PageActivity([unauthorized], [line], []), null);

        Assert.DoesNotContain(PageJudge.Judge(Visit(true), System.Find<Archgate.Model.FrontendComponent>("web")!, System), f => f.Rule != FrontendRules.PageSeen);
        var after = PageJudge.Judge(Visit(false), System.Find<Archgate.Model.FrontendComponent>("web")!, System).Where(f => f.Rule != FrontendRules.PageSeen).ToList();
        Assert.Equal([FrontendRules.RequestFailed], after.Select(f => f.Rule));
    }

    [Fact]
    public void A_request_still_loading_when_the_page_should_have_settled_is_a_medium_finding()
    {
        var slow = new PageRequest("GET", "https://api.example.test/v1/slow", "fetch", null, null);
        var visit = new PageVisit("/", "/", false, 200, null, new PageActivity([slow], [], [slow]), null);

        var finding = Assert.Single(PageJudge.Judge(visit, System.Find<Archgate.Model.FrontendComponent>("web")!, System), f => f.Rule == FrontendRules.StillLoading);
        Assert.Equal(Severity.Medium, finding.Severity);
    }
}
