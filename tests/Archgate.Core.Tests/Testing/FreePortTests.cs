using System.Net;
using System.Net.Sockets;

namespace Archgate.Core.Tests.Testing;

public class FreePortTests
{
    [Fact]
    public void Next_hands_out_distinct_bindable_ports_outside_the_shops_fixed_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.DoesNotContain(ports, p => p is >= 7001 and <= 7403);
        foreach (var port in ports.Take(5))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
