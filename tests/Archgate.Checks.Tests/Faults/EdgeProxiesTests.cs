using Archgate.Checks.Faults;
using Archgate.Model;

namespace Archgate.Checks.Tests.Faults;

/// <summary>The address a caller's <c>${url:NAME}</c> becomes: the proxy's host and port, everything else as written.</summary>
public sealed class EdgeProxiesTests
{
    [Fact]
    public async Task A_broker_s_AMQP_URI_keeps_its_credentials_and_virtual_host_escaped_and_gets_a_tcp_proxy()
    {
        await using var edges = new EdgeProxies();

        var through = edges.Open("api", "bus", new Uri("amqp://shop:p%40ss%2Fw@broker.test:7401/%2f"));

        var proxy = edges.Find(new Edge("api", "bus"))!;
        Assert.Equal(ProxyMode.Tcp, proxy.Mode);
        Assert.Equal(("broker.test", 7401), (proxy.UpstreamHost, proxy.UpstreamPort));
        Assert.Equal($"amqp://shop:p%40ss%2Fw@127.0.0.1:{proxy.Port}/%2f", through.OriginalString);
        Assert.Equal(("shop:p%40ss%2Fw", "/%2f"), (through.UserInfo, through.AbsolutePath)); // what RabbitMQ.Client reads: user, password, vhost "/"
        Assert.Equal(through.OriginalString, EdgeAddress.Format(through)); // what the caller's run.env gets, vhost "%2f" kept
        Assert.Equal($"tcp://127.0.0.1:{proxy.Port}/", proxy.Address.ToString()); // what 'up' lists: no credentials
    }

    [Theory]
    [InlineData("amqp://u:p@127.0.0.1", 5672)]
    [InlineData("amqps://u:p@127.0.0.1/prod", 5671)]
    public async Task An_AMQP_URI_without_a_port_is_proxied_to_the_scheme_s_port(string uri, int port)
    {
        await using var edges = new EdgeProxies();

        var through = edges.Open("api", "bus", new Uri(uri));

        var proxy = edges.Find(new Edge("api", "bus"))!;
        Assert.Equal(port, proxy.UpstreamPort);
        Assert.Equal(proxy.Port, through.Port);
        Assert.Equal(new Uri(uri).AbsolutePath, through.AbsolutePath);
    }

    [Fact]
    public async Task An_http_dependency_gets_an_http_proxy_at_the_same_path()
    {
        await using var edges = new EdgeProxies();

        var through = edges.Open("api", "payments", new Uri("http://127.0.0.1:7201/base/"));

        var proxy = edges.Find(new Edge("api", "payments"))!;
        Assert.Equal(ProxyMode.Http, proxy.Mode);
        Assert.Equal(new Uri($"http://127.0.0.1:{proxy.Port}/base/"), through);
        Assert.Same(proxy, edges.Find(new Edge("api", "payments")));
        Assert.Equal(through, edges.Open("api", "payments", new Uri("http://127.0.0.1:7201/base/"))); // one proxy per edge
    }
}
