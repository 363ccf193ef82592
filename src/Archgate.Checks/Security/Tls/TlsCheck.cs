using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Tls;

/// <summary>Options of step 9's TLS check.</summary>
public sealed record TlsCheckOptions
{
    /// <summary>Days of certificate validity left below which the check warns. <value>30</value>.</summary>
    public int ExpiryWarningDays { get; init; } = 30;

    /// <summary>Time allowed for each handshake. <value>10 s</value>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Step 9's TLS check of every https component: the certificate (validity dates, days left, host name, chain to a
/// trusted root) and the protocol versions it accepts (TLS 1.0 and 1.1 are refused by a sound server; offered
/// with <c>openssl s_client</c> at security level 0 when it is installed, as OpenSSL 3's defaults forbid them).
/// </summary>
internal sealed class TlsCheck(HttpComponent component, TlsCheckOptions options) : ICheck
{
    public string Id => $"security.tls:{component.Name}";

    public int Step => 9;

    public string Title => $"{component.Name} serves sound TLS";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var url = component.Url;
        var findings = new List<Finding>();
        X509Certificate2? certificate = null;
        SslPolicyErrors errors = SslPolicyErrors.None;
        X509ChainStatusFlags chainStatus = X509ChainStatusFlags.NoError;
        SslProtocols negotiated;
        try
        {
            (negotiated, _) = await HandshakeAsync(url, SslProtocols.None, (_, cert, chain, e) =>
            {
                certificate = cert is null ? null : new X509Certificate2(cert);
                errors = e;
                chainStatus = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status) ?? X509ChainStatusFlags.NoError;
                return true; // judged below, not refused
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                Reachability = Reachability.Unreachable,
                Findings = [Make(PassiveRules.TlsHandshake, Severity.High, $"no TLS handshake with {url.Authority}: {ex.GetBaseException().Message}", null, "serve https with a certificate and TLS 1.2 or 1.3")],
            };
        }

        using (certificate)
        {
            if (certificate is not null)
            {
                var now = context.Time.GetUtcNow();
                var shown = $"subject {certificate.Subject}, issuer {certificate.Issuer}, valid {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}";
                var daysLeft = (int)Math.Floor((certificate.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays);
                if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime() || now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
                {
                    findings.Add(Make(PassiveRules.TlsCertificateExpired, Severity.High, now.UtcDateTime < certificate.NotBefore.ToUniversalTime() ? "the certificate is not valid yet" : $"the certificate expired {-daysLeft} days ago", shown, "renew the certificate"));
                }
                else if (daysLeft < options.ExpiryWarningDays)
                {
                    findings.Add(Make(PassiveRules.TlsCertificateExpiring, Severity.Medium, $"the certificate expires in {daysLeft} days", shown, "renew it (automate renewal, e.g. ACME)"));
                }

                if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    findings.Add(Make(PassiveRules.TlsHostMismatch, Severity.High, $"the certificate does not name {url.Host}", shown, "issue the certificate for the host clients use (subjectAltName)"));
                }

                if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && (chainStatus & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested)) != 0)
                {
                    findings.Add(Make(PassiveRules.TlsUntrusted, Severity.High, $"the certificate chain is not trusted ({chainStatus})", shown, "use a certificate from a trusted CA and send the intermediates"));
                }
            }
        }

#pragma warning disable SYSLIB0039, CA5397 // offering the deprecated versions is the test: a sound server refuses them
        foreach (var old in new[] { (SslProtocols.Tls, "TLS 1.0", "-tls1", "TLSv1"), (SslProtocols.Tls11, "TLS 1.1", "-tls1_1", "TLSv1.1") })
