using Archgate.Checks.Tests.Fixtures;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Core.Tests.Manifest.Secrets;

/// <summary>
/// <c>${vault:...}</c> and <c>${aws-sm:...}</c> in the manifest, resolved against local servers that speak Vault's KV v2
/// API and Secrets Manager's signed JSON API: values in the model, their origins recorded, masked in results, and every
/// failure an error at the manifest's line with a hint and without the value.
/// </summary>
public sealed class SecretReferenceTests : IDisposable
{
    private const string VaultToken = "hvs.test-token-for-archgate";
    private readonly FakeVault _vault = new(VaultToken, @namespace: "shop-team");
    private readonly FakeSecretsManager _aws = new("eu-west-1");

    public SecretReferenceTests()
    {
        _vault.Put("shop", new() { ["gatewayKey"] = "sk_test_from_vault_v1", ["webhookSecret"] = "whsec_from_vault_v1" });
        _vault.Put("shop", new() { ["gatewayKey"] = "sk_test_from_vault_v2", ["webhookSecret"] = "whsec_from_vault_v2" });
        _vault.Put("old", new() { ["gatewayKey"] = "sk_test_deleted" });
        _vault.Delete("old", 1);
        _aws.AddKey("AKIDARCHGATE", "secret/access+key/of/archgate");
        _aws.AddKey("ASIATEMPORARY", "temporary/secret", sessionToken: "FwoGZXIvYXdzEXAMPLEsessiontoken");
        _aws.AddKey("AKIDLIMITED", "limited/secret", allowed: ["other"]);
        _aws.Put("shop/gateway", """{"key":"sk_test_from_aws","emailKey":"em_test_from_aws"}""");
        _aws.Put("shop/plain", "a-whole-secret-string");
    }

    public void Dispose()
    {
        _vault.Dispose();
        _aws.Dispose();
    }

    private Dictionary<string, string> Environment(Action<Dictionary<string, string>>? change = null)
    {
        var env = new Dictionary<string, string>
        {
            ["VAULT_ADDR"] = _vault.Url.AbsoluteUri.TrimEnd('/'),
            ["VAULT_TOKEN"] = VaultToken,
            ["VAULT_NAMESPACE"] = "shop-team",
            ["AWS_ACCESS_KEY_ID"] = "AKIDARCHGATE",
            ["AWS_SECRET_ACCESS_KEY"] = "secret/access+key/of/archgate",
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = _aws.Url.AbsoluteUri.TrimEnd('/'),
        };
        change?.Invoke(env);
        return env;
    }

