using Archgate.Checks.Tests.Fixtures;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>
/// One test per SHOP_FAULTS switch: each starts what it needs with that switch on and shows the defect
/// is really there. The clean counterparts live in the clean-shop tests (and a few here).
/// </summary>
[Collection(ProvidersCollection.Name)]
public sealed class FaultSwitchTests(ProvidersFixture providers)
{
    [Fact]
    public async Task Contract_drift_renames_total_and_makes_id_a_string()
    {
        await using var api = await providers.StartApiAsync("contract-drift");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        var (_, placed) = await ann.PlaceOrderAsync();

        using var response = await ann.GetAsync($"/orders/{placed["id"]}");
        var order = await response.JsonAsync();

        Assert.Equal(System.Text.Json.JsonValueKind.String, order["id"]!.GetValueKind());
        Assert.False(order.ContainsKey("total"));
        Assert.True(order.ContainsKey("totalAmount"));
        var errors = ContractValidator.Load(ShopPaths.Contract).Check("get", "/orders/{id}", response, order);
        Assert.NotEmpty(errors);
    }

    [Fact]
    public async Task Missing_fk_index_leaves_orders_user_id_unindexed()
    {
        await using var clean = await providers.StartApiAsync();
        await using var faulty = await providers.StartApiAsync("missing-fk-index");

        Assert.Contains("ix_orders_user_id", IndexesOf(clean.DbPath, "orders"));
        Assert.DoesNotContain("ix_orders_user_id", IndexesOf(faulty.DbPath, "orders"));
        Assert.Contains("ix_order_items_order_id", IndexesOf(faulty.DbPath, "order_items"));
    }

