using System.Security.Cryptography;
using System.Text;
using Archgate.Checks.Contracts.Pact;
using static Archgate.Checks.Tests.Contracts.Pact.PactTestKit;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>Headers, binary, text and XML bodies, and warnings, matched as the Pact rules match them.</summary>
public sealed class ResponseMatcherTests
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x00, 0x00, 0x07, 0x7F, 0x00, 0x02, 0x03];

    [Fact]
    public void A_base64_body_of_a_binary_type_is_compared_as_its_decoded_bytes()
    {
        var expected = Expect($$"""{ "status": 200, "headers": { "Content-Type": "image/jpeg" }, "body": "{{Convert.ToBase64String(Jpeg)}}" }""");

        Assert.Empty(Failures(expected, Actual(Jpeg, ("Content-Type", "image/jpeg"))));
    }

    [Fact]
    public void A_v4_base64_body_is_compared_as_bytes_and_a_difference_shows_length_hash_and_hex_never_raw_bytes()
    {
        var expected = Expect($$"""{ "status": 200, "body": { "content": "{{Convert.ToBase64String(Jpeg)}}", "contentType": "application/octet-stream", "encoded": "base64" } }""", "4.0");
        var other = Jpeg.Select(b => (byte)(b ^ 0x01)).Concat(new byte[70_000]).ToArray();

        var failure = Assert.Single(Failures(expected, Actual(other, ("Content-Type", "application/octet-stream"))));

        Assert.StartsWith("$ -> Actual body [application/octet-stream, 70019 bytes, SHA-256 ", failure, StringComparison.Ordinal);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(other))}, starting with fed9fee1", failure, StringComparison.Ordinal);
        Assert.Contains("is not equal to the expected body [application/octet-stream, 19 bytes", failure, StringComparison.Ordinal);
        Assert.True(failure.Length < 400, failure);
        Assert.DoesNotContain('\0', failure);
        Assert.Empty(Failures(expected, Actual(Jpeg, ("Content-Type", "application/octet-stream"))));
    }

    [Fact]
    public void Binary_body_rules_contentType_and_notEmpty_look_at_the_bytes()
    {
        var expected = Expect($$"""
            { "status": 200, "headers": { "Content-Type": "image/jpeg" }, "body": "{{Convert.ToBase64String(Jpeg)}}",
              "matchingRules": { "body": { "$": { "matchers": [ { "match": "contentType", "value": "image/jpeg" }, { "match": "notEmpty" } ] } } } }
            """);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];

        Assert.Empty(Failures(expected, Actual([0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 3], ("Content-Type", "image/jpeg"))));
        Assert.Equal(["$ -> Expected binary contents to have content type 'image/jpeg' but detected contents was 'image/png'"],
            Failures(expected, Actual(png, ("Content-Type", "image/jpeg"))));
    }

    [Fact]
    public void An_empty_expected_body_fails_any_bytes_and_shows_binary_ones_as_a_summary()
    {
        var expected = Expect("""{ "status": 200, "body": null }""");

        Assert.Empty(Failures(expected, Actual([])));
        var failure = Assert.Single(Failures(expected, Actual([0x00, 0x02, 0xFF], ("Content-Type", "application/octet-stream"))));
        Assert.StartsWith("$ -> Expected empty body but received [3 bytes, SHA-256 ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_on_a_repeated_header_applies_to_each_value()
    {
        var expected = Expect("""
            { "status": 200, "headers": { "X-Rate": "1" },
              "matchingRules": { "header": { "X-Rate": { "matchers": [ { "match": "regex", "regex": "\\d{1,4}" } ] } } } }
            """);

        Assert.Empty(Failures(expected, Actual("", ("X-Rate", "1"), ("X-Rate", "1000"))));
        Assert.Equal(["Mismatch with header 'X-Rate': Expected '10000' to match '\\d{1,4}' for value at index 1"],
            Failures(expected, Actual("", ("X-Rate", "1"), ("X-Rate", "10000"))));
    }

    [Fact]
    public void Repeated_values_without_a_rule_compare_in_order()
    {
        var expected = Expect("""{ "status": 200, "headers": { "X-Id": [ "a", "b" ] } }""", "4.0");

        Assert.Empty(Failures(expected, Actual("", ("X-Id", "a"), ("X-Id", "b"))));
        Assert.Equal(["Mismatch with header 'X-Id': Expected value 'b' at index 1 but was missing (actual has 1 value(s))"],
            Failures(expected, Actual("", ("X-Id", "a"))));
        Assert.Equal(
            ["Mismatch with header 'X-Id': Expected 'b' to be equal to 'a' for value at index 0", "Mismatch with header 'X-Id': Expected 'a' to be equal to 'b' for value at index 1"],
            Failures(expected, Actual("", ("X-Id", "b"), ("X-Id", "a"))));
    }

    [Theory]
    [InlineData("integer", "100", null)]
    [InlineData("integer", "-1", "Expected '-1' to match an integer number")]
    [InlineData("integer", "1.5", "Expected '1.5' to match an integer number")]
    [InlineData("number", "100", null)]
    [InlineData("number", "1.5e3", null)]
    [InlineData("number", "ten", "Expected 'ten' to match a number")]
    [InlineData("decimal", "12.5", null)]
    [InlineData("decimal", "x", "Expected 'x' to match a number")]
    [InlineData("boolean", "true", null)]
    [InlineData("boolean", "yes", "Expected 'yes' to match a boolean")]
    public void Number_integer_decimal_and_boolean_rules_accept_header_text_that_parses_as_the_kind(string matcher, string actual, string? failure)
    {
        var expected = Expect($$"""
            { "status": 200, "headers": { "X-Count": "1" },
              "matchingRules": { "header": { "X-Count": { "matchers": [ { "match": "{{matcher}}" } ] } } } }
            """);

        var failures = Failures(expected, Actual("", ("X-Count", actual)));

        Assert.Equal(failure is null ? [] : [$"Mismatch with header 'X-Count': {failure}"], failures);
    }

    [Theory]
    [InlineData("application/json;charset=utf-8", "application/json; charset=UTF-8", true)]
    [InlineData("application/json", "application/json; charset=UTF-8", true)]
    [InlineData("application/json; charset=UTF-16", "application/json; charset=UTF-8", false)]
    [InlineData("text/html, application/xml;q=0.9, */*;q=0.8", "text/html,application/xml; q=0.9,*/*;q=0.8", true)]
    [InlineData("text/html, application/xml;q=0.9", "text/html, application/xml;q=0.8", false)]
    [InlineData("alligators, hippos", "hippos, alligators", false)]
    public void Accept_and_content_type_compare_parameters_by_name_and_ignore_whitespace(string expectedValue, string actualValue, bool matches)
    {
        var name = expectedValue.Contains(',', StringComparison.Ordinal) ? "Accept" : "Content-Type";
        var expected = Expect($$"""{ "status": 200, "headers": { "{{name}}": "{{expectedValue}}" } }""");

        Assert.Equal(matches, Failures(expected, Actual("", (name, actualValue))).Count == 0);
    }

    [Fact]
    public void A_parameter_mismatch_is_worded_as_the_verifier_words_it()
    {
        var expected = Expect("""{ "status": 200, "headers": { "Content-Type": "application/json; charset=UTF-16" } }""");

        Assert.Equal(["Mismatch with header 'Content-Type': Expected header 'Content-Type' to have value 'application/json; charset=UTF-16' but was 'application/json; charset=UTF-8'"],
            Failures(expected, Actual("", ("Content-Type", "application/json; charset=UTF-8"))));
    }

    [Fact]
    public void An_unsupported_matcher_is_a_warning_and_never_a_failure()
    {
        var expected = Expect("""
            { "status": 200, "body": { "v": "x" },
              "matchingRules": { "body": { "$.v": { "matchers": [ { "match": "futureMatcher" } ] } } } }
            """);

        var mismatches = ResponseMatcher.Match(expected, Actual("""{ "v": 42 }"""));

        var warning = Assert.Single(mismatches);
        Assert.True(warning.IsWarning);
        Assert.Equal(MismatchKind.Unsupported, warning.Kind);
        Assert.Equal("Matcher not supported, so not applied: body $.v: 'futureMatcher'", warning.Message);
    }

    [Fact]
    public void Xml_bodies_compare_elements_attributes_and_text_with_rules_and_namespaces()
    {
        var expected = Expect("""
            { "status": 200, "headers": { "Content-Type": "application/xml" },
              "body": "<?xml version=\"1.0\"?><people xmlns=\"urn:p\"><person id=\"1\">Fred</person></people>",
              "matchingRules": { "body": { "$['urn:p:people']": { "matchers": [ { "match": "type", "min": 1 } ] },
                "$['urn:p:people']['urn:p:person']['@id']": { "matchers": [ { "match": "integer" } ] } } } }
            """);

        Assert.Empty(Failures(expected, Actual("""<p:people xmlns:p="urn:p"><p:person id="7" extra="y">Fred</p:person><p:person id="8">Fred</p:person></p:people>""", ("Content-Type", "application/xml"))));
        // The type rule cascades to the text, so only the attribute's own rule fails.
        Assert.Equal(
            ["$['urn:p:people']['urn:p:person']['@id'] -> Expected 'x' to match an integer number"],
            Failures(expected, Actual("""<people xmlns="urn:p"><person id="x">George</person></people>""", ("Content-Type", "application/xml"))));
        Assert.Equal(
            ["$['urn:p:people'] -> Expected 'urn:p:people' to be the same type as 'people'"],
            Failures(expected, Actual("""<people><person id="1">Fred</person></people>""", ("Content-Type", "application/xml"))));
    }

    [Fact]
    public void Xml_without_rules_needs_every_expected_child_and_the_same_text()
    {
        var expected = Expect("""{ "status": 200, "headers": { "Content-Type": "application/xml" }, "body": "<a><b>1</b><c/></a>" }""");

        Assert.Empty(Failures(expected, Actual("<a>\n  <b>1</b>\n  <c x=\"1\"/><d/>\n</a>", ("Content-Type", "application/xml"))));
        Assert.Equal(["$.a.b['#text'] -> Expected '2' to be equal to '1'", "$.a -> Expected child <c/> but was missing"],
            Failures(expected, Actual("<a><b>2</b></a>", ("Content-Type", "application/xml"))));
    }

    [Fact]
    public void A_text_body_matches_by_equality_or_by_its_rule()
    {
        var equal = Expect("""{ "status": 200, "headers": { "Content-Type": "text/plain" }, "body": "hello" }""");
        var regex = Expect("""{ "status": 200, "headers": { "Content-Type": "text/plain" }, "body": "hello", "matchingRules": { "body": { "$": { "matchers": [ { "match": "regex", "regex": "h.*" } ] } } } }""");

        Assert.Equal(["$ -> Expected body 'hello' to match 'bye' using equality but did not match"], Failures(equal, Actual("bye", ("Content-Type", "text/plain"))));
        Assert.Empty(Failures(regex, Actual("howdy", ("Content-Type", "text/plain; charset=utf-8"))));
        Assert.Equal(
            ["Mismatch with header 'Content-Type': Expected header 'Content-Type' to have value 'text/plain' but was 'application/json'", "Expected a body of 'text/plain' but the actual content type was 'application/json'"],
            Failures(regex, Actual("{}", ("Content-Type", "application/json"))));
    }
}
