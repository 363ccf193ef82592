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
