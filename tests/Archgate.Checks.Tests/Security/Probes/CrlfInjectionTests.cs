using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

/// <summary>
/// The CRLF probe (AG9022) against a raw-socket server that copies a query parameter into a <c>Set-Cookie</c>
/// header: as is (a response splitting flaw no framework would let through, hence the raw socket), or with CR and
/// LF removed (the fix).
/// </summary>
public sealed class CrlfInjectionTests
{
    private const string Contract = """
        openapi: 3.0.3
        info: { title: language, version: 1.0.0 }
        paths:
          /lang:
            get:
              parameters:
                - { name: lang, in: query, schema: { type: string }, example: en }
              responses: { '200': { description: the language is set } }
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_parameter_copied_raw_into_a_header_is_caught_and_a_cleaned_one_is_not(bool raw)
    {
        using var server = new HeaderReflectingServer(raw);
        var folder = Directory.CreateTempSubdirectory("archgate-crlf-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "api.yaml"), Contract);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{server.Port}}", openapi: api.yaml }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var result = await new InjectionCheck((Archgate.Model.HttpComponent)system.Components[0], new ContractDocuments(), new Archgate.Model.SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), timeout.Token);

        var dump = string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} {f.Message}")) + "\n--\n" + string.Join("\n", server.Paths);
        Assert.Contains(server.Paths, p => p.Contains("%0D%0AX-Archgate-Crlf", StringComparison.OrdinalIgnoreCase));
        var crlf = result.Findings.Where(f => f.Rule == SecurityRules.CrlfInjection).ToList();
        if (raw)
        {
            var finding = Assert.Single(crlf);
            Assert.Equal(Severity.High, finding.Severity);
            Assert.Equal(CheckStatus.Fail, result.Status);
            Assert.Contains("CR/LF in query 'lang' of GET /lang became a response header (X-Archgate-Crlf)", finding.Message, StringComparison.Ordinal);
            Assert.Contains("X-Archgate-Crlf: injected", finding.Evidence, StringComparison.Ordinal);
            Assert.Contains("CWE-113", finding.Hint, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(crlf.Count == 0, dump);
            Assert.True(result.Status == CheckStatus.Pass, dump);
        }
    }

    /// <summary>An HTTP/1.1 server on a raw socket: <c>GET /lang?lang=X</c> answers 200 with <c>Set-Cookie: lang=X</c>.</summary>
    private sealed class HeaderReflectingServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly bool _raw;
        private readonly List<string> _paths = [];

        public HeaderReflectingServer(bool raw)
        {
            _raw = raw;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<string> Paths
        {
            get
            {
                lock (_paths)
                {
                    return [.. _paths];
                }
            }
        }

        private async Task AcceptAsync()
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

                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16_384
                    && await stream.ReadAsync(buffer, _stop.Token) == 1)
                {
                    head.Append((char)buffer[0]);
                }

                var lines = head.ToString().Split("\r\n");
                var target = lines[0].Split(' ') is { Length: 3 } parts ? parts[1] : "/";
                lock (_paths)
                {
                    _paths.Add(target);
                }

                var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                for (var read = 0; read < length && await stream.ReadAsync(buffer, _stop.Token) == 1; read++)
                {
                }

                var query = target.Contains('?', StringComparison.Ordinal) ? System.Web.HttpUtility.ParseQueryString(target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..]) : null;
                var lang = query?["lang"] ?? "en";
                if (!_raw)
                {
                    lang = lang.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
                }

                var body = "{\"ok\":true}";
                var answer = target.StartsWith("/lang", StringComparison.Ordinal)
                    ? $"HTTP/1.1 200 OK\r\nSet-Cookie: lang={lang}; Path=/; HttpOnly; SameSite=Lax\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"
                    : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.Latin1.GetBytes(answer), _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or FormatException)
            {
                // A probe that hangs up early, or the server stopping.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
