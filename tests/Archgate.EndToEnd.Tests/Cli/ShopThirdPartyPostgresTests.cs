using System.Security.Cryptography;
using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 6 end to end on the shop backed by PostgreSQL (the api's database, one fresh database of a throwaway cluster).
/// The clean shop passes with the providers' keys in secret stores: the manifest reads the gateway's key and webhook
/// secret from a Vault (KV v2) and the e-mail key from AWS Secrets Manager (signed requests), both local servers speaking
/// those APIs; the secrets check names each key's store, and no resolved value reaches the console, run.json or any
/// report. The fault switches run on SQLite only (<see cref="ShopThirdPartyTests"/> says why).
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ShopThirdPartyPostgresTests(PostgresServer server) : CliTestBase
{
    [Fact]
    public async Task The_clean_shop_on_PostgreSQL_with_keys_from_Vault_and_AWS_passes_step_6_and_no_key_is_shown()
    {
        var gatewayKey = "sk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var webhookSecret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var emailKey = "em_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        using var vault = new FakeVault("hvs.e2e-token");
        vault.Put("shop", new() { ["gatewayKey"] = gatewayKey, ["webhookSecret"] = webhookSecret });
        using var aws = new FakeSecretsManager("eu-central-1");
        aws.AddKey("AKIDSHOPE2E", "e2e/secret/access/key");
        aws.Put("shop/email", $$"""{"key":"{{emailKey}}"}""");

        var (manifest, _) = ShopManifestOnFreePorts();
        var text = await File.ReadAllTextAsync(manifest);
        foreach (var (from, to, count) in new[]
        {
            ("\"${SHOP_GATEWAY_API_KEY:-sk_test_archgate_gateway}\"", "\"${vault:secret/data/shop#gatewayKey}\"", 4), // the stub, its auth (the ledger), payments and payments-2
            ("\"${SHOP_GATEWAY_WEBHOOK_SECRET:-whsec_test_archgate}\"", "\"${vault:secret/data/shop#webhookSecret}\"", 4),
            ("\"${SHOP_EMAIL_API_KEY:-em_test_archgate}\"", "\"${aws-sm:shop/email#key}\"", 2),
        })
        {
            Assert.Equal(count, text.Split(from).Length - 1); // the sample changed: mend this test
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(manifest, text);
        var db = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("shop", statements: true));
        Environment["SHOP_DB"] = $"Host={db.Host};Port={db.Port};Username={db.Username};Password={db.Password};Database={db.Database}";
        Environment["SHOP_FAULTS"] = "";
        Environment["VAULT_ADDR"] = vault.Url.AbsoluteUri;
        Environment["VAULT_TOKEN"] = "hvs.e2e-token";
        Environment["AWS_ACCESS_KEY_ID"] = "AKIDSHOPE2E";
        Environment["AWS_SECRET_ACCESS_KEY"] = "e2e/secret/access/key";
        Environment["AWS_REGION"] = "eu-central-1";
        Environment["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = aws.Url.AbsoluteUri;

        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "6");

        var runFolder = Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "run.json")));
        var step = run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 6);
        var findings = step.GetProperty("checks").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        string Text(JsonElement e, string p) => e.TryGetProperty(p, out var v) ? v.GetString() ?? "" : "";

        Assert.True(step.GetProperty("status").GetString() is "pass" or "warn", result.All + step);
        Assert.Equal("pass", run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "third-party").GetProperty("status").GetString());
        var checks = step.GetProperty("checks").EnumerateArray().Select(c => (Id: c.GetProperty("id").GetString()!, Status: c.GetProperty("status").GetString()!)).ToList();
        Assert.Equal(11, checks.Count); // as on SQLite: secrets, 3 per edge, webhooks, OIDC sign-in, analytics, the vendor contract
        Assert.All(checks, c => Assert.True(c.Status is "pass" or "warn", $"{c.Id}: {c.Status}\n{step}"));

        // The gateway took payments' vault key, payments and Archgate agreed on the vault webhook secret, the e-mail
        // provider took the api's key from AWS: calls answered, retries with one key, queued mail sent, webhooks verified.
        Assert.Contains(findings, f => Text(f, "rule") == "AG6005" && Text(f, "message").StartsWith("gateway answered payments's POST /gateway/v1/charges", StringComparison.Ordinal));
        Assert.Contains(findings, f => Text(f, "rule") == "AG6025" && Text(f, "message").StartsWith("payments → gateway", StringComparison.Ordinal));
        Assert.Contains(findings, f => Text(f, "rule") == "AG6031" && Text(f, "message").StartsWith("api → email", StringComparison.Ordinal));
        Assert.Contains(findings, f => Text(f, "rule") == "AG6054");
        Assert.DoesNotContain(findings, f => Text(f, "rule") == "AG6002");

        var sources = Text(Assert.Single(findings, f => Text(f, "rule") == "AG6042"), "evidence");
        Assert.Contains("payments SHOP_GATEWAY_API_KEY: vault secret/data/shop#gatewayKey", sources, StringComparison.Ordinal);
        Assert.Contains("gateway webhook.secret: vault secret/data/shop#webhookSecret", sources, StringComparison.Ordinal);
        Assert.Contains("api SHOP_EMAIL_API_KEY: aws-sm shop/email#key", sources, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, f => Text(f, "rule") == "AG6041" && Text(f, "message").Contains("GATEWAY", StringComparison.Ordinal));
        Assert.Single(vault.Requests); // one read of secret/data/shop for its seven uses
        Assert.All(aws.Verdicts, v => Assert.Equal("ok", v));

        await using (var connection = new Npgsql.NpgsqlConnection(Environment["SHOP_DB"]))
        {
            await connection.OpenAsync();
            await using var orders = new Npgsql.NpgsqlCommand("select count(*) from orders", connection);
            Assert.True((long)(await orders.ExecuteScalarAsync())! > 0, "step 6's orders are not in PostgreSQL");
        }

        foreach (var secret in new[] { gatewayKey, webhookSecret, emailKey })
        {
            Assert.DoesNotContain(secret, result.All, StringComparison.Ordinal);
            foreach (var file in Directory.EnumerateFiles(runFolder, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(secret, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            }
        }
    }
}
