using Archgate.Model;
using System.Net;

namespace Archgate.Model;

/// <summary>Which hosts Archgate may send probes and load to.</summary>
public static class TargetPolicy
{
    /// <summary>The default allow-list: loopback only.</summary>
    public static IReadOnlyList<string> LoopbackHosts { get; } = ["127.0.0.1", "localhost", "::1"];

    /// <summary>True when <paramref name="host"/> is in <paramref name="allowed"/>, or is loopback and loopback is allowed.</summary>
    /// <remarks>Entries are host names, addresses or CIDR ranges (<see cref="HostAllowList"/>).</remarks>
    public static bool IsAllowed(string host, IReadOnlyList<string> allowed)
    {
        if (HostAllowList.Of(allowed).Allows(host))
        {
            return true;
        }

        // Any 127.x.y.z address is loopback; allow it when the list allows 127.0.0.1.
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)
            && allowed.Any(a => a is "127.0.0.1" or "::1");
    }
}
