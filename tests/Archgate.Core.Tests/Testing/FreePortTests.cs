using System.Net;
using System.Net.Sockets;

namespace Archgate.Core.Tests.Testing;

public class FreePortTests
{
    [Fact]
    public void Next_hands_out_distinct_bindable_ports_outside_the_shops_fixed_range_and_below_the_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();
        var ephemeral = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.DoesNotContain(ports, p => p is >= 7001 and <= 7403);
        Assert.All(ports, p => Assert.InRange(p, 10000, ephemeral - 1)); // an outgoing connection never takes one of them
        foreach (var port in ports.Take(5))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
