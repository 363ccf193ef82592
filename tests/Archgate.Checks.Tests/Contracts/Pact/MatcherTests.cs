using static Archgate.Checks.Tests.Contracts.Pact.PactTestKit;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>
/// Each matcher the Pact specification defines, once passing and once failing, against a real provider on
/// 127.0.0.1; failures are worded as the Pact verifier words them (checked against pact_verifier_cli 1.x).
/// </summary>
public sealed class MatcherTests
{
    public static TheoryData<string, string, string, string?> Cases() => new()
    {
        // expected example, matcher, actual value, the mismatch (null: passes)
        { "\"x\"", """{ "match": "type" }""", "\"other\"", null },
        { "1", """{ "match": "type" }""", "\"mug\"", "$.v -> Expected 'mug' (String) to be the same type as 1 (Integer)" },
        { "1", """{ "match": "type" }""", "12.5", null },
        { "\"a1\"", """{ "match": "regex", "regex": "[a-z]\\d" }""", "\"b7\"", null },
        { "\"a1\"", """{ "match": "regex", "regex": "u" }""", "\"mug\"", "$.v -> Expected 'mug' to match 'u'" },
        { "\"zz\"", """{ "match": "include", "value": "ug" }""", "\"mug\"", null },
        { "\"zz\"", """{ "match": "include", "value": "zz" }""", "\"mug\"", "$.v -> Expected 'mug' to include 'zz'" },
        { "1", """{ "match": "integer" }""", "42", null },
        { "1", """{ "match": "integer" }""", "\"x\"", "$.v -> Expected 'x' (String) to be an integer" },
        { "1", """{ "match": "integer" }""", "\"42\"", "$.v -> Expected '42' (String) to be an integer" },
        { "1", """{ "match": "integer" }""", "1.0", "$.v -> Expected 1.0 (Decimal) to be an integer" },
        { "1.5", """{ "match": "decimal" }""", "2.25", null },
        { "1.5", """{ "match": "decimal" }""", "\"x\"", "$.v -> Expected 'x' (String) to be a decimal number" },
        { "1", """{ "match": "number" }""", "2.5", null },
        { "1", """{ "match": "number" }""", "\"3\"", "$.v -> Expected '3' (String) to be a number" },
        { "true", """{ "match": "boolean" }""", "false", null },
        { "true", """{ "match": "boolean" }""", "1", "$.v -> Expected 1 (Integer) to be a boolean" },
        { "\"2024-01-02\"", """{ "match": "date", "format": "yyyy-MM-dd" }""", "\"1999-12-31\"", null },
        { "\"2024-01-02\"", """{ "match": "date", "format": "yyyy-MM-dd" }""", "\"2024/01/02\"", "$.v -> Expected '2024/01/02' to match a date pattern of 'yyyy-MM-dd'" },
        { "\"10:00\"", """{ "match": "time", "format": "HH:mm" }""", "\"23:59\"", null },
        { "\"10:00\"", """{ "match": "time", "format": "HH:mm" }""", "\"25:00\"", "$.v -> Expected '25:00' to match a time pattern of 'HH:mm'" },
        { "\"2024-01-02T10:00:00Z\"", """{ "match": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ssXXX" }""", "\"2025-06-30T08:15:00+02:00\"", null },
        { "\"2024-01-02T10:00:00\"", """{ "match": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ss" }""", "\"2024-01-02\"", "$.v -> Expected '2024-01-02' to match a timestamp pattern of 'yyyy-MM-dd'T'HH:mm:ss'" },
        { "null", """{ "match": "null" }""", "null", null },
        { "null", """{ "match": "null" }""", "\"42\"", "$.v -> Expected '42' (String) to be a null value" },
        { "\"x\"", """{ "match": "notEmpty" }""", "\"y\"", null },
        { "[1]", """{ "match": "notEmpty" }""", "[]", "$.v -> Expected [] (Array) to not be empty" },
        { "\"x\"", """{ "match": "equality" }""", "\"x\"", null },
        { "\"cup\"", """{ "match": "equality" }""", "\"mug\"", "$.v -> Expected 'mug' (String) to be equal to 'cup' (String)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Matcher_passes_or_fails_with_the_verifiers_wording(string expected, string matcher, string actual, string? mismatch)
    {
        var mismatches = await MismatchesAsync(OneMatcher(expected, matcher), $$"""{ "v": {{actual}}, "extra": true }""");

        if (mismatch is null)
        {
            Assert.Empty(mismatches);
        }
        else
        {
            Assert.Equal(mismatch, Assert.Single(mismatches));
        }
    }

    [Fact]
    public async Task Type_with_min_is_eachLike_every_element_matches_the_example()
    {
        var pact = V3("""{ "items": [ { "id": 1 } ] }""", """{ "$.items": { "matchers": [ { "match": "type", "min": 1 } ] } }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "items": [ { "id": 5 }, { "id": 6, "more": 1 } ] }"""));
        Assert.Equal(
            ["$.items[1].id -> Expected 'x' (String) to be the same type as 1 (Integer)"],
            await MismatchesAsync(pact, """{ "items": [ { "id": 5 }, { "id": "x" } ] }"""));
        Assert.Equal(
            ["$.items -> Expected [] (size 0) to have minimum size of 1"],
            await MismatchesAsync(pact, """{ "items": [] }"""));
    }

    [Fact]
    public async Task Type_with_max_fails_a_longer_list()
    {
        var pact = V3("""{ "tags": [ "a" ] }""", """{ "$.tags": { "matchers": [ { "match": "type", "max": 2 } ] } }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "tags": [ "x", "y" ] }"""));
        Assert.Equal(
            ["$.tags -> Expected [\"a\", \"b\", \"c\"] (size 3) to have maximum size of 2"],
            await MismatchesAsync(pact, """{ "tags": [ "a", "b", "c" ] }"""));
    }

    [Fact]
    public async Task Values_lets_the_keys_of_a_map_vary()
    {
        var pact = V3("""{ "stock": { "MUG-1": 3 } }""", """{ "$.stock": { "matchers": [ { "match": "values" } ] }, "$.stock.*": { "matchers": [ { "match": "integer" } ] } }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "stock": { "PEN-9": 7, "CUP-2": 0 } }"""));
        Assert.Equal(
            ["$.stock.PEN-9 -> Expected 'seven' (String) to be an integer"],
            await MismatchesAsync(pact, """{ "stock": { "PEN-9": "seven" } }"""));
    }

    [Fact]
    public async Task Combine_OR_passes_when_one_matcher_passes_and_reports_all_when_none_does()
    {
        var pact = V3("""{ "v": 1 }""", """{ "$.v": { "combine": "OR", "matchers": [ { "match": "regex", "regex": "\\d+" }, { "match": "type" } ] } }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "v": 7 }"""));
        Assert.Equal(
            ["$.v -> Expected 'x' to match '\\d+'", "$.v -> Expected 'x' (String) to be the same type as 1 (Integer)"],
            await MismatchesAsync(pact, """{ "v": "x" }"""));
    }

    [Fact]
    public async Task Combine_AND_needs_every_matcher()
    {
        var pact = OneMatcher("\"ab\"", """{ "match": "type" }, { "match": "regex", "regex": "a." }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "v": "az" }"""));
        Assert.Equal(["$.v -> Expected 'zz' to match 'a.'"], await MismatchesAsync(pact, """{ "v": "zz" }"""));
    }
}
