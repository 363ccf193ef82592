using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.ThirdParty.Vendor;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>
/// Step 6's vendor contract: requests a caller sent a SendGrid-shaped provider through Archgate's proxy, validated
/// against the shop's trimmed SendGrid v3 mail/send document.
/// </summary>
public sealed class VendorContractCheckTests
{
    private static string SendGrid => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "shop", "contracts", "vendors", "sendgrid-mail-send.yaml"));

    private static object Mail(bool from = true, string to = "ann@example.test") => from
        ? new { personalizations = new[] { new { to = new[] { new { email = to } } } }, from = new { email = "orders@shop.example.test" }, subject = "Order 1 is paid", content = new[] { new { type = "text/plain", value = "Thanks" } } }
        : new { personalizations = new[] { new { to = new[] { new { email = to } } } }, subject = "Order 1 is paid", content = new[] { new { type = "text/plain", value = "Thanks" } } };

    /// <summary>Sends <paramref name="send"/>'s requests as the api through the api → email proxy, then runs the check.</summary>
    private static async Task<(CheckResult Result, FaultProxy? Proxy, int Received)> RunAsync(Func<HttpClient, Task> send, string? contract = null, bool proxied = true)
    {
        using var provider = new ScriptedHttpServer(_ => new Reply(202));
        await using var edges = new EdgeProxies();
        var address = edges.Open("api", "email", new Uri($"http://127.0.0.1:{provider.Port}"));
        using (var caller = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) })
        {
            await send(caller);
        }

        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: email, kind: third-party, url: "http://127.0.0.1:{{provider.Port}}", contract: "{{(contract ?? SendGrid).Replace("\\", "/", StringComparison.Ordinal)}}" }
              - { name: api, kind: service, url: "http://127.0.0.1:{{provider.Port}}", dependsOn: [email] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = proxied ? edges : null };
        var check = new VendorContractCheck(system.Find<Archgate.Model.ThirdPartyComponent>("email")!);
        var result = await check.RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        return (result, edges.Find(new Edge("api", "email")), provider.Requests.Count);
    }

    private static async Task PostAsync(HttpClient caller, string path, HttpContent content, string? bearer = "SG.test-key-123")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await caller.SendAsync(request);
        Assert.Equal(202, (int)response.StatusCode); // the stub took every one: only the contract can tell
    }

    [Fact]
    public async Task Mails_the_vendor_would_reject_are_findings_with_the_request_and_the_schema_path()
    {
        var (result, proxy, received) = await RunAsync(async caller =>
        {
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail()));                          // valid (chunked: JsonContent has no length)
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail(from: false)));              // no sender, twice
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail(from: false)));
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail(to: "not-an-address")));     // bad address
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail()), bearer: null);           // no key
            await PostAsync(caller, "/v3/mail/send", new StringContent("to=ann@example.test", Encoding.UTF8, "application/x-www-form-urlencoded"));
            await PostAsync(caller, "/email/v1/messages", JsonContent.Create(new { to = "ann@example.test" }));
            using var health = await caller.GetAsync("/health/live");                                     // a probe, not a vendor call
        });

        Assert.Equal(8, received);
        Assert.Equal(CheckStatus.Fail, result.Status);
        var findings = result.Findings.Where(f => f.Rule == "AG6080").ToList();
        Assert.Equal(5, findings.Count);
        Assert.All(findings, f => Assert.Equal(Severity.High, f.Severity));

        var noFrom = Assert.Single(findings, f => f.Message.Contains("'from' is missing", StringComparison.Ordinal));
        Assert.StartsWith("api → email: POST /v3/mail/send breaks the vendor's contract (2 of 7 request(s))", noFrom.Message, StringComparison.Ordinal);
        Assert.Contains("schema path: sendgrid-mail-send.yaml#/paths/~1v3~1mail~1send/post/requestBody/content/application~1json/schema/required", noFrom.Evidence, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer ***", noFrom.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("SG.test-key-123", noFrom.Evidence, StringComparison.Ordinal);
        Assert.Contains("\"subject\":\"Order 1 is paid\"", noFrom.Evidence, StringComparison.Ordinal); // the body, de-chunked

        // Inside the inline items of an array, worded as at the top level (the validator's own sentence before b00334d).
        var address = Assert.Single(findings, f => f.Message.Contains("expected format email, found string \"not-an-address\"", StringComparison.Ordinal));
        Assert.Contains("$.personalizations[0].to[0].email", address.Message, StringComparison.Ordinal);
        Assert.Contains("schema path: sendgrid-mail-send.yaml#/components/schemas/to_email_array/items/properties/email", address.Evidence, StringComparison.Ordinal);

        Assert.Single(findings, f => f.Message.Contains("Authorization", StringComparison.Ordinal) && f.Message.Contains("401", StringComparison.Ordinal));
        Assert.Single(findings, f => f.Message.Contains("takes application/json, the request sent application/x-www-form-urlencoded", StringComparison.Ordinal));
        Assert.Single(findings, f => f.Message.Contains("the contract has no path /email/v1/messages", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("/health", StringComparison.Ordinal));

        var captured = proxy!.Counters.Requests[0];
        Assert.Equal("chunked", captured.Header("Transfer-Encoding"));
        Assert.False(captured.Body!.Truncated);
        Assert.StartsWith("{\"personalizations\"", Encoding.UTF8.GetString(captured.Body.Bytes), StringComparison.Ordinal);
    }

    private static string Mailgun => Path.Combine(Path.GetDirectoryName(SendGrid)!, "mailgun-messages.yaml");

    private static async Task PostFormAsync(HttpClient caller, string path, IEnumerable<KeyValuePair<string, string>> fields, bool auth = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (auth)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("api:key-test-mailgun")));
        }

        using var response = await caller.SendAsync(request);
        Assert.Equal(202, (int)response.StatusCode);
    }

    [Fact]
    public async Task Mailgun_form_mails_are_read_as_its_schema_reads_them_and_one_without_a_sender_names_from()
    {
        var (result, _, received) = await RunAsync(async caller =>
        {
            // Valid: 'to' given once is the array of one Mailgun's schema asks for; given twice, two.
            await PostFormAsync(caller, "/v3/shop.example.test/messages", [new("from", "Shop <orders@shop.example.test>"), new("to", "ann@example.test"), new("subject", "Order 1 is paid"), new("text", "Thanks")]);
            await PostFormAsync(caller, "/v3/shop.example.test/messages", [new("from", "orders@shop.example.test"), new("to", "ann@example.test"), new("to", "ben@example.test"), new("subject", "Paid")]);
            // email-invalid: no sender.
            await PostFormAsync(caller, "/v3/shop.example.test/messages", [new("to", "ann@example.test"), new("subject", "Order 2 is paid"), new("text", "Thanks")]);
            await PostFormAsync(caller, "/v3/shop.example.test/messages", [new("from", "orders@shop.example.test"), new("to", "ann@example.test"), new("subject", "x")], auth: false);
        }, contract: Mailgun);

        Assert.Equal(4, received);
        Assert.Equal(CheckStatus.Fail, result.Status);
        var findings = result.Findings.Where(f => f.Rule == "AG6080").ToList();
        Assert.Equal(2, findings.Count);
        var noFrom = Assert.Single(findings, f => f.Message.Contains("'from' is missing", StringComparison.Ordinal));
        Assert.StartsWith("api → email: POST /v3/{domain_name}/messages breaks the vendor's contract (1 of 4 request(s))", noFrom.Message, StringComparison.Ordinal);
        Assert.Contains("schema path: mailgun-messages.yaml#/components/schemas/send_message/required", noFrom.Evidence, StringComparison.Ordinal);
        Assert.Contains("Authorization: Basic ***", noFrom.Evidence, StringComparison.Ordinal);
        Assert.Contains("to=ann%40example.test&subject=Order+2+is+paid", noFrom.Evidence, StringComparison.Ordinal);
        Assert.Single(findings, f => f.Message.Contains("401", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("array", StringComparison.Ordinal)); // 'to' once is not "a string where an array is expected"
    }

    [Fact]
    public async Task Valid_mails_pass_with_what_was_validated_and_nothing_recorded_or_an_unreadable_contract_are_reported()
    {
        var (valid, _, _) = await RunAsync(async caller =>
        {
            await PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail()));
            await PostAsync(caller, "/v3/mail/send", new StringContent(JsonSerializerText(Mail()), Encoding.UTF8, "application/json"));
        });
        Assert.Equal(CheckStatus.Pass, valid.Status);
        var holds = Assert.Single(valid.Findings);
        Assert.Equal("AG6083", holds.Rule);
        Assert.Equal("2 request(s) to email satisfy its contract (sendgrid-mail-send.yaml)", holds.Message);
        Assert.Equal("api: POST /v3/mail/send × 2", holds.Evidence);

        var (unproxied, _, _) = await RunAsync(caller => PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail())), proxied: false);
        Assert.Equal("AG6082", Assert.Single(unproxied.Findings).Rule);

        var broken = Path.Combine(Path.GetTempPath(), $"archgate-vendor-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, "openapi: 3.1.0\npaths: [not, a, map\n");
        try
        {
            var (unreadable, _, _) = await RunAsync(caller => PostAsync(caller, "/v3/mail/send", JsonContent.Create(Mail())), contract: broken);
            Assert.Equal(CheckStatus.Fail, unreadable.Status);
            Assert.Equal("AG6081", Assert.Single(unreadable.Findings).Rule);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void A_chunked_body_is_dechunked_and_a_cut_one_says_so()
    {
        var (body, complete) = BodyCapture.Dechunk("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"u8);
        Assert.True(complete);
        Assert.Equal("hello world", Encoding.ASCII.GetString(body));

        var (part, whole) = BodyCapture.Dechunk("5\r\nhello\r\n6\r\n wo"u8);
        Assert.False(whole);
        Assert.Equal("hello wo", Encoding.ASCII.GetString(part));
    }

    private static string JsonSerializerText(object value) => System.Text.Json.JsonSerializer.Serialize(value);
}
