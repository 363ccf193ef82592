using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

public sealed class LedgerSectionTests
{
    [Fact]
    public void The_shop_gateway_declares_its_ledger_and_how_Archgate_calls_it()
    {
        var path = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples", "shop", "archgate.yaml");
        var result = ManifestLoader.Load(path, _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var gateway = result.Model!.Find<ThirdPartyComponent>("gateway")!;
        Assert.Equal(("/gateway/v1/charges?limit=100", "$.idempotencyKey", null, "$.reference"), (gateway.Ledger!.Path, gateway.Ledger.Key, gateway.Ledger.Items, gateway.Ledger.Operation));
        Assert.Equal("sk_test_archgate_gateway", Assert.IsType<BearerAuth>(gateway.Auth).Token);
        Assert.Contains("sk_test_archgate_gateway", result.Model.DeclaredSecrets); // masked like every other key
        Assert.Null(result.Model.Find<ThirdPartyComponent>("email")!.Ledger);
    }

    [Fact]
    public void A_ledger_with_rows_elsewhere_keeps_items_and_where_it_is_declared()
    {
        var result = ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - name: psp
                kind: third-party
                url: http://127.0.0.1:7301
                ledger: { path: /v1/charges, key: $.metadata.idempotency_key, items: $.result.charges }
            """, "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var ledger = result.Model!.Find<ThirdPartyComponent>("psp")!.Ledger!;
        Assert.Equal("$.result.charges", ledger.Items);
        Assert.Equal(7, ledger.Location!.Line);
    }
}
