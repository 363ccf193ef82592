using System.Security.Authentication;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Tls;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Tls;

public sealed class TlsCheckTests
{
    private static Task<CheckResult> RunAsync(LocalWebServer server, string host = "127.0.0.1") => RunAsync(new Uri($"https://{host}:{server.Port}"));

    private static async Task<CheckResult> RunAsync(Uri url)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "{{url}}" }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new TlsCheck((Archgate.Model.HttpComponent)system.Components[0], new TlsCheckOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static LocalWebServer Server(string[] names, int fromDays, int toDays) =>
        new(_ => new LocalReply(200, "ok"), LocalWebServer.Certificate(names, DateTimeOffset.UtcNow.AddDays(fromDays), DateTimeOffset.UtcNow.AddDays(toDays)), SslProtocols.Tls12 | SslProtocols.Tls13);

    private static IReadOnlyList<string> Rules(CheckResult result) => result.Findings.Select(f => f.Rule).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_self_signed_certificate_for_the_host_is_untrusted_only()
    {
        using var server = Server(["127.0.0.1", "localhost"], -1, 365);

        var result = await RunAsync(server);

        Assert.Equal([PassiveRules.TlsUntrusted], Rules(result));
        Assert.Equal(Severity.High, result.Findings[0].Severity);
        Assert.Contains("subject CN=127.0.0.1", result.Findings[0].Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Metrics, m => m.Name == "tls_protocol" && m.Value >= 1.2);
    }

    [Fact]
    public async Task An_expired_certificate_is_high()
    {
        using var server = Server(["127.0.0.1"], -60, -2);

        var result = await RunAsync(server);

        Assert.Contains(PassiveRules.TlsCertificateExpired, Rules(result));
        Assert.Contains("expired", result.Findings.Single(f => f.Rule == PassiveRules.TlsCertificateExpired).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_expiring_within_30_days_is_medium()
    {
        using var server = Server(["127.0.0.1"], -1, 10);

        var result = await RunAsync(server);

        var expiring = Assert.Single(result.Findings, f => f.Rule == PassiveRules.TlsCertificateExpiring);
        Assert.Equal(Severity.Medium, expiring.Severity);
        Assert.DoesNotContain(PassiveRules.TlsCertificateExpired, Rules(result));
    }

    [Fact]
    public async Task A_certificate_for_another_host_is_a_mismatch()
    {
        using var server = Server(["shop.example.org"], -1, 365);

        var result = await RunAsync(server);

        Assert.Contains(PassiveRules.TlsHostMismatch, Rules(result));
        Assert.Contains("does not name 127.0.0.1", result.Findings.Single(f => f.Rule == PassiveRules.TlsHostMismatch).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_refuses_TLS_1_0_and_1_1_has_no_old_protocol_finding()
    {
        using var server = Server(["127.0.0.1"], -1, 365);

        var result = await RunAsync(server);

        Assert.DoesNotContain(PassiveRules.TlsOldProtocol, Rules(result));
    }

    [Fact]
    public async Task A_server_that_still_accepts_TLS_1_0_and_1_1_is_found_through_openssl_as_testssl_finds_it()
    {
        Assert.True(File.Exists("/usr/bin/openssl"), "the openssl command (Debian package openssl) is needed");
        using var certificate = LocalWebServer.Certificate(["127.0.0.1"], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(365));
        var folder = Directory.CreateTempSubdirectory("archgate-tls-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "c.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(folder, "k.pem"), System.Security.Cryptography.X509Certificates.RSACertificateExtensions.GetRSAPrivateKey(certificate)!.ExportPkcs8PrivateKeyPem());
        var port = FreePort.Next();
        // OpenSSL 3 serves TLS 1.0/1.1 only at security level 0: a legacy server configured that way.
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "s_server", "-accept", $"127.0.0.1:{port}", "-cert", Path.Combine(folder, "c.pem"), "-key", Path.Combine(folder, "k.pem"), "-www", "-quiet", "-cipher", "DEFAULT:@SECLEVEL=0" })
        {
            start.ArgumentList.Add(a);
        }

        using var server = System.Diagnostics.Process.Start(start)!;
        try
        {
            for (var i = 0; i < 100 && !await ListensAsync(port); i++)
            {
                await Task.Delay(100);
            }

            var result = await RunAsync(new Uri($"https://127.0.0.1:{port}"));

            var old = Assert.Single(result.Findings, f => f.Rule == PassiveRules.TlsOldProtocol && f.Message.EndsWith("accepts TLS 1.0", StringComparison.Ordinal));
            Assert.Equal(Severity.Medium, old.Severity);
            Assert.Equal("negotiated TLS 1.0 (openssl s_client)", old.Evidence);
            Assert.Contains(result.Findings, f => f.Rule == PassiveRules.TlsOldProtocol && f.Message.EndsWith("accepts TLS 1.1", StringComparison.Ordinal));
            Assert.Contains(PassiveRules.TlsUntrusted, Rules(result));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Plain_http_on_an_https_url_is_no_handshake()
    {
        using var server = new LocalWebServer(_ => new LocalReply(200, "ok"));

        var result = await RunAsync(server);

        Assert.Equal([PassiveRules.TlsHandshake], Rules(result));
        Assert.Equal(CheckStatus.Fail, result.Status);
    }
}
