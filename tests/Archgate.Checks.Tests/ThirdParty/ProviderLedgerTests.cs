using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.ThirdParty;
using Archgate.Model;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>Reading a provider's ledger: Stripe's list object, a plain array, rows elsewhere, the provider's auth, failures as values.</summary>
public sealed class ProviderLedgerTests
{
    [Fact]
    public void Parse_a_Stripe_list_reads_each_row_and_its_key_in_metadata()
    {
        var read = ProviderLedger.Parse(new LedgerSpec("/v1/charges", "$.metadata.idempotency_key"),
            """{ "object": "list", "has_more": false, "data": [ { "id": "ch_1", "metadata": { "idempotency_key": "pay_1" } }, { "id": "ch_2", "metadata": {} } ] }""");

        Assert.Null(read.Problem);
        Assert.Equal(["pay_1", null], read.Rows.Select(r => r.Key));
        Assert.Contains("\"id\":\"ch_2\"", read.Rows[1].Json, StringComparison.Ordinal);
        Assert.Single(read.Under(new HashSet<string>(["pay_1", "pay_9"])));
    }

    [Fact]
    public void Parse_reads_what_a_row_was_charged_for_when_the_ledger_says_where()
    {
        var read = ProviderLedger.Parse(new LedgerSpec("/v1/charges", "$.key") { Operation = "$.metadata.order_id" },
            """[ { "key": "a", "metadata": { "order_id": 41 } }, { "key": "b", "metadata": { "order_id": "41" } }, { "key": "c" } ]""");

        Assert.Equal(["41", "41", null], read.Rows.Select(r => r.Operation));
    }

    [Fact]
    public void Parse_a_plain_array_or_rows_at_items_and_refuses_what_is_not_a_list()
    {
        var array = ProviderLedger.Parse(new LedgerSpec("/charges", "$.key"), """[ { "key": "a" }, { "key": "b" } ]""");
        var items = ProviderLedger.Parse(new LedgerSpec("/charges", "$.key") { Items = "$.result.charges" }, """{ "result": { "charges": [ { "key": "c" } ] } }""");
        var none = ProviderLedger.Parse(new LedgerSpec("/charges", "$.key"), """{ "charges": [] }""");
        var html = ProviderLedger.Parse(new LedgerSpec("/charges", "$.key"), "<html>");

        Assert.Equal(["a", "b"], array.Rows.Select(r => r.Key));
        Assert.Equal(["c"], items.Rows.Select(r => r.Key));
        Assert.Equal("GET /charges answered no list at $ or $.data", none.Problem);
        Assert.Equal("GET /charges did not answer JSON", html.Problem);
    }

    [Fact]
    public async Task ReadAsync_sends_the_provider_auth_and_reports_a_refusal_as_such()
    {
        using var server = new ScriptedHttpServer(r => r.Headers.GetValueOrDefault("Authorization") == "Bearer sk_test_1"
            ? new Reply(200, """{ "data": [ { "idempotencyKey": "k1" } ] }""")
            : new Reply(401, "{}"));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, TimeProvider.System);
        var spec = new LedgerSpec("/gateway/v1/charges?limit=100", "$.idempotencyKey");
        ThirdPartyComponent Provider(ServiceAuth? auth) => new()
        {
            Name = "gateway", Url = new Uri($"http://127.0.0.1:{server.Port}"), Auth = auth, Location = new SourceLocation("m.yaml", 1, 1),
        };

        var good = await ProviderLedger.ReadAsync(Provider(new BearerAuth("sk_test_1")), spec, http, tokens, CancellationToken.None);
        var wrong = await ProviderLedger.ReadAsync(Provider(new BearerAuth("sk_test_2")), spec, http, tokens, CancellationToken.None);
        var anonymous = await ProviderLedger.ReadAsync(Provider(null), spec, http, tokens, CancellationToken.None);

        Assert.Null(good.Problem);
        Assert.Equal("k1", Assert.Single(good.Rows).Key);
        Assert.Equal("GET /gateway/v1/charges?limit=100 answered 401: gateway refused bearer token", wrong.Problem);
        Assert.Contains("refused an anonymous call (declare its 'auth')", anonymous.Problem, StringComparison.Ordinal);
        Assert.Equal("/gateway/v1/charges?limit=100", server.Requests.First().PathAndQuery);
    }
}
