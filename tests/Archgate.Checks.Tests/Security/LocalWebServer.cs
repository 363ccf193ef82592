using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Archgate.Checks.Tests.Security;

/// <summary>A request as <see cref="LocalWebServer"/> read it.</summary>
public sealed record LocalRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers);

/// <summary>An answer of <see cref="LocalWebServer"/>: every header exactly as given (repeats allowed), nothing added but Content-Length.</summary>
public sealed record LocalReply(int Status, string Body = "", params (string Name, string Value)[] Headers);

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 that writes exactly the headers a test scripts (no Server, no Date of its own),
/// optionally over TLS with a given certificate and protocol versions. One request per connection.
/// </summary>
public sealed class LocalWebServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LocalWebServer(Func<LocalRequest, LocalReply> script, X509Certificate2? certificate = null, SslProtocols protocols = SslProtocols.None)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Https = certificate is not null;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client, script, certificate, protocols));
            }
        });
    }

    public int Port { get; }

    public bool Https { get; }

    public Uri Url => new($"{(Https ? "https" : "http")}://127.0.0.1:{Port}");

    /// <summary>A self-signed certificate for <paramref name="names"/> (DNS names and IP addresses), valid in the given window.</summary>
    public static X509Certificate2 Certificate(string[] names, DateTimeOffset notBefore, DateTimeOffset notAfter, int rsaBits = 2048)
    {
        using var rsa = RSA.Create(rsaBits);
        var request = new CertificateRequest($"CN={names[0]}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private async Task ServeAsync(TcpClient client, Func<LocalRequest, LocalReply> script, X509Certificate2? certificate, SslProtocols protocols)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (certificate is not null)
                {
                    var ssl = new SslStream(stream, false);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols }, _stop.Token);
                    stream = ssl;
                }

                await using (stream)
                {
                    var head = new StringBuilder();
                    var one = new byte[1];
                    while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 65536)
                    {
                        if (await stream.ReadAsync(one, _stop.Token) == 0)
                        {
                            return;
                        }

                        head.Append((char)one[0]);
                    }

                    var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                    var first = lines[0].Split(' ');
                    var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                        .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                        .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out var n) && n > 0)
                    {
                        var body = new byte[n];
                        await stream.ReadExactlyAsync(body, _stop.Token);
                    }

                    var reply = script(new LocalRequest(first[0], first[1], headers));
                    var bytes = Encoding.UTF8.GetBytes(reply.Body);
                    var text = new StringBuilder($"HTTP/1.1 {reply.Status} {(HttpStatusCode)reply.Status}\r\n");
                    foreach (var (name, value) in reply.Headers)
                    {
                        text.Append($"{name}: {value}\r\n");
                    }

                    text.Append($"Content-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()).Concat(bytes).ToArray(), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _listener.Dispose();
        _stop.Dispose();
    }
}