#pragma warning restore SYSLIB0039, CA5397
        {
            // OpenSSL 3 lets a client offer TLS 1.0/1.1 only at security level 0, which .NET's client does not set: the
            // openssl command does, when it is installed; .NET's own handshake otherwise (it may then miss them).
            var accepted = await OpenSslAcceptsAsync(url, old.Item3, old.Item4, cancellationToken) is { } byOpenSsl
                ? (byOpenSsl, "openssl s_client")
                : (await AcceptsAsync(url, old.Item1, cancellationToken), ".NET SslStream");
            if (accepted.Item1)
            {
                findings.Add(Make(PassiveRules.TlsOldProtocol, Severity.Medium, $"{url.Authority} accepts {old.Item2}", $"negotiated {old.Item2} ({accepted.Item2})", "allow TLS 1.2 and 1.3 only"));
            }
        }

        return CheckResult.From(findings, [Metric.ForComponent("tls_protocol", component.Name, negotiated == SslProtocols.Tls13 ? 1.3 : negotiated == SslProtocols.Tls12 ? 1.2 : 1.0, "version")]);
    }

    private Finding Make(string rule, Severity severity, string message, string? evidence, string hint) => Findings.Create(rule, severity,
        component: component.Name,
        location: component.Url.GetLeftPart(UriPartial.Authority),
        message: message,
        evidence: evidence,
        hint: hint);

    private async Task<bool> AcceptsAsync(Uri url, SslProtocols protocol, CancellationToken cancellationToken)
    {
        try
        {
#pragma warning disable CA5359 // only the protocol is probed; the certificate is judged by the first handshake, and nothing is sent
            var (negotiated, _) = await HandshakeAsync(url, protocol, (_, _, _, _) => true, cancellationToken);
#pragma warning restore CA5359
            return negotiated == protocol;
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or PlatformNotSupportedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false; // refused (or this OpenSSL cannot offer it, so no client here could connect that way either)
        }
    }

    /// <summary>Whether <c>openssl s_client</c> negotiates <paramref name="name"/> at security level 0; null without openssl.</summary>
    private async Task<bool?> OpenSslAcceptsAsync(Uri url, string flag, string name, CancellationToken cancellationToken)
    {
        var openssl = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, "openssl")).FirstOrDefault(File.Exists);
        if (openssl is null)
        {
            return null;
        }

        var start = new ProcessStartInfo(openssl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "s_client", "-connect", $"{url.Host}:{url.Port}", flag, "-cipher", "DEFAULT:@SECLEVEL=0" })
        {
            start.ArgumentList.Add(argument);
        }

        if (Uri.CheckHostName(url.Host) == UriHostNameType.Dns)
        {
            start.ArgumentList.Add("-servername");
            start.ArgumentList.Add(url.Host);
        }

        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        process.StandardInput.Close(); // nothing to send: the handshake is the test
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.HandshakeTimeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(bound.Token);
            _ = process.StandardError.ReadToEndAsync(bound.Token);
            await process.WaitForExitAsync(bound.Token);
            // The session block is decisive ("New, ..." names TLSv1.0 for a 1.1 session too): its protocol, and a cipher.
            var lines = (await output).Split('\n').Select(l => l.Trim()).ToList();
            var protocol = lines.FirstOrDefault(l => l.StartsWith("Protocol  :", StringComparison.Ordinal))?["Protocol  :".Length..].Trim();
            var cipher = lines.FirstOrDefault(l => l.StartsWith("Cipher    :", StringComparison.Ordinal))?["Cipher    :".Length..].Trim();
            return protocol == name && cipher is { Length: > 0 } and not ("0000" or "(NONE)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return false; // no handshake within the bound: not accepted
        }
    }

    private async Task<(SslProtocols, TlsCipherSuite)> HandshakeAsync(Uri url, SslProtocols protocols, RemoteCertificateValidationCallback validate, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.HandshakeTimeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port, bound.Token);
        await using var ssl = new SslStream(tcp.GetStream(), false, validate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host, EnabledSslProtocols = protocols }, bound.Token);
        return (ssl.SslProtocol, ssl.NegotiatedCipherSuite);
    }
}
