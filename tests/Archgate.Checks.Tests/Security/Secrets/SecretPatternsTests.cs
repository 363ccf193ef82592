using Archgate.Checks.Security.Secrets;

namespace Archgate.Checks.Tests.Security.Secrets;

public sealed class SecretPatternsTests
{
    [Theory]
    [InlineData("{\"apiKey\": \"${REMINDERS_API_KEY}\"}")]
    [InlineData("reminders:\n  api_key: ${REMINDERS_API_KEY}\n")]
    [InlineData("{ \"auth\": { \"client_secret\": \"${OIDC_CLIENT_SECRET}\" } }")]
    public void A_reference_that_ends_where_the_value_stops_at_its_brace_is_no_literal(string text)
    {
        Assert.Empty(SecretPatterns.NamedValues(text));
    }

    [Fact]
    public void A_literal_beside_a_reference_is_still_found()
    {
        var found = SecretPatterns.NamedValues("{\"apiKey\": \"${REMINDERS_API_KEY}\", \"password\": \"Zq8vL2mR7tX4nW9kB3cY\"}").ToList();

        var match = Assert.Single(found);
        Assert.Equal("high-entropy value of password", match.Kind);
    }

    [Fact]
    public void A_long_run_of_name_characters_is_read_through_and_the_pair_after_it_found()
    {
        // A probe's 256 KiB value that a service wrote into its log in one line, then a real pair on the same line.
        var text = new string('a', 262_144) + " apikey=Zq8vL2mR7tX4nW9kB3cY\n";

        var match = Assert.Single(SecretPatterns.NamedValues(text));

        Assert.Equal("high-entropy value of apikey", match.Kind);
        Assert.Equal(262_144 + " apikey=".Length, match.Index);
    }

    [Theory]
    [InlineData("\"Microsoft.IdentityModel.Tokens\": \"8.14.0\",")]
    [InlineData("\"System.IdentityModel.Tokens.Jwt\": \"[8.14.0, )\",")]
    [InlineData("\"System.IdentityModel.Tokens.Jwt.dll\": {")]
    [InlineData("\"Microsoft.AspNetCore.Authentication.BearerToken\": {")]
    public void A_package_name_with_its_version_or_files_is_no_secret(string line)
    {
        Assert.Empty(SecretPatterns.NamedValues(line));
    }

    [Theory]
    [InlineData("password: 1.2.3")]
    [InlineData("Jwt__Key=Zq8vL2mR7tX4nW9kB3cY")]
    [InlineData("\"Api.Token\": \"Zq8vL2mR7tX4nW9kB3cY\"")]
    public void A_value_beside_those_guards_is_still_found(string line)
    {
        Assert.Single(SecretPatterns.NamedValues(line));
    }

    [Fact]
    public void A_nested_key_is_named_by_its_section_and_a_key_that_names_a_secret_itself_is_left_to_the_text_scan()
    {
        const string json = "// comments are allowed\n{ \"Jwt\": { \"Key\": \"Zq8vL2mR7tX4nW9kB3cYq1\", \"Secret\": \"Zq8vL2mR7tX4nW9kB3cYq2\" }, \"Hmac\": [ \"x\" ] }";

        var match = Assert.Single(SecretPatterns.NestedJsonValues(json));

        Assert.Equal("high-entropy value of Jwt:Key", match.Kind);
        Assert.Equal(json.IndexOf("\"Zq8vL2mR7tX4nW9kB3cYq1", StringComparison.Ordinal), match.Index);
        Assert.Empty(SecretPatterns.NestedJsonValues("not json: Jwt Key"));
    }

    [Fact]
    public void A_nested_yaml_key_is_named_by_its_section_as_a_json_one_is()
    {
        const string yaml = "jwt:\n  issuer: claims\n  key: Zq8vL2mR7tX4nW9kB3cYq1\n  secret: Zq8vL2mR7tX4nW9kB3cYq2\ncache:\n  key: claims-v1\nitems:\n  - key: Zq8vL2mR7tX4nW9kB3cYq3\n";

        var match = Assert.Single(SecretPatterns.NestedYamlValues(yaml));

        Assert.Equal("high-entropy value of jwt:key", match.Kind);
        Assert.Equal(yaml.IndexOf("Zq8vL2mR7tX4nW9kB3cYq1", StringComparison.Ordinal), match.Index);
        Assert.Empty(SecretPatterns.NestedYamlValues("{ not: yaml: at all"));
    }
}