    private static ManifestLoadResult Load(string env, IReadOnlyDictionary<string, string> environment, ManifestLoadOptions? options = null) =>
        ManifestLoader.Parse($$"""
            version: 1
            system: { name: shop }
            components:
              - name: gateway
                kind: third-party
                url: http://127.0.0.1:7301
              - name: payments
                kind: service
                url: http://127.0.0.1:7201
                dependsOn: [gateway]
                run:
                  command: dotnet payments.dll
                  env:
            {{env}}
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "00", n => environment.GetValueOrDefault(n), options);

    [Fact]
    public void Vault_and_aws_references_resolve_record_their_origin_and_are_declared_secrets()
    {
        var result = Load("""
                    KEY: "${vault:secret/data/shop#gatewayKey}"
                    OLD_HOOK: "${vault:secret/data/shop?version=1#webhookSecret}"
                    HOOK: "${vault:secret/data/shop#webhookSecret}"
                    AWS_KEY: "${aws-sm:shop/gateway#key}"
                    EMAIL: "${aws-sm:shop/gateway#emailKey}"
                    WHOLE: "pre-${aws-sm:shop/plain}"
                    REGION: "${AWS_REGION}"
                    MODE: "${SHOP_MODE:-test}"
            """, Environment());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var env = result.Model!.Find("payments")!.Run!.Environment;
        Assert.Equal("sk_test_from_vault_v2", env["KEY"]);
        Assert.Equal("whsec_from_vault_v1", env["OLD_HOOK"]);
        Assert.Equal("whsec_from_vault_v2", env["HOOK"]);
        Assert.Equal("sk_test_from_aws", env["AWS_KEY"]);
        Assert.Equal("em_test_from_aws", env["EMAIL"]);
        Assert.Equal("pre-a-whole-secret-string", env["WHOLE"]);

        // One call per secret document: the latest and version 1 of secret/shop, shop/gateway and shop/plain.
        Assert.Equal(["GET /v1/secret/data/shop", "GET /v1/secret/data/shop?version=1"], _vault.Requests.Order(StringComparer.Ordinal));
        Assert.Equal(["ok", "ok"], _aws.Verdicts);

        var sources = result.Model.ValueSources.ToDictionary(s => s.Path + " " + s.Reference, s => s.OriginName);
        Assert.Equal("vault", sources["components.payments.run.env.KEY vault:secret/data/shop#gatewayKey"]);
        Assert.Equal("aws-sm", sources["components.payments.run.env.AWS_KEY aws-sm:shop/gateway#key"]);
        Assert.Equal("env", sources["components.payments.run.env.REGION AWS_REGION"]);
        Assert.Equal("manifest default", sources["components.payments.run.env.MODE SHOP_MODE"]);
        Assert.Equal(14, result.Model.ValueSources.Single(s => s.Reference == "vault:secret/data/shop#gatewayKey").Line);

        var secrets = result.Model.DeclaredSecrets;
        Assert.Contains("sk_test_from_vault_v2", secrets);
        Assert.Contains("sk_test_from_aws", secrets);
        Assert.Contains("a-whole-secret-string", secrets);
        var masked = ResultMasking.Mask(new CheckResult
        {
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG0000", Severity = Severity.High, Message = "sent sk_test_from_vault_v2", Evidence = "Authorization: Bearer sk_test_from_aws" }],
        }, secrets);
        Assert.Equal("sent ***", masked.Findings[0].Message);
        Assert.Equal("Authorization: Bearer ***", masked.Findings[0].Evidence);
    }

    [Fact]
    public void Temporary_aws_credentials_send_their_session_token_under_the_signature()
    {
        var result = Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e =>
        {
            e["AWS_ACCESS_KEY_ID"] = "ASIATEMPORARY";
            e["AWS_SECRET_ACCESS_KEY"] = "temporary/secret";
            e["AWS_SESSION_TOKEN"] = "FwoGZXIvYXdzEXAMPLEsessiontoken";
            e.Remove("AWS_REGION");
            e["AWS_DEFAULT_REGION"] = "eu-west-1";
        }));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal("sk_test_from_aws", result.Model!.Find("payments")!.Run!.Environment["KEY"]);
    }

    [Fact]
    public void Every_vault_failure_is_an_error_at_its_line_with_a_hint_and_never_the_value()
    {
        var result = Load("""
                    NO_KEY: "${vault:secret/data/shop#nope}"
                    NO_PATH: "${vault:secret/data/missing#gatewayKey}"
                    DELETED: "${vault:secret/data/old?version=1#gatewayKey}"
                    NOT_V2: "${vault:secret/shop#gatewayKey}"
                    UNNAMED: "${vault:secret/data/shop}"
            """, Environment());

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Null(result.Model);
        Assert.Equal(5, errors.Count);
        Assert.StartsWith("archgate.yaml:14:", errors[0], StringComparison.Ordinal);
        Assert.Contains("components.payments.run.env.NO_KEY: ${vault:secret/data/shop#nope}: secret/data/shop has no key 'nope'", errors[0], StringComparison.Ordinal);
        Assert.Contains("hint: keys there: gatewayKey, webhookSecret", errors[0], StringComparison.Ordinal);
        Assert.Contains("Vault has no secret at secret/data/missing (404)", errors[1], StringComparison.Ordinal);
        Assert.Contains("version 1 of secret/data/old was deleted (404)", errors[2], StringComparison.Ordinal);
        Assert.Contains("'secret/shop' is not a KV v2 secret path", errors[3], StringComparison.Ordinal);
        Assert.Contains("${vault:secret/data/shop#KEY}", errors[3], StringComparison.Ordinal);
        Assert.Contains("no key named", errors[4], StringComparison.Ordinal);
        Assert.DoesNotContain("sk_test_from_vault", string.Join("\n", errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_token_a_missing_address_and_an_unreachable_vault_say_so()
    {
        var refused = Load("""        KEY: "${vault:secret/data/shop#gatewayKey}" """, Environment(e => e["VAULT_TOKEN"] = "hvs.revoked"));
        var error = Assert.Single(refused.Errors).ToString();
        Assert.Contains("Vault refused the token for secret/data/shop (403 permission denied)", error, StringComparison.Ordinal);
        Assert.Contains("hint: the token in VAULT_TOKEN has expired or its policy lacks 'read' on secret/data/shop", error, StringComparison.Ordinal);

        var noNamespace = Load("""        KEY: "${vault:secret/data/shop#gatewayKey}" """, Environment(e => e.Remove("VAULT_NAMESPACE")));
        Assert.Contains("403", Assert.Single(noNamespace.Errors).Message, StringComparison.Ordinal);

        var unset = Load("""        KEY: "${vault:secret/data/shop#gatewayKey}" """, Environment(e => e.Remove("VAULT_ADDR")));
        Assert.Contains("VAULT_ADDR is not set", Assert.Single(unset.Errors).Message, StringComparison.Ordinal);

        var noToken = Load("""        KEY: "${vault:secret/data/shop#gatewayKey}" """, Environment(e => e.Remove("VAULT_TOKEN")));
        Assert.Contains("VAULT_TOKEN is not set", Assert.Single(noToken.Errors).Message, StringComparison.Ordinal);

        var port = FreePort.Next();
        var down = Load("""        KEY: "${vault:secret/data/shop#gatewayKey}" """, Environment(e => e["VAULT_ADDR"] = $"http://127.0.0.1:{port}"));
        var downError = Assert.Single(down.Errors);
        Assert.Equal($"${{vault:secret/data/shop#gatewayKey}}: cannot reach Vault at http://127.0.0.1:{port}: connection refused", downError.Message);
        Assert.Equal("start Vault, or set VAULT_ADDR to where it listens", downError.Hint);
    }

    [Fact]
    public void Every_aws_failure_is_named_from_the_error_type_AWS_answers()
    {
        Assert.Contains("AWS Secrets Manager has no secret shop/nothing in eu-west-1: Secrets Manager can't find the specified secret.",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/nothing#key}" """, Environment()).Errors).Message, StringComparison.Ordinal);

        var badSecret = Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e["AWS_SECRET_ACCESS_KEY"] = "wrong")).Errors);
        Assert.Contains("AWS refused the request's signature (InvalidSignatureException): The request signature we calculated does not match", badSecret.Message, StringComparison.Ordinal);
        Assert.Equal("check AWS_SECRET_ACCESS_KEY, and that this machine's clock is right", badSecret.Hint);

        Assert.Contains("AWS does not know the access key in AWS_ACCESS_KEY_ID (UnrecognizedClientException)",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e["AWS_ACCESS_KEY_ID"] = "AKIDUNKNOWN")).Errors).Message, StringComparison.Ordinal);

        var denied = Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => { e["AWS_ACCESS_KEY_ID"] = "AKIDLIMITED"; e["AWS_SECRET_ACCESS_KEY"] = "limited/secret"; })).Errors);
        Assert.Contains("AWS refused access to secret shop/gateway (400 AccessDeniedException)", denied.Message, StringComparison.Ordinal);
        Assert.Contains("secretsmanager:GetSecretValue", denied.Hint, StringComparison.Ordinal);

        var wrongRegion = Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e["AWS_REGION"] = "us-east-1")).Errors);
        Assert.Contains("InvalidSignatureException", wrongRegion.Message, StringComparison.Ordinal);

        Assert.Contains("shop/gateway has no key 'nope'",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#nope}" """, Environment()).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("secret shop/plain is not a JSON object of keys",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/plain#key}" """, Environment()).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION is not set",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e.Remove("AWS_REGION"))).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID is not set",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e.Remove("AWS_ACCESS_KEY_ID"))).Errors).Message, StringComparison.Ordinal);

        var port = FreePort.Next();
        Assert.Contains($"cannot reach AWS Secrets Manager at http://127.0.0.1:{port}: connection refused",
            Assert.Single(Load("""        KEY: "${aws-sm:shop/gateway#key}" """, Environment(e => e["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = $"http://127.0.0.1:{port}")).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_and_plan_check_each_reference_s_form_and_contact_no_store()
    {
        // Stores that would answer: a command without the system (validate, plan) must not ask them all the same, since
        // a pull-request job has neither the token nor the network path to the store.
        var result = Load("""
                    GATEWAY: "${vault:secret/data/shop#gatewayKey}"
                    EMAIL: "${aws-sm:shop/gateway#emailKey}"
                    AGAIN: "${vault:secret/data/shop#gatewayKey}"
            """, Environment(), ManifestLoadOptions.WithoutSystem);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(_vault.Requests);
        Assert.Empty(_aws.Verdicts);
        Assert.Equal(["vault:secret/data/shop#gatewayKey", "aws-sm:shop/gateway#emailKey"], result.UnreadSecrets);
        Assert.Equal(["14 GATEWAY", "15 EMAIL", "16 AGAIN"], result.Warnings.Select(w => $"{w.Line} {w.Path.Split('.')[^1]}"));
        Assert.Equal(
            "archgate.yaml:14:18: components.payments.run.env.GATEWAY: warning: ${vault:secret/data/shop#gatewayKey} was not read: this command contacts no secret store, so this value was not checked"
            + System.Environment.NewLine + "  hint: 'archgate run' reads it (and 'archgate doctor' checks that the store answers)",
            result.Warnings[0].ToString());
        var env = result.Model!.Find<ServiceComponent>("payments")!.Run!.Environment;
        Assert.DoesNotContain(env.Values, v => v.Contains("sk_test", StringComparison.Ordinal));

        // A reference written wrong is still an error where it stands: its form needs no store.
        var malformed = Load("""
                    NOT_V2: "${vault:secret/shop#gatewayKey}"
                    UNNAMED: "${vault:secret/data/shop}"
                    NO_ID: "${aws-sm:#key}"
            """, Environment(), ManifestLoadOptions.WithoutSystem);
        Assert.Equal(
            ["14 'secret/shop' is not a KV v2 secret path", "15 no key named", "16 no secret named"],
            malformed.Errors.Select(e => $"{e.Line} {e.Message[(e.Message.IndexOf("}: ", StringComparison.Ordinal) + 3)..]}"));
        Assert.Empty(_vault.Requests);

        // What reads the system reads the store: the same manifest by default.
        var run = Load("""        GATEWAY: "${vault:secret/data/shop#gatewayKey}" """, Environment());
        Assert.True(run.Succeeded);
        Assert.Empty(run.UnreadSecrets);
        Assert.NotEmpty(_vault.Requests);
    }
}
