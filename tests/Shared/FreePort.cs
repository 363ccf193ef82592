using System.Net;
using System.Net.Sockets;

namespace Archgate.Testing;

/// <summary>
/// The one way the tests find a free loopback port (linked into every test project by tests/Directory.Build.props).
/// The operating system picks a port nothing listens on; a port this process handed out before is never handed out
/// again, so a test that asks for several ports (api, port mapper, distribution) gets distinct ones without a loop of
/// its own. The shop's fixed ports (7001-7401) are never returned: a demo beside the tests may hold them.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> s_given = [];
    private static readonly Lock s_gate = new();

    /// <summary>A loopback port nothing listens on at the moment of the call and not returned before in this process.</summary>
    public static int Next()
    {
        lock (s_gate)
        {
            while (true)
            {
                var port = Probe();
                if (!IsShopPort(port) && s_given.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static bool IsShopPort(int port) => port is >= 7001 and <= 7403;

    private static int Probe()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
