using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// Servers that answer exactly what their document allows (and refuse what it does not, as a mock server such
/// as Prism does: with a documented 4xx, else 422): live conformance must report nothing against them.
/// Each case is one class of false finding that a run against real-world documents showed.
/// </summary>
public sealed partial class SpecTrueServerTests
{
    private static Reply Refuse(string why) => new(400, null, Headers: new Dictionary<string, string> { ["X-Why"] = why });

    private static Reply Json(int status, object body) => new(status, JsonSerializer.Serialize(body));

    [Fact]
    public async Task Form_fields_are_text_so_a_number_in_a_string_field_is_valid_and_arrays_travel_as_repeated_keys()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: accounts, version: "1" }
            paths:
              /accounts:
                post:
                  requestBody:
                    required: true
                    content:
                      application/x-www-form-urlencoded:
                        schema:
                          type: object
                          required: [FriendlyName]
                          properties:
                            FriendlyName: { type: string, maxLength: 20 }
                            Limit: { type: integer, minimum: 1, maximum: 5 }
                            Tags: { type: array, maxItems: 2, items: { type: string, pattern: '^[a-z]+$' } }
                  responses:
                    '201': { description: created }
                    '400': { description: invalid }
            """;
        var joined = new List<string>();
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method != "POST")
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "POST" });
            }

            var form = Form(r.Body);
            joined.AddRange((form.GetValueOrDefault("Tags") ?? []).Where(t => t.Contains(',', StringComparison.Ordinal)));
            if (!form.TryGetValue("FriendlyName", out var name) || name.Length != 1 || name[0].Length > 20)
            {
                return Refuse("FriendlyName is required, at most 20 characters");
            }

            if (form.TryGetValue("Limit", out var limit) && !(int.TryParse(limit[0], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 5))
            {
                return Refuse("Limit is 1..5");
            }

            if (form.TryGetValue("Tags", out var tags) && (tags.Length > 2 || tags.Any(t => !Lower().IsMatch(t))))
            {
                return Refuse("Tags: at most 2 words");
            }

            return new Reply(201, null);
        });

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
        Assert.Empty(joined);
        Assert.Contains(server.Requests, r => Form(r.Body).GetValueOrDefault("Tags")?.Length == 2); // the maximum body: two Tags keys
        Assert.Contains(server.Requests, r => Form(r.Body).GetValueOrDefault("Limit") is ["6"]); // a boundary still probed
    }

    [Fact]
    public async Task An_optional_form_body_may_be_left_out_so_removing_its_only_field_is_not_an_invalid_request()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: notes, version: "1" }
            paths:
              /notes:
                post:
                  requestBody:
                    content:
                      application/x-www-form-urlencoded:
                        schema: { type: object, required: [Text], properties: { Text: { type: string, minLength: 1 } } }
                  responses:
                    '201': { description: created }
                    '400': { description: invalid }
            """;
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method != "POST")
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "POST" });
            }

            var form = Form(r.Body);
            return r.Body.Length == 0 || (form.TryGetValue("Text", out var text) && text[0].Length > 0) ? new Reply(201, null) : Refuse("Text is required");
        });

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
        Assert.Contains(server.Requests, r => r.Method == "POST" && Form(r.Body).GetValueOrDefault("Text") is [""]); // minLength still probed
    }

    [Fact]
    public async Task An_exploded_query_array_takes_one_value_as_a_one_item_array_and_only_its_items_can_be_of_the_wrong_type()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: search, version: "1" }
            paths:
              /search:
                get:
                  parameters:
                    - { name: tags, in: query, schema: { type: array, items: { type: string } } }
                    - { name: ids, in: query, required: true, schema: { type: array, items: { type: integer } } }
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { type: array, items: { type: integer } } } } }
                    '400': { description: invalid }
            """;
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method != "GET")
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
            }

            var query = Query(r);
            if (!query.TryGetValue("ids", out var ids) || ids.Any(i => !int.TryParse(i, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                return Refuse("ids are integers");
            }

            return Json(200, ids.Select(i => int.Parse(i, CultureInfo.InvariantCulture)));
        });

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
        Assert.Contains(server.Requests, r => Query(r).GetValueOrDefault("ids") is ["not-a-number"]);
        Assert.DoesNotContain(server.Requests, r => Query(r).GetValueOrDefault("tags") is ["not-a-number"] or ["not-an-array"]);
    }

    [Fact]
    public async Task A_30_nullable_without_a_type_means_any_value_or_null()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: things, version: "1" }
            paths:
              /things:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [note, meta, owner, extra]
                            properties:
                              note: { nullable: true }
                              meta: { nullable: true, properties: { a: { type: string } } }
                              owner: { nullable: true, allOf: [ { $ref: '#/components/schemas/Owner' } ] }
                              extra: { $ref: '#/components/schemas/Anything' }
            components:
              schemas:
                Owner: { type: object, required: [name], properties: { name: { type: string } } }
                Anything: { nullable: true, description: whatever the provider stores }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET"
            ? new Reply(200, """{"note":{"x":1},"meta":{"a":"b"},"owner":{"name":"ann"},"extra":[1,"two"]}""")
            : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
    }

    [Fact]
    public async Task A_real_mismatch_beside_a_nullable_object_is_the_only_finding_not_also_expected_null()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: things, version: "1" }
            paths:
              /things:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              id: { type: integer }
                              owner: { nullable: true, allOf: [ { $ref: '#/components/schemas/Owner' } ] }
                              tag: { type: string, nullable: true }
            components:
              schemas:
                Owner: { type: object, required: [name], properties: { name: { type: string } } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET"
            ? new Reply(200, """{"id":"7","owner":{"name":"ann"},"tag":"x"}""")
            : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("GET /things 200 $.id", finding.Location);
    }

    [Fact]
    public async Task Valid_requests_satisfy_patterns_and_formats_and_invalid_ones_rejected_with_an_undeclared_422_are_fine()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: credits, version: "1" }
            paths:
              /credits/{id}:
                get:
                  parameters:
                    - { name: id, in: path, required: true, schema: { type: string, pattern: '^CR[0-9a-fA-F]{32}$' } }
                    - { name: code, in: query, required: true, schema: { type: string, pattern: '^[A-Z]{3}-\d{4}(-[a-z]{2,3})?$' } }
                    - { name: on, in: query, schema: { type: string, format: date } }
                    - { name: ref, in: query, schema: { type: string, minLength: 5, maxLength: 9, pattern: '^(ab|cd)+x?$' } }
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { type: object, properties: { id: { type: string } } } } } }
            """;
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method != "GET")
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
            }

            var id = Uri.UnescapeDataString(r.PathAndQuery.Split('?')[0]["/credits/".Length..]);
            var query = Query(r);
            var valid = CreditId().IsMatch(id)
                && query.TryGetValue("code", out var code) && Code().IsMatch(code[0])
                && (!query.TryGetValue("on", out var on) || DateOnly.TryParseExact(on[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                && (!query.TryGetValue("ref", out var reference) || (reference[0].Length is >= 5 and <= 9 && Reference().IsMatch(reference[0])));
            return valid ? Json(200, new { id }) : Problem(422, "invalid request"); // as Prism: no 4xx declared, so 422
        });

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
        Assert.Contains(server.Requests, r => r.PathAndQuery.Contains("code=%21", StringComparison.Ordinal) || r.PathAndQuery.Contains("code=!", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_request_refused_with_an_undocumented_4xx_is_a_warning_that_says_the_request_may_be_at_fault()
    {
        const string Document = """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /things:
                get:
                  responses: { '200': { description: ok } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET" ? Problem(422, "no") : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG2011", finding.Rule);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Contains("status 422 is not documented (documented: 200); the request was built from the document to be valid, so it may be at fault", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_text_body_whose_media_type_has_no_schema_is_not_a_missing_body()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /ping:
                get:
                  responses:
                    '200': { description: ok, content: { text/plain: {} } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET" ? new Reply(200, null) : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Findings.Count == 0, Dump(result, server));
    }

    [Fact]
    public async Task An_error_in_another_content_type_than_its_declared_problem_type_is_one_finding_AG2012_high()
    {
        const string Document = """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /things/{id}:
                get:
                  parameters: [ { name: id, in: path, required: true, schema: { type: integer }, example: 7 } ]
                  responses:
                    '200': { description: ok }
                    '404': { description: none, content: { application/problem+json: { schema: { type: object } } } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET"
            ? new Reply(404, """{"error":"none"}""")
            : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        var finding = Assert.Single(result.Findings, f => f.Location == "GET /things/{id} 404");
        Assert.Equal("AG2012", finding.Rule);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG2017");
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task Every_ranged_parameter_is_probed_so_a_crash_on_the_second_one_fails_the_check()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: list, version: "1" }
            paths:
              /orders:
                get:
                  parameters:
                    - { name: offset, in: query, schema: { type: integer, minimum: 0 } }
                    - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 100 } }
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { type: array } } } }
                    '400': { description: invalid }
            """;
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method != "GET")
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
            }

            var query = Query(r);
            if (query.TryGetValue("offset", out var offset) && !(int.TryParse(offset[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return Refuse("offset is a whole number from 0");
            }

            // The bug: limit is parsed but its range is not checked, and a page size of 0 or 101 throws.
            if (query.TryGetValue("limit", out var limit) && !int.TryParse(limit[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                return Refuse("limit is a whole number");
            }

            return limit is ["0"] or ["101"] ? new Reply(500, "page size", "text/plain") : Json(200, Array.Empty<int>());
        });

        var result = await RunCheckAsync(Document, server);

        var crashes = result.Findings.Where(f => f.Rule == "AG2010").Select(f => f.Evidence).ToList();
        Assert.True(crashes.Count == 2, Dump(result, server));
        Assert.Contains(crashes, e => e!.Contains("limit=101", StringComparison.Ordinal));
        Assert.Contains(crashes, e => e!.Contains("limit=0", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task Invalid_inputs_left_out_by_the_request_budget_are_named()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: list, version: "1" }
            paths:
              /orders:
                get:
                  parameters:
                    - { name: offset, in: query, schema: { type: integer, minimum: 0 } }
                    - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 100 } }
                  responses:
                    '200': { description: ok }
                    '400': { description: invalid }
            """;
        using var server = new ScriptedHttpServer(r => r.Method != "GET"
            ? new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" })
            : r.PathAndQuery.Contains("not-a-number", StringComparison.Ordinal) || r.PathAndQuery.Contains("=-1", StringComparison.Ordinal)
              || r.PathAndQuery.Contains("=0", StringComparison.Ordinal) || r.PathAndQuery.Contains("=101", StringComparison.Ordinal)
                ? Refuse("no") : new Reply(200, null));

        var result = await RunCheckAsync(Document, server, openApiKeys: ", conformance: { requestsPerOperation: 4 }");

        var note = Assert.Single(result.Findings);
        Assert.Equal("AG2018", note.Rule);
        Assert.Equal(Severity.Info, note.Severity);
        Assert.StartsWith("GET /orders: 3 invalid inputs were not probed (at most 4 requests per operation): ", note.Message, StringComparison.Ordinal);
        Assert.Contains("query parameter 'limit' is 0, below the minimum 1", note.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("cookie")]
    public async Task An_api_key_in_the_query_string_or_a_cookie_is_sent_where_the_manifest_says_and_masked(string where)
    {
        const string Key = "qk3y-value-42";
        var document = $$"""
            openapi: 3.1.0
            info: { title: t, version: "1" }
            security: [ { key: [] } ]
            paths:
              /things:
                get:
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { type: object, required: [n], properties: { n: { type: integer } } } } } }
                    '401': { description: no key }
            components:
              securitySchemes:
                key: { type: apiKey, in: {{where}}, name: api_key }
            """;
        using var server = new ScriptedHttpServer(r =>
        {
            var sent = where == "query" ? Query(r).GetValueOrDefault("api_key")?.FirstOrDefault() : r.Headers.GetValueOrDefault("Cookie")?.Replace("api_key=", "", StringComparison.Ordinal);
            if (sent != Key)
            {
                return new Reply(401, null);
            }

            return r.Method == "GET" ? new Reply(200, """{"n":"drifted"}""") : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
        });

        var result = await RunCheckAsync(document, server, $$"""
                auth: { apiKey: { name: api_key, in: {{where}}, value: {{Key}} } }
            """);

        var drift = Assert.Single(result.Findings, f => f.Rule == "AG2013");
        Assert.Equal("GET /things 200 $.n", drift.Location);
        Assert.DoesNotContain(Key, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
        Assert.True(result.Findings.Count == 1, Dump(result, server));
    }

    [Fact]
    public async Task A_document_with_errors_is_not_checked_against_and_the_skip_says_its_first_error()
    {
        const string Document = """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /a:
                get:
                  responses: { '200': { $ref: '#/components/responses/Nothing' } }
            """;
        using var server = new ScriptedHttpServer(_ => new Reply(200, null));

        var result = await RunCheckAsync(Document, server);

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("cannot be checked against: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("api.yaml:6:", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("see contracts.openapi", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [GeneratedRegex("^[a-z]+$")]
    private static partial Regex Lower();

    [GeneratedRegex("^CR[0-9a-fA-F]{32}$")]
    private static partial Regex CreditId();

    [GeneratedRegex(@"^[A-Z]{3}-\d{4}(-[a-z]{2,3})?$")]
    private static partial Regex Code();

    [GeneratedRegex("^(ab|cd)+x?$")]
    private static partial Regex Reference();
}
