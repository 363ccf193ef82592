namespace Archgate.Core.Tests;

public sealed class RedactTests
{
    [Theory]
    [InlineData("Host=db;Username=app;Password=s3cret;Database=x", "Host=db;Username=app;Password=***;Database=x")]
    [InlineData("Data Source=a.db", "Data Source=a.db")]
    public void Connection_strings_lose_their_passwords(string input, string expected) =>
        Assert.Equal(expected, Redact.ConnectionString(input));

    [Fact]
    public void Urls_lose_user_info_and_secret_query_values() =>
        Assert.Equal("https://***@host/p?token=***&page=2", Redact.Url("https://user:pw@host/p?token=abc&page=2"));

    [Fact]
    public void Free_text_loses_bearer_tokens() =>
        Assert.Equal("curl -H 'Authorization: Bearer ***'", Redact.Text("curl -H 'Authorization: Bearer eyJhbGciOi.abc.def'"));
}

public sealed class TargetPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.4.5.6", true)]
    [InlineData("localhost", true)]
    [InlineData("[::1]", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("example.test", false)]
    public void Loopback_only_by_default(string host, bool allowed) =>
        Assert.Equal(allowed, Archgate.Model.TargetPolicy.IsAllowed(host, Archgate.Model.TargetPolicy.LoopbackHosts));

    [Fact]
    public void Cidr_ranges_and_names_can_be_allowed_on_purpose()
    {
        string[] allowed = ["10.1.0.0/16", "staging.example.test"];

        Assert.True(Archgate.Model.TargetPolicy.IsAllowed("10.1.200.3", allowed));
        Assert.True(Archgate.Model.TargetPolicy.IsAllowed("STAGING.example.test", allowed));
        Assert.False(Archgate.Model.TargetPolicy.IsAllowed("10.2.0.1", allowed));
        Assert.False(Archgate.Model.TargetPolicy.IsAllowed("127.0.0.1", allowed));
    }
}
