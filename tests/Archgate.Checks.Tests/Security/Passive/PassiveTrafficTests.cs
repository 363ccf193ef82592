using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Passive;

namespace Archgate.Checks.Tests.Security.Passive;

/// <summary>
/// AG9063 across exchanges: an answer to a request with credentials is personalized unless the same GET was seen
/// answered alike without them (a frontend's static files get the API's cookie because cookies ignore ports).
/// </summary>
public sealed class PassiveTrafficTests
{
    private const string Origin = "http://127.0.0.1:5173";

    /// <summary>A GET answered 200 without Cache-Control, with or without a cookie on the request.</summary>
    private static ObservedExchange Get(string url, bool cookie, string body, bool truncated = false, string type = "text/javascript", params (string, string)[] headers) =>
        new("GET", new Uri(Origin + url), cookie, 200, [new("Content-Type", type), .. headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))], body, truncated);

    private static readonly string Large = new('x', ExchangeRecording.MaxBodyBytes);

    /// <summary>Exchanges in the order observed, and whether AG9063 must hit the route of the first.</summary>
    public static readonly IReadOnlyDictionary<string, (ObservedExchange[] Exchanges, bool Hits)> Cases = new Dictionary<string, (ObservedExchange[], bool)>
    {
        ["static-file-anonymous-later"] = ([Get("/app.js", true, "console.log(1)"), Get("/app.js", false, "console.log(1)")], false),
        ["static-file-anonymous-first"] = ([Get("/app.js", false, "console.log(1)"), Get("/app.js", true, "console.log(1)")], false),
        ["same-query"] = ([Get("/config.js?v=2", true, "window.api='/api'"), Get("/config.js?v=2", false, "window.api='/api'")], false),
        ["personalized-body"] = ([Get("/account", true, "Hello ann", type: "text/html"), Get("/account", false, "Hello guest", type: "text/html")], true),
        ["no-anonymous-answer"] = ([Get("/account", true, "Hello ann", type: "text/html")], true),
        ["anonymous-answer-of-another-query"] = ([Get("/config.js?v=2", true, "window.api='/api'"), Get("/config.js?v=3", false, "window.api='/api'")], true),
        ["anonymous-answer-of-another-id"] = ([Get("/notes/17", true, "{\"id\":17}"), Get("/notes/18", false, "{\"id\":17}")], true),
        ["sets-a-cookie"] = ([Get("/app.js", true, "console.log(1)", headers: ("Set-Cookie", "sid=abc; HttpOnly")), Get("/app.js", false, "console.log(1)")], true),
        ["binary-same-etag"] = ([Get("/logo.png", true, string.Empty, type: "image/png", headers: [("ETag", "\"5f3a\""), ("Content-Length", "1234")]), Get("/logo.png", false, string.Empty, type: "image/png", headers: [("ETag", "\"5f3a\""), ("Content-Length", "1234")])], false),
        ["binary-other-etag"] = ([Get("/logo.png", true, string.Empty, type: "image/png", headers: [("ETag", "\"5f3a\""), ("Content-Length", "1234")]), Get("/logo.png", false, string.Empty, type: "image/png", headers: [("ETag", "\"77b0\""), ("Content-Length", "1234")])], true),
        ["binary-no-etag"] = ([Get("/logo.png", true, string.Empty, type: "image/png", headers: ("Content-Length", "1234")), Get("/logo.png", false, string.Empty, type: "image/png", headers: ("Content-Length", "1234"))], true),
        ["truncated-same-start"] = ([Get("/bundle.js", true, Large, truncated: true), Get("/bundle.js", false, Large, truncated: true)], true),
        ["truncated-same-etag"] = ([Get("/bundle.js", true, Large, truncated: true, headers: ("ETag", "W/\"9c-1\"")), Get("/bundle.js", false, Large, truncated: true, headers: ("ETag", "W/\"9c-1\""))], false),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void An_authenticated_answer_is_reported_unless_the_same_GET_was_answered_alike_without_credentials(string name)
    {
        var (exchanges, hits) = Cases[name];
        var traffic = new PassiveTraffic();
        foreach (var exchange in exchanges)
        {
            traffic.Observe(exchange);
        }

        var route = PassiveText.Route(exchanges.First(e => e.Authenticated).Url.AbsolutePath);
        var hit = traffic.Routes().Single(r => r.Route == route).Hits.SingleOrDefault(h => h.Hit.Rule == PassiveRules.CacheableAuthenticated);
        Assert.True(hits == (hit is not null), $"{name}: AG9063 {(hits ? "should hit" : $"should not hit: {hit?.Evidence}; {hit?.Hit.Detail}")}");
    }

    [Fact]
    public void Only_the_personalized_answers_of_a_route_are_counted_and_the_evidence_says_why()
    {
        var traffic = new PassiveTraffic();
        traffic.Observe(Get("/notes/17", true, "{\"id\":17,\"text\":\"public\"}"));
        traffic.Observe(Get("/notes/17", false, "{\"id\":17,\"text\":\"public\"}"));
        traffic.Observe(Get("/notes/18", true, "{\"id\":18,\"text\":\"mine\"}"));
        traffic.Observe(Get("/notes/19", true, "{\"id\":19,\"owner\":\"ann\"}"));
        traffic.Observe(Get("/notes/19", false, "{\"id\":19}"));

        var hit = traffic.Routes().Single().Hits.Single(h => h.Hit.Rule == PassiveRules.CacheableAuthenticated);
        Assert.Equal(2, hit.Count);
        Assert.Contains("/notes/18", hit.Evidence, StringComparison.Ordinal);
        Assert.Contains("no 2xx answer to this GET without credentials was seen", hit.Hit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Answers_to_writes_without_explicit_freshness_are_neither_the_evidence_nor_counted()
    {
        // ex11: /events/{id}'s AG9063 showed a PATCH answer as its evidence, and counted every answer of the route.
        static ObservedExchange Write(string method, string url, int status, params (string, string)[] headers) =>
            new(method, new Uri(Origin + url), true, status, [new("Content-Type", "application/json"), .. headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))], "{\"id\":8}", false);

        var traffic = new PassiveTraffic();
        traffic.Observe(Write("PATCH", "/events/8", 200));
        traffic.Observe(Write("DELETE", "/events/9", 200, ("Cache-Control", "no-cache")));
        traffic.Observe(Get("/events/8", true, "{\"id\":8,\"seats\":40}", type: "application/json"));
        traffic.Observe(Get("/events/9", true, "{\"id\":9}", type: "application/json", headers: ("Cache-Control", "no-store")));

        var route = traffic.Routes().Single();
        var hit = route.Hits.Single(h => h.Hit.Rule == PassiveRules.CacheableAuthenticated);
        Assert.StartsWith("GET ", hit.Evidence, StringComparison.Ordinal);
        Assert.Equal((1, 2, 4), (hit.Count, hit.Judged, route.Responses));
    }

    [Fact]
    public void A_route_whose_only_unprotected_answers_are_to_writes_without_explicit_freshness_is_not_reported()
    {
        var traffic = new PassiveTraffic();
        traffic.Observe(new ObservedExchange("POST", new Uri(Origin + "/orders"), true, 201, [new("Content-Type", "application/json")], "{\"id\":1}", false));

        Assert.DoesNotContain(traffic.Routes().Single().Hits, h => h.Hit.Rule == PassiveRules.CacheableAuthenticated);
    }
}
