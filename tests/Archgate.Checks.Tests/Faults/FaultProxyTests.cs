using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Faults;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Checks.Tests.Faults;

public sealed class FaultProxyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Passthrough_counts_each_request_with_its_idempotency_key_sizes_and_status()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("api → payments", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        for (var i = 1; i <= 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent(new string('a', 100 * i)) };
            request.Headers.Add("Idempotency-Key", $"order-{i}");
            using var response = await http.SendAsync(request);
            Assert.Equal($"POST /echo key=order-{i} body={100 * i}", await response.Content.ReadAsStringAsync());
        }

        var requests = await Settled(proxy);
        Assert.Equal(3, requests.Count);
        Assert.Equal(["order-1", "order-2", "order-3"], requests.Select(r => r.IdempotencyKey));
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.All(requests, r => Assert.True(r.Forwarded));
        Assert.All(requests, r => Assert.Null(r.Fault));
        Assert.All(requests, r => Assert.NotNull(r.Duration));
        Assert.True(requests[2].RequestBytes > 300 && requests[2].RequestBytes > requests[0].RequestBytes);
        Assert.All(requests, r => Assert.True(r.ResponseBytes > 30));
        Assert.Equal(1, proxy.Counters.ConnectionCount); // keep-alive kept through the proxy
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Passthrough_relays_a_large_chunked_answer_intact()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        var body = await http.GetStringAsync("/big?n=300000");
        var again = await http.GetStringAsync("/echo");

        Assert.Equal(300_000, body.Length);
        Assert.All(body, c => Assert.Equal('x', c));
        Assert.StartsWith("GET /echo", again, StringComparison.Ordinal);
        await Settled(proxy);
        Assert.Equal(2, proxy.Counters.ForwardedCount);
    }

    [Fact]
    public async Task A_request_head_arriving_in_pieces_is_read_whole()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        await using var stream = new NetworkStream(socket);

        // Split inside the blank line that ends the head, and elsewhere, each piece its own write.
        foreach (var piece in new[] { "GET /ec", "ho HTTP/1.1\r\nHost: 127.0.0.1\r\nIdempotency-Key: k-1\r", "\n\r", "\n" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(piece));
            await stream.FlushAsync();
            await Task.Delay(50);
        }

        var buffer = new byte[4096];
        var answer = new StringBuilder();
        using var timeout = new CancellationTokenSource(Patience);
        while (!answer.ToString().Contains("body=0", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(n > 0, answer.ToString());
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        Assert.Contains("GET /echo key=k-1 body=0", answer.ToString(), StringComparison.Ordinal);
        Assert.Equal("k-1", (await Settled(proxy)).Single().IdempotencyKey);
    }

    [Fact]
    public async Task Error_status_answers_without_calling_the_dependency_until_removed()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        using (proxy.Add(new ErrorStatusToxic(503)))
        {
            using var post = await http.PostAsync("/echo", new StringContent("{\"amount\":1}"));
            using var get = await http.GetAsync("/echo");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        }

        using var after = await http.GetAsync("/echo");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        await Settled(proxy);
        Assert.Equal(1, server.Requests);
        Assert.Equal([false, false, true], proxy.Counters.Requests.Select(r => r.Forwarded));
        Assert.Equal("error status 503", proxy.Counters.Requests[0].Fault);
        Assert.Empty(proxy.Toxics);
    }

    [Fact]
    public async Task A_lost_answer_reaches_the_dependency_and_the_caller_gets_the_error_on_a_connection_that_still_works()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        using (proxy.Add(new LostAnswerToxic(503)))
        {
            using var first = await http.PostAsync("/echo", new StringContent("{\"amount\":1}"));
            using var second = await http.PostAsync("/echo", new StringContent("{\"amount\":2}")); // the same keep-alive connection
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.Contains("fault injected by archgate", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var after = await http.GetAsync("/echo");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        await Settled(proxy);
        Assert.Equal(3, server.Requests); // the work was done every time
        Assert.Equal([true, true, true], proxy.Counters.Requests.Select(r => r.Forwarded));
        Assert.Equal([503, 503, 200], proxy.Counters.Requests.Select(r => r.Status ?? 0));
        Assert.Equal("answers lost, error status 503 instead (the dependency answered 200)", proxy.Counters.Requests[0].Fault);
        Assert.Empty(proxy.Toxics);
    }

    [Fact]
    public async Task A_fraction_hits_only_some_requests()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http, random: new Random(12345));
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };
        using var toxic = proxy.Add(new ErrorStatusToxic(500) { Fraction = 0.5 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await http.GetAsync("/echo");
            statuses.Add(response.StatusCode);
        }

        await Settled(proxy);
        var failed = statuses.Count(s => s == HttpStatusCode.InternalServerError);
        Assert.InRange(failed, 8, 32);
        Assert.Equal(40 - failed, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40 - failed, server.Requests);
        Assert.Equal(failed, proxy.Counters.Requests.Count(r => r.Fault is not null));
    }

    [Fact]
    public async Task Reset_fails_the_call_and_is_counted()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        using (proxy.Add(new ResetToxic()))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("/echo"));
        }

        Assert.StartsWith("GET /echo", await http.GetStringAsync("/echo"), StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
        Assert.Equal("connection reset", proxy.Counters.Requests[0].Fault);
        Assert.Null(proxy.Counters.Requests[0].Status);
    }

    [Fact]
    public async Task Blackhole_swallows_the_request_and_removing_it_restores_service()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        var toxic = proxy.Add(new BlackholeToxic());
        var call = http.GetStringAsync("/echo");
        await WaitUntil(() => proxy.Counters.RequestCount == 1);
        await Task.Delay(200);
        Assert.False(call.IsCompleted); // accepted, never answered
        toxic.Dispose();
        await Assert.ThrowsAsync<HttpRequestException>(() => call.WaitAsync(Patience)); // cut when the fault ends

        Assert.StartsWith("GET /echo", await http.GetStringAsync("/echo"), StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
        Assert.Equal("blackhole", proxy.Counters.Requests[0].Fault);
    }

    [Fact]
    public async Task A_blackholed_request_records_when_the_caller_gave_up_and_one_cut_by_the_fault_ending_does_not()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var impatient = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(2) };
        using var patient = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        var toxic = proxy.Add(new BlackholeToxic());
        var given = impatient.GetStringAsync("/echo");
        await WaitUntil(() => proxy.Counters.RequestCount == 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => given);
        await WaitUntil(() => proxy.Counters.Requests[0].AbandonedAfter is not null);
        var held = patient.GetStringAsync("/echo");
        await WaitUntil(() => proxy.Counters.RequestCount == 2);
        toxic.Dispose();
        await Assert.ThrowsAsync<HttpRequestException>(() => held.WaitAsync(Patience));

        Assert.InRange(proxy.Counters.Requests[0].AbandonedAfter!.Value, TimeSpan.FromSeconds(1), Patience);
        Assert.Null(proxy.Counters.Requests[1].AbandonedAfter); // the fault went first: the caller did not give up
        Assert.Null(proxy.Counters.Requests[0].Status);
    }

    /// <summary>
    /// How a connection to 127.0.0.1:<paramref name="port"/> ends. Nothing listens there, so Linux may hand the socket
    /// that very port as its own and connect it to itself (a TCP self-connect, seen once on a busy machine): such an
    /// attempt is taken again.
    /// </summary>
    private static async Task<SocketError> ConnectAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode;
            }

            if (attempt == 3 || ((IPEndPoint)socket.LocalEndPoint!).Port != port)
            {
                return SocketError.Success;
            }
        }
    }

    [Fact]
    public async Task Refused_stops_listening_cuts_open_connections_and_listens_again_on_the_same_port()
    {
        using var server = new EchoHttpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };
        await http.GetStringAsync("/echo"); // a pooled keep-alive connection
        var port = proxy.Port;

        using (proxy.Add(new RefusedToxic()))
        {
            Assert.Equal(SocketError.ConnectionRefused, await ConnectAsync(port));
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("/echo"));
        }

        Assert.Equal(port, proxy.Port);
        Assert.StartsWith("GET /echo", await http.GetStringAsync("/echo"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dependency_down_is_a_failed_connection_for_the_caller_not_an_answer()
    {
        var closed = FreePort.Next();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", closed, ProxyMode.Http);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("/echo"));

        Assert.False(proxy.Counters.Requests.Single().Forwarded);
        Assert.Null(proxy.Counters.Requests.Single().Status);
    }

    [Fact]
    public async Task Latency_holds_each_request_back_for_the_delay()
    {
        using var server = new EchoHttpServer();
        var time = new FakeTimeProvider();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http, time);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };
        using var toxic = proxy.Add(new LatencyToxic(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)));

        var call = http.GetStringAsync("/echo");
        await WaitUntil(() => proxy.Counters.RequestCount == 1);
        await Task.Delay(200);
        Assert.False(call.IsCompleted);
        Assert.Equal(0, server.Requests);
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        await Task.Delay(200);
        Assert.False(call.IsCompleted); // 5 s ± 1 s: not before 4 s
        time.Advance(TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(1));

        Assert.StartsWith("GET /echo", await call.WaitAsync(Patience), StringComparison.Ordinal);
        await WaitUntil(() => proxy.Counters.Requests[0].Duration is not null);
        Assert.Equal("latency 5000 ms ± 1000 ms", proxy.Counters.Requests[0].Fault);
    }

    [Fact]
    public async Task Bandwidth_paces_the_answer_by_the_clock()
    {
        using var server = new EchoHttpServer();
        var time = new FakeTimeProvider();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Http, time);
        using var http = new HttpClient { BaseAddress = proxy.Address, Timeout = Patience };
        using var toxic = proxy.Add(new BandwidthToxic(1000));

        var call = http.GetStringAsync("/big?n=3000");
        await Task.Delay(500);
        Assert.False(call.IsCompleted); // 3000 bytes at 1000 B/s need 3 s of the proxy's clock
        for (var i = 0; i < 60 && !call.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20);
        }

        Assert.Equal(3000, (await call.WaitAsync(Patience)).Length);
    }

    [Fact]
    public async Task Tcp_passthrough_relays_bytes_both_ways_and_counts_them()
    {
        using var server = new EchoTcpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Tcp);

        var echoed = await EchoAsync(proxy.Port, "hello through the proxy");

        Assert.Equal("hello through the proxy", echoed);
        await WaitUntil(() => proxy.Counters.Connections.Single().Duration is not null);
        var connection = proxy.Counters.Connections.Single();
        Assert.Equal(23, connection.BytesUp);
        Assert.Equal(23, connection.BytesDown);
        Assert.Null(connection.Fault);
    }

    [Fact]
    public async Task Tcp_blackhole_never_reaches_the_dependency()
    {
        using var server = new EchoTcpServer();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Tcp);
        var toxic = proxy.Add(new BlackholeToxic());

        var call = EchoAsync(proxy.Port, "anyone there?");
        await WaitUntil(() => proxy.Counters.ConnectionCount == 1);
        await Task.Delay(200);
        Assert.False(call.IsCompleted);
        toxic.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Patience));

        Assert.Equal(0, server.Connections);
        Assert.Equal("anyone there?", await EchoAsync(proxy.Port, "anyone there?"));
    }

    [Fact]
    public async Task Tcp_slow_close_holds_back_the_dependency_s_close()
    {
        using var server = new EchoTcpServer();
        var time = new FakeTimeProvider();
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", server.Port, ProxyMode.Tcp, time);
        using var toxic = proxy.Add(new SlowCloseToxic(TimeSpan.FromSeconds(10)));

        var call = EchoAsync(proxy.Port, "bye");
        await Task.Delay(500);
        Assert.False(call.IsCompleted);

        // On a busy machine the proxy may reach its close after the clock moved (ci59): move it until the close goes.
        var until = DateTime.UtcNow + Patience;
        while (!call.IsCompleted && DateTime.UtcNow < until)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(call, Task.Delay(200));
        }

        Assert.Equal("bye", await call.WaitAsync(Patience));
    }

    [Fact]
    public async Task An_http_only_toxic_on_a_tcp_proxy_is_refused()
    {
        await using var proxy = FaultProxy.Start("edge", "127.0.0.1", 9, ProxyMode.Tcp);

        Assert.Throws<ArgumentException>(() => proxy.Add(new ErrorStatusToxic()));
        Assert.Throws<ArgumentException>(() => proxy.Add(new ResetToxic { Fraction = 1.5 }));
    }

    private static async Task<string> EchoAsync(int port, string text)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        socket.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(Patience);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>The requests, once each has ended (the caller can have its answer a moment before the proxy records it).</summary>
    private static async Task<IReadOnlyList<ProxiedRequest>> Settled(FaultProxy proxy)
    {
        await WaitUntil(() => proxy.Counters.Requests.All(r => r.Duration is not null || r.Fault is not null));
        return proxy.Counters.Requests;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(20))
        {
            Assert.True(waited < Patience, "the condition never held");
            await Task.Delay(20);
        }
    }
}
