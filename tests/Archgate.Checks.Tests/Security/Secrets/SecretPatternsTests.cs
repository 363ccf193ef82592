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
}
