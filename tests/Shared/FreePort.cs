using System.Net;
using System.Net.Sockets;

namespace Archgate.Testing;

/// <summary>
/// The one way the tests find a free loopback port (linked into every test project by tests/Directory.Build.props).
/// A port is drawn at random below the system's ephemeral range and kept only when it can be bound at that moment; a
/// port this process handed out before is never handed out again, so a test that asks for several ports (api, port
/// mapper, distribution) gets distinct ones without a loop of its own. Below the ephemeral range, because the
/// operating system gives ports of that range to outgoing connections (a load generator's, a proxy's) and to every
/// listener bound to port 0: a port taken from it could be someone's local port by the time the component that was
/// promised it starts ("already in use"). The shop's fixed ports (7001-7403) lie below the range: a demo beside the
/// tests may hold them. The test projects run as separate processes at once: a port one of them handed out is reserved
/// for the others by a lock on a file named after it, held until that process ends, so two processes never hand out
/// the same port between one's check and its component's bind (ci50: "api exited before it was ready", address in use).
/// </summary>
public static class FreePort
{
    /// <summary>The lowest port handed out. <value>10000</value>.</summary>
    private const int Lowest = 10000;

    private static readonly HashSet<int> s_given = [];
    private static readonly List<FileStream> s_reservations = [];
    private static readonly string s_folder = Path.Combine(Path.GetTempPath(), "archgate-test-ports");
    private static readonly Lock s_gate = new();
    private static readonly int s_highest = EphemeralStart() - 1;

    /// <summary>A loopback port nothing listens on at the moment of the call and not returned before in this process.</summary>
    public static int Next()
    {
        lock (s_gate)
        {
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, s_highest + 1);
                if (!s_given.Contains(port) && Reserve(port) && CanBind(port))
                {
                    s_given.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"no free loopback port between {Lowest} and {s_highest}");
        }
    }

    /// <summary>Whether this process now holds the port's lock file (no other test process handed it out and still runs).</summary>
    private static bool Reserve(int port)
    {
        try
        {
            Directory.CreateDirectory(s_folder);
            s_reservations.Add(new FileStream(Path.Combine(s_folder, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            return true;
        }
        catch (IOException)
        {
            return false; // another process holds it
        }
        catch (UnauthorizedAccessException)
        {
            return true; // no reservations here: the bind check alone decides, as before
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the ephemeral range (Linux: ip_local_port_range; elsewhere IANA's 49152).</summary>
    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out var start) && start > Lowest + 1000 ? start : 49152;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return 49152;
        }
    }
}
