using System.Security.Cryptography;
using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 9 end to end on the shop backed by PostgreSQL: 'archgate run --up --steps 9' with SHOP_DB on a fresh
/// database of a throwaway cluster. The clean shop has no finding of medium or above there too, and with the
/// issuer's key in the manifest (<c>security.signingKey</c>, the shop's SHOP_JWT_SIGNING_KEY) the expired-token
/// probe runs against the shop's real JWT validation.
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ShopSecurityPostgresTests(PostgresServer server) : CliTestBase
{
    [Fact]
    public async Task The_clean_shop_on_PostgreSQL_passes_step_9_and_refuses_an_expired_token_minted_with_its_key()
    {
        var (manifest, _) = ShopManifestOnFreePorts();
        // The shop's own key in this test environment: step 9 mints an expired token with it.
        var text = System.Text.RegularExpressions.Regex.Replace(await File.ReadAllTextAsync(manifest), "(?m)^security:.*$",
            "security:\n  signingKey: { secret: \"${SHOP_JWT_SIGNING_KEY}\" }");
        Assert.Contains("signingKey", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifest, text);
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var db = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("shop", statements: true));
        Environment["SHOP_DB"] = $"Host={db.Host};Port={db.Port};Username={db.Username};Password={db.Password};Database={db.Database}";
        Environment["SHOP_FAULTS"] = "";
        Environment["SHOP_JWT_SIGNING_KEY"] = key;

        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "9");

        var runFolder = Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "run.json")));
        var step = run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 9);
        var findings = step.GetProperty("checks").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        string Text(JsonElement e, string p) => e.TryGetProperty(p, out var v) ? v.GetString() ?? "" : "";

        Assert.True(step.GetProperty("status").GetString() is "pass" or "warn", result.All + step);
        var serious = findings.Where(f => Text(f, "severity") is "medium" or "high" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(f => f.ToString())));
        var ids = step.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains("security.authn:api", ids);
        Assert.Contains("security.authz:api", ids);
        Assert.Contains("security.injection:api", ids);
        Assert.Contains("security.cors:api", ids);
        Assert.Equal("pass", run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "security").GetProperty("status").GetString());

        // The shop's JwtBearer validation (issuer, audience, 30 s clock skew) refused a token of its own key whose exp was an hour past.
        var authn = Assert.Single(findings, f => Text(f, "rule") == "AG9004" && Text(f, "component") == "api");
        Assert.Matches(@"an expired token \(minted with security\.signingKey, exp 60 min past\) was refused by GET \S+ with 401", Text(authn, "message"));
        // BOLA ran on objects created in PostgreSQL, and the SQL injection probes (PostgreSQL's pg_sleep among them) found nothing.
        Assert.Contains(findings, f => Text(f, "rule") == "AG9013" && Text(f, "message").Contains("object level: 1 objects created as ann", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => Text(f, "rule") == "AG9020");
        Assert.Contains(findings, f => Text(f, "rule") == "AG9029" && Text(f, "message").Contains("SQL injection", StringComparison.Ordinal));

        await using (var connection = new Npgsql.NpgsqlConnection(Environment["SHOP_DB"]))
        {
            await connection.OpenAsync();
            await using var orders = new Npgsql.NpgsqlCommand("select count(*) from orders", connection);
            Assert.True((long)(await orders.ExecuteScalarAsync())! > 0, "the probes' order (created as ann for BOLA) is not in PostgreSQL");
        }

        // The key is a declared secret: in no report, no console line.
        Assert.DoesNotContain(key, result.All, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(runFolder, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(key, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        using var sarif = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "security.sarif")));
        Assert.DoesNotContain(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("level").GetString() == "error");
    }
}
