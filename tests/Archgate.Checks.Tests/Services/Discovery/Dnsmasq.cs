using System.Diagnostics;
using System.Net.Sockets;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Services.Discovery;

/// <summary>
/// A real dnsmasq on a free port of 127.0.0.1 serving only the records a test gives it (no upstream, no hosts file),
/// stopped when disposed.
/// </summary>
internal sealed class Dnsmasq : IDisposable
{
    private readonly Process _process;

    private Dnsmasq(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Server => $"127.0.0.1:{Port}";

    /// <summary>Starts dnsmasq with <paramref name="records"/> (<c>--srv-host=...</c>, <c>--host-record=...</c>) and waits until it answers on TCP.</summary>
    public static async Task<Dnsmasq> StartAsync(params string[] records)
    {
        var executable = Archgate.Checks.Prerequisites.Prerequisites.Dnsmasq.Locate()
            ?? throw new InvalidOperationException(Archgate.Checks.Prerequisites.Prerequisites.MissingHint(Archgate.Checks.Prerequisites.Prerequisites.Dnsmasq));
        var port = FreePort.Next();
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--conf-file=/dev/null", "--pid-file=",
            "--listen-address=127.0.0.1", "--bind-interfaces", $"--port={port}", "--user=" + Environment.UserName,
        }.Concat(records))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var dns = new Dnsmasq(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return dns;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        dns.Dispose();
        throw new TimeoutException("dnsmasq did not listen within 15 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
