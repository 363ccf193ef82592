using Archgate.Checks.Contracts.Conformance;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>The request of a finding as curl: exact enough to repeat, with no secret in it.</summary>
public sealed class CurlCommandTests
{
    private static readonly Uri Base = new("http://127.0.0.1:7101");

    [Fact]
    public void A_request_renders_as_a_repeatable_curl_command()
    {
        var request = new ProbeRequest
        {
            Method = "PUT",
            Template = "/orders/{id}",
            Path = "/orders/42",
            Query = [new("note", "it's here")],
            Headers = [new("If-Match", "\"2\"")],
            Body = """{"note":"Bob's"}""",
            ContentType = "application/json",
            Purpose = "test",
        };

        Assert.Equal(
            """curl -X PUT 'http://127.0.0.1:7101/orders/42?note=it%27s%20here' -H 'If-Match: "2"' -H 'Content-Type: application/json' --data-raw '{"note":"Bob'\''s"}'""",
            CurlCommand.Render(request, Base, []));
    }

    [Fact]
    public void Authorization_api_keys_cookies_secret_fields_and_known_secrets_are_masked()
    {
        var request = new ProbeRequest
        {
            Method = "POST",
            Template = "/auth/login",
            Path = "/auth/login",
            Query = [new("access_token", "q-t0ken")],
            Headers = [new("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.abc.def"), new("X-Shop-Key", "k3y-value"), new("X-Note", "uses hunter2")],
            Cookies = [new("session", "c00kie")],
            Body = """{"username":"ann","password":"hunter2","nested":{"refreshToken":"r3fresh"}}""",
            ContentType = "application/json",
            Purpose = "test",
        };

        var curl = CurlCommand.Render(request, Base, ["hunter2"], ["X-Shop-Key"]);

        Assert.Contains("-H 'Authorization: Bearer ***'", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'X-Shop-Key: ***'", curl, StringComparison.Ordinal);
        Assert.Contains("-b 'session=***'", curl, StringComparison.Ordinal);
        Assert.Contains("\"password\":\"***\"", curl, StringComparison.Ordinal);
        Assert.Contains("\"refreshToken\":\"***\"", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'X-Note: uses ***'", curl, StringComparison.Ordinal);
        foreach (var secret in new[] { "q-t0ken", "eyJhbGciOiJIUzI1NiJ9", "k3y-value", "c00kie", "hunter2", "r3fresh" })
        {
            Assert.DoesNotContain(secret, curl, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Form_bodies_mask_secret_fields()
    {
        Assert.Equal("user=ann&password=***&api_key=***", CurlCommand.MaskBody("user=ann&password=pw1&api_key=k", "application/x-www-form-urlencoded"));
    }
}
