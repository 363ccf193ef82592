using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class InjectionCheckTests
{
    private static Task<CheckResult> RunAsync(ProbeTestApi api, SecurityProbeOptions? options = null, string security = "") =>
        ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), security, options);

    [Fact]
    public async Task A_service_with_bound_parameters_and_a_careful_parser_has_no_finding()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InjectionCoverage);
        Assert.Matches(@"^\d+ operations, [1-9]\d* string inputs probed", coverage.Message);
        Assert.Contains(api.Server.Requests, r => r.PathAndQuery.StartsWith("/products?search=mu%27%7C%7C%27g", StringComparison.Ordinal));
        Assert.Contains(api.Server.Requests, r => r.PathAndQuery.Contains("pg_sleep", StringComparison.Ordinal));
        Assert.Contains(api.Server.Requests, r => r.Body.StartsWith("[[[[", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Blind_SQL_injection_without_error_text_is_found_boolean_based()
    {
        using var api = new ProbeTestApi(Flaws.SqlInjection);
        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.SqlInjection);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("GET /products query 'search'", finding.Location);
        Assert.Contains("(boolean-based): 'mu'||'g' answers as 'mug' (twice), 'mu'||'zq' does not", finding.Message, StringComparison.Ordinal);
        Assert.Contains("/products?search=mu%27%7C%7C%27g'; answered 200", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("CWE-89, ZAP 40018", finding.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SQL_injection_with_the_database_error_in_the_answer_is_found_error_based()
    {
        using var api = new ProbeTestApi(Flaws.SqlInjection | Flaws.VerboseErrors);
        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.SqlInjection);
        Assert.Contains("(error-based): a quote answers 500 with a database error, two quotes answer 200", finding.Message, StringComparison.Ordinal);
        Assert.Contains("SQLite Error 1", finding.Evidence, StringComparison.Ordinal);

        // The stack trace came with a probe value, not with the valid request the probe varied (ex9 called it the
        // "document example", which answers 200).
        var disclosure = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ErrorDisclosure && f.Location == "GET /products");
        Assert.EndsWith("with a stack trace (a probe value in query 'search')", disclosure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Time_based_SQL_injection_is_confirmed_against_the_baseline()
    {
        using var api = new ProbeTestApi(Flaws.SlowSql);
        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.SqlInjection);
        Assert.Equal("GET /products query 'search'", finding.Location);
        Assert.Contains("(time-based): a 2 s sleep answered after", finding.Message, StringComparison.Ordinal);
        // Confirmed: the sleep twice, a zero sleep once.
        var products = api.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/products?", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, products.Count(r => r.PathAndQuery.Contains("pg_sleep%282%29", StringComparison.Ordinal)));
        Assert.Single(products, r => r.PathAndQuery.Contains("pg_sleep%280%29", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Input_reflected_in_HTML_is_XSS_and_a_file_parameter_reading_passwd_is_traversal()
    {
        using var api = new ProbeTestApi(Flaws.ReflectedXss | Flaws.Traversal);
        var result = await RunAsync(api);

        var xss = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ReflectedXss);
        Assert.Equal("GET /search query 'q'", xss.Location);
        Assert.Contains("<svg data-archgate=", xss.Evidence, StringComparison.Ordinal);
        var traversal = Assert.Single(result.Findings, f => f.Rule == SecurityRules.PathTraversal);
        Assert.Equal("GET /download query 'file'", traversal.Location);
        Assert.Contains("root:x:0:0:", traversal.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_body_answered_with_a_stack_trace_is_disclosure_and_a_server_error()
    {
        using var api = new ProbeTestApi(Flaws.VerboseErrors);
        var result = await RunAsync(api);

        // One observation, one severity: the passive rule gives the same trace in any other answer medium (ex15).
        var disclosure = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ErrorDisclosure && f.Location == "POST /orders");
        Assert.Equal(Severity.Medium, disclosure.Severity);
        Assert.Equal(PassiveRules.Find(PassiveRules.StackTrace)!.Severity, disclosure.Severity);
        Assert.Contains("at Probe.Api.Orders.Place(String body)", disclosure.Evidence, StringComparison.Ordinal);
        var error = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MalformedInputServerError && f.Location == "POST /orders");
        Assert.Contains("malformed JSON (500)", error.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task Every_number_of_the_body_is_sent_as_text_not_only_the_first()
    {
        // ex10: the handler checked itemId, the body's first number, and converted quantity unchecked.
        using var api = new ProbeTestApi(Flaws.WrongTypeCrash);
        var contract = ProbeTestApi.Contract
            .Replace("example: { note: ring twice }", "example: { note: ring twice, priority: 2, quantity: 1 }", StringComparison.Ordinal)
            .Replace("properties: { note: { type: string, maxLength: 200 } }", "properties: { note: { type: string, maxLength: 200 }, priority: { type: integer }, quantity: { type: integer } }", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: contract);

        var error = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MalformedInputServerError && f.Location == "POST /orders");
        Assert.Contains("a string in 'quantity', where a number goes (500)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'priority'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_sent_as_text_that_crashes_with_a_traceback_is_disclosure_and_a_server_error()
    {
        // Only step 2 and 7 saw this service's traceback (a bad quantity); step 9 alone sent strings to strings and missed it.
        using var api = new ProbeTestApi(Flaws.WrongTypeCrash);
        var contract = ProbeTestApi.Contract
            .Replace("example: { note: ring twice }", "example: { note: ring twice, quantity: 1 }", StringComparison.Ordinal)
            .Replace("properties: { note: { type: string, maxLength: 200 } }", "properties: { note: { type: string, maxLength: 200 }, quantity: { type: integer } }", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: contract);

        var disclosure = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ErrorDisclosure && f.Location == "POST /orders");
        Assert.Contains("a string in 'quantity', where a number goes", disclosure.Message, StringComparison.Ordinal);
        Assert.Contains("Traceback (most recent call last)", disclosure.Evidence, StringComparison.Ordinal);
        var error = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MalformedInputServerError && f.Location == "POST /orders");
        Assert.Contains("a string in 'quantity', where a number goes (500)", error.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status); // both medium: a disclosure and a 500, no injection
    }

    [Fact]
    public async Task The_request_budget_per_operation_holds_and_is_reported()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api, new SecurityProbeOptions { MaxRequestsPerOperation = 3 });

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InjectionCoverage);
        Assert.Contains("3 per operation", coverage.Message, StringComparison.Ordinal);
        Assert.Contains("GET /products: some probes of query 'search' (at most 3 requests per operation)", coverage.Message, StringComparison.Ordinal);
        Assert.True(api.Server.Requests.Count(r => r.PathAndQuery.StartsWith("/products", StringComparison.Ordinal)) <= 3, ProbeKit.Dump(result, api));
    }

    [Fact]
    public async Task An_optional_query_parameter_the_valid_request_leaves_out_is_probed_from_a_plausible_value()
    {
        // ex15: a generated contract's search parameter has no example, so the valid request leaves it out.
        using var api = new ProbeTestApi(Flaws.SlowSql);
        var contract = ProbeTestApi.Contract.Replace(
            "{ name: search, in: query, schema: { type: string, maxLength: 100 }, example: mug }", "{ name: search, in: query, schema: { type: string, maxLength: 100 } }", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: contract);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.SqlInjection);
        Assert.Equal("GET /products query 'search'", finding.Location);
        Assert.Contains("(time-based): a 2 s sleep answered after", finding.Message, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.PathAndQuery.StartsWith("/products?search=archgate%27", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_inputs_of_an_operation_whose_valid_request_fails_are_named_as_not_probed()
    {
        using var api = new ProbeTestApi(Flaws.SqlInjection);
        // A valid request the service cannot answer: a quote in the example breaks its concatenated SQL.
        var contract = ProbeTestApi.Contract.Replace("example: mug }", "example: \"mu'g\" }", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: contract);

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InjectionCoverage);
        Assert.Contains("GET /products query 'search' (the valid request answered 500)", coverage.Message, StringComparison.Ordinal);
    }

    private const string SearchParameter = "- { name: search, in: query, schema: { type: string, maxLength: 100 }, example: mug }";

    private static string WithProductParameter(string parameter) =>
        ProbeTestApi.Contract.Replace(SearchParameter, SearchParameter + "\n        - " + parameter, StringComparison.Ordinal);

    [Theory]
    [InlineData("{ name: X-Tenant, in: header, schema: { type: string }, example: acme }", "header 'X-Tenant'", "the CR/LF probe (a header value cannot carry CR, LF")]
    [InlineData("{ name: tenant, in: cookie, schema: { type: string }, example: acme }", "cookie 'tenant'", "the XSS probe, the CR/LF probe (a cookie value cannot carry")]
    public async Task A_header_or_cookie_parameter_put_into_SQL_is_injectable_and_a_probe_it_cannot_carry_is_named(string parameter, string input, string uncarried)
    {
        using var api = new ProbeTestApi(Flaws.TenantSql);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: WithProductParameter(parameter));

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.SqlInjection);
        Assert.Equal($"GET /products {input}", finding.Location);
        Assert.Contains("(boolean-based): 'acm'||'e' answers as 'acme' (twice), 'acm'||'zq' does not", finding.Message, StringComparison.Ordinal);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InjectionCoverage);
        Assert.Contains($"GET /products {input}: {uncarried}", coverage.Message, StringComparison.Ordinal);
        // The XSS marker has a double quote, which a cookie value cannot carry; no header or cookie ever carried a CR/LF.
        Assert.DoesNotContain(api.Server.Requests, r => r.Headers.Values.Any(v => v.Contains("X-Archgate-Crlf", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Headers_of_credentials_and_transport_are_never_probed_and_an_optional_header_is_probed_from_a_plausible_value()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var contract = WithProductParameter("{ name: Accept, in: header, schema: { type: string }, example: application/json }")
            .Replace(SearchParameter, SearchParameter + "\n        - { name: Authorization, in: header, schema: { type: string }, example: Bearer x }"
                + "\n        - { name: X-Api-Key, in: header, schema: { type: string }, example: k1 }"
                + "\n        - { name: X-Request-Id, in: header, schema: { type: string } }", StringComparison.Ordinal)
            .Replace("    bearer: { type: http, scheme: bearer }\n", "    bearer: { type: http, scheme: bearer }\n    apiKey: { type: apiKey, in: header, name: X-Api-Key }\n", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new InjectionCheck((Archgate.Model.HttpComponent)c, d, o), contract: contract);

        Assert.Empty(ProbeKit.Serious(result));
        var products = api.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/products", StringComparison.Ordinal)).ToList();
        Assert.Contains(products, r => r.Headers.TryGetValue("X-Request-Id", out var v) && v.StartsWith("archgate'", StringComparison.Ordinal));
        foreach (var header in new[] { "Accept", "Authorization", "X-Api-Key" })
        {
            Assert.DoesNotContain(products, r => r.Headers.TryGetValue(header, out var v) && v.Contains('\'', StringComparison.Ordinal));
        }

        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("header 'Authorization'", StringComparison.Ordinal) || f.Message.Contains("header 'X-Api-Key'", StringComparison.Ordinal));
    }
}
