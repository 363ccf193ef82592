using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>
/// Shop.ThirdParty's e-mail shapes (SendGrid v3 mail/send, Mailgun messages) and its Mixpanel-shaped analytics
/// collector, and the api's choice of shape (SHOP_EMAIL_API) and email-invalid.
/// </summary>
[Collection(ProvidersCollection.Name)]
public sealed class ProviderStubTests(ProvidersFixture providers)
{
    private static object Mail(string subject) => new
    {
        personalizations = new[] { new { to = new[] { new { email = "ann@example.test" } } } },
        from = new { email = "orders@shop.example.test" },
        subject,
        content = new[] { new { type = "text/plain", value = "Hello" } },
    };

    private async Task<JsonArray> MailboxAsync()
    {
        using var mailbox = ShopClient.For(providers.ThirdParty.Url);
        mailbox.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.EmailApiKey);
        return (await mailbox.GetFromJsonAsync<JsonArray>("/email/v1/messages"))!;
    }

    [Fact]
    public async Task SendGrid_and_Mailgun_shapes_take_mail_with_their_own_credentials_and_refuse_it_without()
    {
        using var client = ShopClient.For(providers.ThirdParty.Url);
        var subject = $"sendgrid {Guid.NewGuid():N}";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v3/mail/send") { Content = JsonContent.Create(Mail(subject)) })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.EmailApiKey);
            using var accepted = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(string.Empty, await accepted.Content.ReadAsStringAsync());
            Assert.StartsWith("msg_", accepted.Headers.GetValues("X-Message-Id").Single(), StringComparison.Ordinal);
        }

        using (var unsigned = await client.PostAsJsonAsync("/v3/mail/send", Mail("no key")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.NotNull((await unsigned.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![0]!["message"]);
        }

        var mailgunSubject = $"mailgun {Guid.NewGuid():N}";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v3/shop.example.test/messages")
        {
            Content = new FormUrlEncodedContent([new("from", "Shop <orders@shop.example.test>"), new("to", "ann@example.test"), new("subject", mailgunSubject), new("text", "Hi")]),
        })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"api:{TestKeys.EmailApiKey}")));
            using var queued = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
            Assert.EndsWith("@shop.example.test>", (await queued.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v3/shop.example.test/messages") { Content = new FormUrlEncodedContent([new("to", "ann@example.test")]) })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("api:wrong")));
            using var refused = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var mails = await MailboxAsync();
        Assert.Equal("sendgrid", mails.Single(m => m!["subject"]!.GetValue<string>() == subject)!["api"]!.GetValue<string>());
        Assert.Equal("mailgun", mails.Single(m => m!["subject"]!.GetValue<string>() == mailgunSubject)!["api"]!.GetValue<string>());
        Assert.DoesNotContain(mails, m => m!["subject"]!.GetValue<string>() == "no key");
    }

    [Fact]
    public async Task The_api_sends_through_Mailgun_when_configured_and_email_invalid_leaves_the_sender_out()
    {
        await using var api = await ApiInstance.StartAsync(db => new ApiOptions
        {
            Db = db, PaymentsUrl = providers.Payments.Url, EmailUrl = providers.ThirdParty.Url, Faults = "email-invalid", EmailApi = "mailgun",
        });
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        var (_, order) = await ann.PlaceOrderAsync();
        var subject = $"Order {order["id"]!.GetValue<long>()} is paid";
        JsonNode? mail = null;
        Assert.True(await ShopClient.EventuallyAsync(async () =>
            (mail = (await MailboxAsync()).LastOrDefault(m => m!["subject"]!.GetValue<string>() == subject && m["api"]!.GetValue<string>() == "mailgun")) is not null,
            TimeSpan.FromSeconds(20)), "no mail through the Mailgun shape");
        Assert.Null(mail!["from"]); // the stub takes it; SendGrid's and Mailgun's real APIs would not
    }

    [Fact]
    public async Task The_collector_takes_Mixpanel_track_events_with_its_token_and_answers_0_to_the_rest()
    {
        using var client = ShopClient.For(providers.ThirdParty.Url);
        var id = Guid.NewGuid().ToString("N");
        async Task<(string Body, string? Cors)> TrackAsync(string data)
        {
            using var response = await client.PostAsync("/track", new FormUrlEncodedContent([new("data", data)]));
            Assert.Equal("cross-origin", response.Headers.GetValues("Cross-Origin-Resource-Policy").Single()); // a beacon from the web's origin is not blocked
            return (await response.Content.ReadAsStringAsync(), response.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? v.Single() : null);
        }

        Assert.Equal(("1", "*"), await TrackAsync($$$"""[{"event":"page_view","properties":{"token":"mp_test_archgate","distinct_id":"{{{id}}}","time":1}}]"""));
        Assert.Equal("0", (await TrackAsync("""{"event":"page_view","properties":{"token":"wrong"}}""")).Body);
        Assert.Equal("0", (await TrackAsync("not json")).Body);
        var events = (await client.GetFromJsonAsync<JsonArray>("/track/events"))!;
        Assert.Single(events, e => e!["distinctId"]?.GetValue<string>() == id);
    }

    [Fact]
    public async Task The_gateway_lists_its_charges_newest_first_with_the_key_each_was_made_under()
    {
        using var client = ShopClient.For(providers.ThirdParty.Url);
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.GatewayApiKey);
        var key = $"pay_ledger_{Guid.NewGuid():N}";
        object Charge() => new { amount = 12.5m, currency = "EUR", reference = key, callbackUrl = "http://127.0.0.1:9/webhooks/gateway" };
        using (var first = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/charges") { Content = JsonContent.Create(Charge()) })
        using (var again = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/charges") { Content = JsonContent.Create(Charge()) })
        {
            first.Headers.Add("Idempotency-Key", key);
            again.Headers.Add("Idempotency-Key", key);
            using var created = await client.SendAsync(first);
            using var replayed = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        }

        var ledger = (await client.GetFromJsonAsync<JsonObject>("/gateway/v1/charges?limit=100"))!;
        Assert.Equal("list", ledger["object"]!.GetValue<string>());
        var rows = ledger["data"]!.AsArray().Where(r => r!["idempotencyKey"]?.GetValue<string>() == key).ToList();
        Assert.Equal(key, Assert.Single(rows)!["reference"]!.GetValue<string>());

        using var anonymous = await ShopClient.For(providers.ThirdParty.Url).GetAsync("/gateway/v1/charges");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var tooMany = await client.GetAsync("/gateway/v1/charges?limit=1000");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
