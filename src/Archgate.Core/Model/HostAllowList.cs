using Archgate.Model;
using System.Net;
using System.Net.Sockets;

namespace Archgate.Model;

/// <summary>
/// The hosts load may be sent to: names (exact, case-insensitive), addresses and CIDR ranges.
/// Load never goes anywhere else; the default is loopback only.
/// </summary>
public sealed class HostAllowList
{
    private readonly string[] _names;
    private readonly (IPAddress Network, int PrefixLength)[] _ranges;

    private HostAllowList(IEnumerable<string> entries)
    {
        var names = new List<string>();
        var ranges = new List<(IPAddress, int)>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim().Trim('[', ']');
            if (TryParseRange(entry, out var range))
            {
                ranges.Add(range);
            }
            else
            {
                names.Add(entry.ToLowerInvariant());
            }
        }

        _names = [.. names];
        _ranges = [.. ranges];
        Entries = [.. entries];
    }

    /// <summary>127.0.0.0/8, localhost and ::1.</summary>
    public static HostAllowList Loopback { get; } = new(["127.0.0.0/8", "localhost", "::1"]);

    /// <summary>The entries as given.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>An allow-list of exactly these entries (host names, IP addresses, CIDR ranges such as <c>10.0.0.0/24</c>).</summary>
    public static HostAllowList Of(IEnumerable<string> entries) => new(entries);

    /// <summary>This list plus <paramref name="entries"/>.</summary>
    public HostAllowList With(IEnumerable<string> entries) => new(Entries.Concat(entries));

    /// <summary>Whether load may be sent to <paramref name="host"/> (a URI host: name or address literal).</summary>
    public bool Allows(string host)
    {
        var h = host.Trim('[', ']');
        if (IPAddress.TryParse(h, out var address))
        {
            return _ranges.Any(r => InRange(address, r.Network, r.PrefixLength));
        }

        return _names.Contains(h.ToLowerInvariant());
    }

    private static bool TryParseRange(string entry, out (IPAddress Network, int PrefixLength) range)
    {
        range = default;
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? entry : entry[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(entry[(slash + 1)..], out prefix) || prefix < 0 || prefix > bits))
        {
            return false;
        }

        range = (address, prefix);
        return true;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = prefixLength / 8;
        for (var i = 0; i < full; i++)
        {
            if (a[i] != n[i])
            {
                return false;
            }
        }

        var rest = prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (n[full] & mask);
    }
}
