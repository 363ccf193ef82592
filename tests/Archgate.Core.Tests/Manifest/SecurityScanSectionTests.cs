using Archgate.Manifest;

namespace Archgate.Core.Tests.Manifest;

/// <summary>security.configPaths and security.audit: read relative to the manifest, every missing path a positioned error.</summary>
public sealed class SecurityScanSectionTests : IDisposable
{
    private const string Components = """
        version: 1
        system: { name: shop }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:7101", health: /health }

        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archgate-security-section-" + Guid.NewGuid().ToString("N"));

    public SecurityScanSectionTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "deploy"));
        File.WriteAllText(Path.Combine(_folder, "osv.zip"), "zip");
        File.WriteAllText(Path.Combine(_folder, "package-lock.json"), "{}");
        File.WriteAllText(Path.Combine(_folder, "requirements.txt"), "flask==2.0.1\n");
        File.WriteAllText(Path.Combine(_folder, "Api.csproj"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "issuer.pem"), "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ManifestLoadResult Parse(string text) =>
        ManifestLoader.Parse(text, "archgate.yaml", Path.Combine(_folder, "archgate.yaml"), "sha", _ => null);

    [Fact]
    public void Config_paths_and_audit_inputs_are_read_as_absolute_paths()
    {
        var result = Parse(Components + """
            security:
              configPaths: [deploy]
              audit: { osvDb: osv.zip, dotnet: [Api.csproj], npm: [package-lock.json], python: [requirements.txt] }
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var security = result.Model!.Security;
        Assert.Equal([Path.Combine(_folder, "deploy")], security.ConfigPaths);
        Assert.Equal(Path.Combine(_folder, "osv.zip"), security.Audit.OsvDatabase);
        Assert.Equal([Path.Combine(_folder, "Api.csproj")], security.Audit.DotNet);
        Assert.Equal([Path.Combine(_folder, "package-lock.json")], security.Audit.Npm);
        Assert.Equal([Path.Combine(_folder, "requirements.txt")], security.Audit.Python);
        Assert.True(security.Audit.Any);
    }

    [Fact]
    public void Missing_paths_are_each_a_positioned_error()
    {
        var result = Parse(Components + """
            security:
              configPaths: [nowhere]
              audit: { osvDb: no.zip, npm: [missing-lock.json], pip: [x] }
            """);

        Assert.False(result.Succeeded);
        var errors = result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message}").ToList();
        Assert.Contains(errors, e => e.StartsWith("6:17 ", StringComparison.Ordinal) && e.Contains("no such folder or file: nowhere", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("7:19 ", StringComparison.Ordinal) && e.Contains("no such folder or zip: no.zip", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("missing-lock.json", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pip", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Without_the_keys_nothing_is_audited()
    {
        var result = Parse(Components + "security: { protected: [/orders/**] }\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Model!.Security.ConfigPaths);
        Assert.False(result.Model.Security.Audit.Any);
        Assert.Null(result.Model.Security.Audit.OsvDatabase);
    }

    [Fact]
    public void A_signing_key_is_a_secret_or_a_pem_file_and_is_masked_as_a_declared_secret()
    {
        var secret = Parse(Components + "security: { signingKey: { secret: test-only-hmac-secret } }\n");
        var pem = Parse(Components + "security: { signingKey: { privateKey: issuer.pem } }\n");

        Assert.True(secret.Succeeded, string.Join("\n", secret.Errors));
        Assert.Equal("test-only-hmac-secret", secret.Model!.Security.SigningKey!.Secret);
        Assert.Contains("test-only-hmac-secret", secret.Model.DeclaredSecrets);
        Assert.True(pem.Succeeded, string.Join("\n", pem.Errors));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem.Model!.Security.SigningKey!.PrivateKeyPem, StringComparison.Ordinal);
        Assert.Null(Parse(Components + "security: { protected: [/a] }\n").Model!.Security.SigningKey);
    }

    [Theory]
    [InlineData("{ secret: a, privateKey: issuer.pem }", "both 'secret' and 'privateKey' given")]
    [InlineData("{ }", "no key given")]
    [InlineData("{ privateKey: nowhere.pem }", "nowhere.pem")]
    [InlineData("{ privateKey: Api.csproj }", "the file holds no PEM private key")]
    [InlineData("{ secret: '' }", "the secret is empty")]
    public void A_wrong_signing_key_is_a_positioned_error(string value, string message)
    {
        var result = Parse(Components + $"security:\n  signingKey: {value}\n");

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("security.signingKey", error.Path, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
    }
}
