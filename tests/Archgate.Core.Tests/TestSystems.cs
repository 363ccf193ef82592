using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests;

/// <summary>Builds models from manifest text, the only way a model is ever built.</summary>
internal static class TestSystems
{
    public static SystemModel Load(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "archgate-tests");
        Directory.CreateDirectory(dir);
        var result = ManifestLoader.Parse(yaml, "archgate.yaml", Path.Combine(dir, "archgate.yaml"), "0123456789abcdef", n => environment?.GetValueOrDefault(n));
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Model!;
    }

    /// <summary>A shop-like system: a database, a third party, two services and a frontend.</summary>
    public const string Shop = """
        version: 1
        system: { name: shop, owners: { architect: alice@example.test } }
        components:
          - name: web
            kind: frontend
            url: http://127.0.0.1:7001
            dependsOn: [api]
          - name: api
            kind: service
            url: http://127.0.0.1:7101
            health: /health/ready
            dependsOn: [db, payments]
            critical: true
          - name: payments
            kind: service
            url: http://127.0.0.1:7201
            health: /health
            dependsOn: [gateway]
          - name: gateway
            kind: third-party
            url: http://127.0.0.1:7301
          - name: db
            kind: database
            connection: "Data Source=shop.db"
          - name: audit
            kind: service
            url: http://127.0.0.1:7401
            health: /health
        """;
}
