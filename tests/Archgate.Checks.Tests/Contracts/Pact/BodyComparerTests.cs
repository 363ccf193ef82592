using static Archgate.Checks.Tests.Contracts.Pact.PactTestKit;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>The v4 container matchers (eachKey, eachValue, arrayContains) and the value matchers added with them.</summary>
public sealed class BodyComparerTests
{
    private static List<string> Match(string body, string rules, string actual) =>
        Failures(Expect($$"""{ "status": 200, "body": {{body}}, "matchingRules": { "body": {{rules}} } }"""), Actual(actual));

    [Fact]
    public void EachKey_checks_every_key_and_lets_the_keys_vary()
    {
        const string Rules = """{ "$.stock": { "matchers": [ { "match": "eachKey", "rules": [ { "match": "regex", "regex": "[A-Z]+-\\d+" } ] } ] } }""";

        Assert.Empty(Match("""{ "stock": { "MUG-1": 3 } }""", Rules, """{ "stock": { "PEN-9": 7, "MUG-1": 3 } }"""));
        Assert.Equal(["$.stock.pen -> Expected 'pen' to match '[A-Z]+-\\d+'"], Match("""{ "stock": { "MUG-1": 3 } }""", Rules, """{ "stock": { "pen": 7 } }"""));
    }

    [Fact]
    public void EachValue_matches_every_value_of_a_map_against_its_rules()
    {
        const string Rules = """{ "$.stock": { "matchers": [ { "match": "eachValue", "rules": [ { "match": "integer" } ] } ] } }""";

        Assert.Empty(Match("""{ "stock": { "MUG-1": 3 } }""", Rules, """{ "stock": { "PEN-9": 7, "CUP-2": 0 } }"""));
        Assert.Equal(["$.stock.PEN-9 -> Expected 'seven' (String) to be an integer"], Match("""{ "stock": { "MUG-1": 3 } }""", Rules, """{ "stock": { "PEN-9": "seven" } }"""));
    }

    [Fact]
    public void EachValue_on_a_list_matches_every_element_and_cascades_into_it()
    {
        const string Rules = """{ "$.items": { "matchers": [ { "match": "eachValue", "rules": [ { "match": "type" } ] } ] } }""";

        Assert.Empty(Match("""{ "items": [ { "id": 1 } ] }""", Rules, """{ "items": [ { "id": 5 }, { "id": 6 } ] }"""));
        Assert.Equal(["$.items[1].id -> Expected 'x' (String) to be the same type as 1 (Integer)"],
            Match("""{ "items": [ { "id": 1 } ] }""", Rules, """{ "items": [ { "id": 5 }, { "id": "x" } ] }"""));
    }

    [Fact]
    public void ArrayContains_needs_each_variant_somewhere_in_the_list_in_any_order()
    {
        const string Body = """{ "links": [ { "rel": "self", "href": "/orders/1" }, { "rel": "items", "href": "/orders/1/items" } ] }""";
        const string Rules = """
            { "$.links": { "matchers": [ { "match": "arrayContains", "variants": [
                { "index": 0, "rules": { "$.href": { "matchers": [ { "match": "regex", "regex": "/orders/\\d+" } ] } } },
                { "index": 1, "rules": { "$.href": { "matchers": [ { "match": "regex", "regex": "/orders/\\d+/items" } ] } } } ] } ] } }
            """;

        Assert.Empty(Match(Body, Rules, """{ "links": [ { "rel": "next", "href": "/x" }, { "rel": "items", "href": "/orders/9/items" }, { "rel": "self", "href": "/orders/9" } ] }"""));
        Assert.Equal(["""$.links -> Variant at index 1 ({"rel":"items","href":"/orders/1/items"}) was not found in the actual list"""],
            Match(Body, Rules, """{ "links": [ { "rel": "self", "href": "/orders/9" } ] }"""));
    }

    [Theory]
    [InlineData("""{ "match": "semver" }""", "\"1.2.3\"", "\"2.0.0-rc.1+build.5\"", null)]
    [InlineData("""{ "match": "semver" }""", "\"1.2.3\"", "\"1.2\"", "$.v -> '1.2' is not a valid semantic version")]
    [InlineData("""{ "match": "contentType", "value": "image/png" }""", "\"x\"", "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\"", null)]
    [InlineData("""{ "match": "contentType", "value": "application/json" }""", "\"x\"", "\"{\\\"a\\\": 1}\"", null)]
    [InlineData("""{ "match": "contentType", "value": "image/png" }""", "\"x\"", "\"hello\"", "$.v -> Failed to match data to have a content type of 'image/png': Expected binary contents to have content type 'image/png' but detected contents was 'text/plain'")]
    [InlineData("""{ "match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSX" }""", "\"x\"", "\"2024-02-29T23:59:01.123Z\"", null)]
    [InlineData("""{ "match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSX" }""", "\"x\"", "\"2024-02-30T23:59:01.123Z\"", "$.v -> Expected '2024-02-30T23:59:01.123Z' to match a timestamp pattern of 'yyyy-MM-dd'T'HH:mm:ss.SSSX'")]
    [InlineData("""{ "match": "date", "date": "dd/MM/yyyy" }""", "\"x\"", "\"31/12/1999\"", null)]
    [InlineData("""{ "match": "time", "format": "HH:mm:ss" }""", "\"x\"", "\"12:00\"", "$.v -> Expected '12:00' to match a time pattern of 'HH:mm:ss'")]
    [InlineData("""{ "match": "boolean" }""", "true", "\"false\"", null)]
    [InlineData("""{ "match": "values" }""", "{ \"a\": 1 }", "{ \"b\": 1 }", null)]
    [InlineData("""{ "match": "notEmpty" }""", "\"x\"", "\"\"", "$.v -> Expected '' (String) to not be empty")]
    public void Value_matchers_of_v3_and_v4(string matcher, string example, string actual, string? failure)
    {
        var failures = Match($$"""{ "v": {{example}} }""", $$"""{ "$.v": { "matchers": [ {{matcher}} ] } }""", $$"""{ "v": {{actual}} }""");

        Assert.Equal(failure is null ? [] : [failure], failures);
    }
}