    [Fact]
    public async Task Slow_orders_makes_the_listing_take_over_300_ms()
    {
        await using var api = await providers.StartApiAsync("slow-orders");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        (await ann.GetAsync("/orders")).Dispose(); // warm-up

        var watch = Stopwatch.StartNew();
        using var response = await ann.GetAsync("/orders");
        watch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds > 300, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Pool_exhaustion_turns_concurrent_listings_into_503s()
    {
        await using var api = await providers.StartApiAsync("pool-exhaustion");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ann.GetAsync("/orders")));
        var ready = (await ann.GetFromJsonAsync<JsonObject>("/health/ready"))!;

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable
                                        && r.Content.Headers.ContentType?.MediaType == "application/problem+json");
        Assert.Equal(2, ready["checks"]!["db"]!["data"]!["poolSize"]!.GetValue<int>());
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task Default_pool_keeps_the_drivers_pool_of_100_and_its_timeouts_on_PostgreSQL()
    {
        await using var cluster = await PostgresServer.StartAsync();
        var plain = cluster.PlainConnectionString;
        ApiOptions On(string faults) => new() { Db = plain, PaymentsUrl = providers.Payments.Url, EmailUrl = providers.ThirdParty.Url, Faults = faults };

        JsonNode clean, risky;
        await using (var api = await ApiInstance.StartAsync(_ => On("")))
        {
            clean = (await ShopClient.For(api.Url).GetFromJsonAsync<JsonObject>("/health/ready"))!["checks"]!["db"]!["data"]!;
        }

        await using (var api = await ApiInstance.StartAsync(_ => On("default-pool")))
        {
            risky = (await ShopClient.For(api.Url).GetFromJsonAsync<JsonObject>("/health/ready"))!["checks"]!["db"]!["data"]!;
        }

        // The same plain connection string: the clean api fills in its documented settings, the fault keeps Npgsql's.
        Assert.Equal((20, 5, 10), Settings(clean));
        Assert.Equal((100, 15, 30), Settings(risky));

        static (int, int, int) Settings(JsonNode data) => (data["poolSize"]!.GetValue<int>(),
            (int)data["connectTimeoutSeconds"]!.GetValue<double>(), (int)data["commandTimeoutSeconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task Payments_down_degrades_readiness_and_orders_wait_in_the_outbox_as_payment_pending()
    {
        await using var api = await providers.StartApiAsync("payments-down");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        var (response, order) = await ann.PlaceOrderAsync();
        var id = order["id"]!.GetValue<long>();
        var ready = (await ann.GetFromJsonAsync<JsonObject>("/health/ready"))!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Degraded", ready["checks"]!["payments"]!["status"]!.GetValue<string>());
        // The worker tried and failed: the payment stays in the outbox, the order payment_pending.
        Assert.True(await ShopClient.EventuallyAsync(() => Task.FromResult(OutboxAttempts(api.DbPath, id) > 0), TimeSpan.FromSeconds(20)),
            "the payment worker never tried payments");
        Assert.Equal("payment_pending", (await ann.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gateway_timeout_makes_the_providers_never_answer()
    {
        await using var stubs = await ShopStack.ThirdPartyAsync("gateway-timeout");
        using var client = ShopClient.For(stubs.Url);
        client.Timeout = TimeSpan.FromSeconds(2);
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.GatewayApiKey);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.PostAsJsonAsync("/gateway/v1/charges",
            new { amount = 10m, currency = "EUR", reference = "pay_x", callbackUrl = "http://127.0.0.1:9/webhooks/gateway" }));

        // The clean stub answers the same request at once.
        using var clean = ShopClient.For(providers.ThirdParty.Url);
        clean.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.GatewayApiKey);
        using var answered = await clean.PostAsJsonAsync("/gateway/v1/charges",
            new { amount = 10m, currency = "EUR", reference = "pay_y", callbackUrl = "http://127.0.0.1:9/webhooks/gateway" });
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
    }

    [Fact]
    public async Task No_retry_makes_payments_give_up_a_gateway_call_on_its_first_error()
    {
        // A gateway that always answers 503: the clean client retries within ~2 s (300 ms backoff); with no-retry each
        // call is one attempt, and only the 3 s resubmission queue sends the payment again.
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        using var gateway = new ScriptedHttpServer(r =>
        {
            if (r.PathAndQuery.StartsWith("/gateway/", StringComparison.Ordinal))
            {
                attempts.Enqueue(DateTimeOffset.UtcNow);
            }

            return new Reply(503, "{}");
        });
        await using var payments = await ShopStack.PaymentsAsync(gateway.Url, "no-retry");
        using var client = ShopClient.For(payments.Url);
        using var _ = await client.PostAsJsonAsync("/payments", new { orderId = 1, amount = 10m, currency = "EUR" });

        Assert.True(await ShopClient.EventuallyAsync(() => Task.FromResult(attempts.Count >= 3), TimeSpan.FromSeconds(20)), "payments never tried the gateway three times");
        var at = attempts.ToArray();
        Assert.True(at[2] - at[1] >= TimeSpan.FromSeconds(2), $"attempts 2 and 3 came {(at[2] - at[1]).TotalMilliseconds:0} ms apart: a retry, not the queue");
    }

    [Fact]
    public async Task Double_charge_makes_payments_send_a_new_idempotency_key_on_every_attempt()
    {
        // A gateway that always answers 503: the clean client's retries carry the payment's one key; with double-charge each its own.
        async Task<List<string>> KeysAsync(string faults)
        {
            var keys = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var gateway = new ScriptedHttpServer(r =>
            {
                if (r.PathAndQuery.StartsWith("/gateway/", StringComparison.Ordinal))
                {
                    keys.Enqueue(r.Headers.GetValueOrDefault("Idempotency-Key") ?? "(none)");
                }

                return new Reply(503, "{}");
            });
            await using var payments = await ShopStack.PaymentsAsync(gateway.Url, faults);
            using var client = ShopClient.For(payments.Url);
            using var _ = await client.PostAsJsonAsync("/payments", new { orderId = 1, amount = 10m, currency = "EUR" });
            Assert.True(await ShopClient.EventuallyAsync(() => Task.FromResult(keys.Count >= 4), TimeSpan.FromSeconds(20)), "payments never retried the gateway");
            return [.. keys.Take(4)];
        }

        var clean = await KeysAsync("");
        var faulty = await KeysAsync("double-charge");

        Assert.Single(clean.Distinct());
        Assert.StartsWith("pay_", clean[0], StringComparison.Ordinal);
        Assert.Equal(4, faulty.Distinct().Count());
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("email-no-queue", false)]
    public async Task A_mail_the_provider_did_not_take_goes_again_after_the_outbox_wait_unless_email_no_queue_drops_it(string faults, bool sentAgain)
    {
        // The e-mail provider answers 503: the clean outbox sends the mail again after SHOP_EMAIL_RETRY_AFTER_MS (here
        // 1.5 s; 10 s by default); with email-no-queue never.
        var attempts = 0;
        using var email = new ScriptedHttpServer(r =>
        {
            if (r.PathAndQuery.StartsWith("/v3/", StringComparison.Ordinal)) // SendGrid's /v3/mail/send, the api's default
            {
                Interlocked.Increment(ref attempts);
            }

            return new Reply(503, "{}");
        });
        await using var api = await ApiInstance.StartAsync(db => new ApiOptions { Db = db, PaymentsUrl = providers.Payments.Url, EmailUrl = email.Url, Faults = faults, EmailRetryAfterMs = 1500 });
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        await ann.PlaceOrderAsync(); // paid within a second: the worker mails ann
        Assert.True(await ShopClient.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref attempts) > 0), TimeSpan.FromSeconds(20)), "the api never tried to send the mail");
        if (sentAgain)
        {
            // One call makes at most 4 attempts (3 retries, about 2 s of backoff): a fifth is the outbox sending the mail
            // again. Within 9 s of the first: with the default 10 s wait it would come after 12 s or so.
            Assert.True(await ShopClient.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref attempts) > 4), TimeSpan.FromSeconds(9)), $"no resend: {Volatile.Read(ref attempts)} attempt(s)");
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(10)); // the call's whole timeout: its own retries are over
            var afterCall = Volatile.Read(ref attempts);
            await Task.Delay(TimeSpan.FromSeconds(4)); // past the clean outbox's 1.5 s, with room for a slow machine
            Assert.Equal(afterCall, Volatile.Read(ref attempts));
            Assert.InRange(afterCall, 1, 4);
        }
    }

    [Fact]
    public async Task Webhook_unsigned_lets_anyone_post_the_gateways_events()
    {
        await using var payments = await ShopStack.PaymentsAsync(providers.ThirdParty.Url, "webhook-unsigned");
        const string Event = "{\"type\":\"archgate.ping\",\"data\":{\"id\":\"ch_x\",\"reference\":\"pay_x\",\"status\":\"succeeded\"}}";

        using var forged = await ShopClient.For(payments.Url).PostAsync("/webhooks/gateway", new StringContent(Event, Encoding.UTF8, "application/json"));
        using var refused = await ShopClient.For(providers.Payments.Url).PostAsync("/webhooks/gateway", new StringContent(Event, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode); // the clean payments checks the signature
    }

    [Fact]
    public async Task No_circuit_breaker_means_there_is_no_breaker_to_open()
    {
        var nowhere = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        await using var api = await providers.StartApiAsync("no-circuit-breaker", nowhere);
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        for (var i = 0; i < 4; i++)
        {
            var (_, order) = await ann.PlaceOrderAsync();
            Assert.Equal("payment_pending", order["status"]!.GetValue<string>());
        }

        var ready = (await ann.GetFromJsonAsync<JsonObject>("/health/ready"))!;
        Assert.Equal("none", ready["checks"]!["payments"]!["data"]!["circuit"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cors_wildcard_reflects_any_origin_with_credentials()
    {
        await using var api = await providers.StartApiAsync("cors-wildcard");
        using var client = ShopClient.For(api.Url);

        using var response = await client.SendAsync(WebAndHeadersTests.Preflight("http://evil.example"));

        Assert.Equal("http://evil.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task Unauthenticated_admin_lists_every_order_without_a_token()
    {
        await using var api = await providers.StartApiAsync("unauthenticated-admin");
        using var anonymous = ShopClient.For(api.Url);

        using var response = await anonymous.GetAsync("/admin/orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Bola_lets_a_customer_read_another_customers_order()
    {
        await using var api = await providers.StartApiAsync("bola");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        using var ben = await ShopClient.SignedInAsync(api.Url, "ben");
        var (_, order) = await ann.PlaceOrderAsync();

        using var response = await ben.GetAsync($"/orders/{order["id"]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(order["userId"]!.GetValue<long>(), (await response.JsonAsync())["userId"]!.GetValue<long>());
    }

    [Fact]
    public async Task Sqli_search_lets_a_crafted_search_return_everything()
    {
        const string Injection = "/products?search=" + "zzz%25')%20OR%201%3D1%20--";
        await using var clean = await providers.StartApiAsync();
        await using var faulty = await providers.StartApiAsync("sqli-search");

        var safe = (await ShopClient.For(clean.Url).GetFromJsonAsync<JsonObject>(Injection))!;
        var injected = (await ShopClient.For(faulty.Url).GetFromJsonAsync<JsonObject>(Injection))!;

        Assert.Equal(0, safe["count"]!.GetValue<int>());
        Assert.Equal(10, injected["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task No_security_headers_drops_them_from_api_and_web()
    {
        await using var api = await providers.StartApiAsync("no-security-headers");
        await using var web = await ShopStack.WebAsync(api.Url, "no-security-headers");

        using var apiResponse = await ShopClient.For(api.Url).GetAsync("/products");
        using var webResponse = await ShopClient.For(web.Url).GetAsync("/");

        foreach (var response in new[] { apiResponse, webResponse })
        {
            Assert.False(response.Headers.Contains("X-Content-Type-Options"));
            Assert.False(response.Headers.Contains("X-Frame-Options"));
            Assert.False(response.Headers.Contains("Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task Verbose_errors_answer_500_with_a_stack_trace()
    {
        await using var api = await providers.StartApiAsync("verbose-errors");
        using var client = ShopClient.For(api.Url);

        using var response = await client.PostAsync("/auth/login", new StringContent("{\"username\":", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("   at ", body, StringComparison.Ordinal);
        Assert.Contains("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plaintext_secret_puts_the_gateway_key_in_a_config_file()
    {
        // Its own config folder: other test assemblies start clean payments from the same build meanwhile.
        var configDirectory = Directory.CreateTempSubdirectory("shop-payments-config-").FullName;
        var planted = Path.Combine(configDirectory, "appsettings.Secrets.json");
        try
        {
            await using (var payments = await ShopStack.PaymentsAsync(providers.ThirdParty.Url, "plaintext-secret", configDirectory: configDirectory))
            {
                var ready = (await ShopClient.For(payments.Url).GetFromJsonAsync<JsonObject>("/health/ready"))!;

                Assert.Equal("config-file", ready["checks"]!["gateway"]!["data"]!["keySource"]!.GetValue<string>());
                Assert.Contains("sk_live_", await File.ReadAllTextAsync(planted), StringComparison.Ordinal);
            }

            // A clean start removes the planted file again.
            await using var clean = await ShopStack.PaymentsAsync(providers.ThirdParty.Url, configDirectory: configDirectory);
            Assert.False(File.Exists(planted));
        }
        finally
        {
            Directory.Delete(configDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Lost_update_accepts_two_updates_with_the_same_ETag()
    {
        await using var api = await providers.StartApiAsync("lost-update");
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        var (_, order) = await ann.PlaceOrderAsync();
        using var read = await ann.GetAsync($"/orders/{order["id"]}");
        var etag = read.Headers.ETag!.Tag;

        var statuses = new List<HttpStatusCode>();
        foreach (var note in new[] { "first", "second" })
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/orders/{order["id"]}") { Content = JsonContent.Create(new { shippingAddress = "2 New Road", note }) };
            put.Headers.TryAddWithoutValidation("If-Match", etag);
            using var response = await ann.SendAsync(put);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task Spa_wrong_api_url_points_the_pages_config_at_a_dead_port()
    {
        await using var web = await ShopStack.WebAsync(new Uri("http://127.0.0.1:7101"), "spa-wrong-api-url", port: FreePort.Next());

        var config = await ShopClient.For(web.Url).GetStringAsync("/config.js");

        Assert.Contains("\"http://127.0.0.1:1\"", config, StringComparison.Ordinal);
    }

    private static long OutboxAttempts(string dbPath, long orderId)
    {
        using var connection = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT attempts FROM payment_outbox WHERE order_id = $o AND sent_at IS NULL";
        command.Parameters.AddWithValue("$o", orderId);
        return command.ExecuteScalar() is long attempts ? attempts : 0;
    }

    private static List<string> IndexesOf(string dbPath, string table)
    {
        using var connection = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $table";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
