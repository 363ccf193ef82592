using System.Text.Json.Nodes;
using Archgate.Checks.Faults;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Faults;

public sealed class ToxiproxyClientTests
{
    [Fact]
    public async Task A_toxic_becomes_a_toxiproxy_toxic_and_disposing_it_removes_it()
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var client = new ToxiproxyClient(http, new Uri($"http://127.0.0.1:{server.Port}"));

        var handle = await client.AddAsync("shop_payments", new LatencyToxic(TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(200)) { Fraction = 0.5 }, CancellationToken.None);
        var during = await client.GetProxyAsync("shop_payments", CancellationToken.None);
        await handle.DisposeAsync();
        await handle.DisposeAsync(); // once only
        var after = await client.GetProxyAsync("shop_payments", CancellationToken.None);

        var sent = JsonNode.Parse(server.Requests.First(r => r.Method == "POST").Body)!;
        Assert.Equal("latency", sent["type"]!.GetValue<string>());
        Assert.Equal("downstream", sent["stream"]!.GetValue<string>());
        Assert.Equal(0.5, sent["toxicity"]!.GetValue<double>());
        Assert.Equal(1500, sent["attributes"]!["latency"]!.GetValue<long>());
        Assert.Equal(200, sent["attributes"]!["jitter"]!.GetValue<long>());
        Assert.Single(during.Toxics);
        Assert.Equal("127.0.0.1:26201", during.Listen);
        Assert.Empty(after.Toxics);
        Assert.Single(server.Requests, r => r.Method == "DELETE");
    }

    [Theory]
    [InlineData("blackhole", "timeout")]
    [InlineData("reset", "reset_peer")]
    [InlineData("bandwidth", "bandwidth")]
    [InlineData("slow-close", "slow_close")]
    public async Task Each_tcp_toxic_has_its_toxiproxy_type(string ours, string theirs)
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var client = new ToxiproxyClient(http, new Uri($"http://127.0.0.1:{server.Port}/"));
        Toxic toxic = ours switch
        {
            "blackhole" => new BlackholeToxic(),
            "reset" => new ResetToxic(),
            "bandwidth" => new BandwidthToxic(10 * 1024),
            _ => new SlowCloseToxic(TimeSpan.FromSeconds(1)),
        };

        await using (await client.AddAsync("shop_payments", toxic, CancellationToken.None))
        {
            Assert.Equal(theirs, JsonNode.Parse(server.Requests.Last().Body)!["type"]!.GetValue<string>());
        }

        Assert.Empty(fake.Toxics);
    }

    [Fact]
    public async Task Refused_takes_the_proxy_down_and_brings_it_back()
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var client = new ToxiproxyClient(http, new Uri($"http://127.0.0.1:{server.Port}"));

        await using (await client.AddAsync("shop_payments", new RefusedToxic(), CancellationToken.None))
        {
            Assert.False((await client.GetProxyAsync("shop_payments", CancellationToken.None)).Enabled);
        }

        Assert.True((await client.GetProxyAsync("shop_payments", CancellationToken.None)).Enabled);
    }

    [Fact]
    public async Task An_unknown_proxy_is_toxiproxy_s_own_error()
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var client = new ToxiproxyClient(http, new Uri($"http://127.0.0.1:{server.Port}"));

        var error = await Assert.ThrowsAsync<ToxiproxyException>(() => client.AddAsync("nope", new ResetToxic(), CancellationToken.None));

        Assert.Equal(404, error.Status);
        Assert.Contains("proxy not found", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() => client.AddAsync("shop_payments", new ErrorStatusToxic(), CancellationToken.None));
    }
}
