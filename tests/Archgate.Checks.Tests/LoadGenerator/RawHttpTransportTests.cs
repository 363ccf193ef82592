using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.LoadGenerator;

/// <summary>
/// The lean client against a real socket on 127.0.0.1 (bounded: a run of 800 ms, a hang caught in 30 s), on both of its I/O paths: the
/// epoll client (Linux, x86-64) and .NET's socket engine (<see cref="LoadPlan.PortableSockets"/>).
/// </summary>
public class RawHttpTransportTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_short_run_against_a_local_server_counts_statuses_bytes_and_routes(bool portableSockets)
    {
        using var server = new TinyServer();
        // One journey through the three routes, so each has requests once any user has done one iteration: with weighted
        // single requests a 400 ms run beside a busy suite once sent none to /close (ci30).
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [
            new LoadJourney("routes", [new LoadRequest("GET", "/chunked"), new LoadRequest("GET", "/missing"), new LoadRequest("GET", "/close")]),
        ])
        {
            Stages = LoadProfiles.Constant(4, TimeSpan.FromMilliseconds(800)),
            PortableSockets = portableSockets,
            GracefulStop = TimeSpan.FromSeconds(5), // a request in flight at the end finishes rather than counting as a timeout
            // Generous: beside a busy suite (ci67) the four users' first requests, the server's code not yet compiled,
            // took over a second and counted as four timeouts under a 1 s limit. This test counts, it does not time.
            RequestTimeout = TimeSpan.FromSeconds(5),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(LoadTransport.RawHttp1, result.Transport);
        var chunked = result.Routes.Single(r => r.Route == "GET /chunked").Metrics;
        var missing = result.Routes.Single(r => r.Route == "GET /missing").Metrics;
        var close = result.Routes.Single(r => r.Route == "GET /close").Metrics;
        // Counts, not speed: how many requests fit in 800 ms depends on the machine's load.
        Assert.True(chunked.Requests > 0, "no chunked request was answered");
        Assert.True(chunked.Errors.Total == 0, $"errors on /chunked: {chunked.Errors}");
        Assert.Equal(missing.Requests, missing.Errors.Status4xx);
        Assert.True(close.Requests > 0);
        Assert.Equal(0, close.Errors.ConnectionErrors);
        Assert.True(result.Overall.BytesReceived > result.Overall.Requests * 40);
        Assert.True(server.Connections >= close.Requests, "a connection the server closed is replaced by a new one");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_keep_alive_connection_the_server_drops_is_replaced_without_an_error(bool portableSockets)
    {
        using var server = new TinyServer();
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/drop"))])
        {
            Stages = LoadProfiles.Constant(2, TimeSpan.FromMilliseconds(300)),
            PortableSockets = portableSockets,
            GracefulStop = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(2),
        };

        // The premise needs two answered requests; a starved machine (ci17) once sent fewer in the 300 ms stage, so such
        // a run is taken again, at most three times.
        var before = server.Connections;
        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(10));
        for (var retake = 0; retake < 3 && result.Overall.Requests < 2; retake++)
        {
            before = server.Connections;
            result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(10));
        }

        // Whether the client saw the close while idle or only when its next request found the socket closed
        // (then retried once on a new one), every request was answered on a connection of its own.
        Assert.True(result.Overall.Requests >= 2, $"{result.Overall.Requests} request(s) in 4 runs");
        Assert.Equal(0, result.Overall.Errors.Total);
        Assert.True(server.Connections - before >= result.Overall.Requests, $"{server.Connections - before} connections for {result.Overall.Requests} requests");
    }

    [Fact]
    public async Task On_linux_x64_the_lean_client_runs_on_its_own_epoll_threads_unless_asked_for_portable_sockets()
    {
        var plan = new LoadPlan(new Uri("http://127.0.0.1:9/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/"))]);
        await using var epoll = await RawHttpTransport.CreateAsync(plan, TimeProvider.System, CancellationToken.None);
        await using var portable = await RawHttpTransport.CreateAsync(plan with { PortableSockets = true }, TimeProvider.System, CancellationToken.None);

        Assert.Equal(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, epoll.UsesEpoll);
        Assert.False(portable.UsesEpoll);
        Assert.IsType<Http1Connection>(portable.CreateConnection());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_that_never_answers_yields_timeouts_not_a_hang(bool portableSockets)
    {
        using var server = new TinyServer(silent: true);
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            Stages = LoadProfiles.Constant(2, TimeSpan.FromMilliseconds(400)),
            PortableSockets = portableSockets,
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            GracefulStop = TimeSpan.FromMilliseconds(400),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(5));

        // How many depends on how soon the machine starts the users; every one of them is a timeout.
        Assert.True(result.Overall.Errors.Timeouts >= 1);
        Assert.Equal(result.Overall.Requests, result.Overall.Errors.Timeouts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_open_model_opens_and_warms_its_connections_before_the_measured_window(bool portableSockets)
    {
        using var server = new TinyServer();
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/chunked"))])
        {
            Model = LoadModel.OpenArrivalRate,
            Stages = LoadProfiles.Constant(50, TimeSpan.FromMilliseconds(400)),
            PortableSockets = portableSockets,
            MaxConcurrency = 20,
            RequestTimeout = TimeSpan.FromSeconds(5),
            GracefulStop = TimeSpan.FromSeconds(5),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(20));

        // ceil(50/s x 0.1 s) = 5 connections, each sent one unmeasured request before the clock started.
        Assert.True(result.Overall.Requests > 0);
        Assert.Equal(0, result.Overall.Errors.Total);
        Assert.Equal(result.Overall.Requests + 5, server.Requests);
        Assert.True(server.Connections >= 5);
        Assert.Equal(result.Overall.Requests, result.ScheduleLag.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_still_in_flight_at_the_stop_count_as_timeouts_of_the_stage_they_were_sent_in(bool portableSockets)
    {
        using var server = new StallingServer(Stall.Silent);
        var plan = new LoadPlan(server.Url, [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            // The first stage is long enough for both users to send on a busy machine (300 ms was not: ci51 saw none sent).
            Stages = [new LoadStage("first", TimeSpan.FromSeconds(3), 2), new LoadStage("second", TimeSpan.FromMilliseconds(300), 2)],
            PortableSockets = portableSockets,
            RequestTimeout = TimeSpan.FromSeconds(30),
            GracefulStop = TimeSpan.FromMilliseconds(200),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(30));

        // Both users sent once in the first stage and never got an answer: two timeouts of that stage.
        Assert.Equal(2, result.Stages[0].Metrics.Requests);
        Assert.Equal(2, result.Stages[0].Metrics.Errors.Timeouts);
        Assert.Equal(0, result.Stages[1].Metrics.Requests);
        Assert.Equal(2, result.Overall.Errors.Timeouts);
        Assert.Equal(2, result.InterruptedRequests);
        Assert.Equal(1, result.Overall.FailedRate);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Open_model_requests_in_flight_at_the_stop_are_timeouts_and_arrivals_never_sent_are_dropped(bool portableSockets)
    {
        using var server = new StallingServer(Stall.Silent);
        var plan = new LoadPlan(server.Url, [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            Model = LoadModel.OpenArrivalRate,
            Stages = LoadProfiles.Constant(20, TimeSpan.FromMilliseconds(500)),
            PortableSockets = portableSockets,
            MaxConcurrency = 2,
            RequestTimeout = TimeSpan.FromSeconds(30),
            GracefulStop = TimeSpan.FromMilliseconds(200),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.InRange(result.Overall.Requests, 1, 2);
        Assert.Equal(result.Overall.Requests, result.Overall.Errors.Timeouts);
        Assert.True(result.DroppedArrivals > 0, "arrivals queued behind the two stuck connections were never sent");
    }

    [Theory]
    [InlineData(Stall.TrickleBody, LoadTransport.RawHttp1, false)]
    [InlineData(Stall.TrickleHeaders, LoadTransport.RawHttp1, false)]
    [InlineData(Stall.TrickleBody, LoadTransport.RawHttp1, true)]
    [InlineData(Stall.TrickleHeaders, LoadTransport.RawHttp1, true)]
    [InlineData(Stall.TrickleBody, LoadTransport.HttpClient, false)]
    [InlineData(Stall.TrickleHeaders, LoadTransport.HttpClient, false)]
    public async Task A_server_that_trickles_its_answer_times_out_after_the_request_timeout(Stall stall, LoadTransport transport, bool portableSockets)
    {
        using var server = new StallingServer(stall);
        // The stage outlasts the request timeout: a 300 ms stage on a busy machine (ci40) ended before its one user sent
        // anything, and no request was counted at all.
        var plan = new LoadPlan(server.Url, [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            Stages = LoadProfiles.Constant(1, TimeSpan.FromSeconds(1)),
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            GracefulStop = TimeSpan.FromSeconds(10),
            Transport = transport,
            PortableSockets = portableSockets,
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(30));

        // Bytes kept coming, but the answer was not complete within the request timeout: a timeout, not a
        // response and not a request cut at the stop (the graceful stop is far longer than the timeout).
        Assert.True(result.Overall.Requests >= 1);
        Assert.Equal(result.Overall.Requests, result.Overall.Errors.Timeouts);
        Assert.Equal(0, result.InterruptedRequests);
        Assert.Equal(0, result.Overall.Latency.Count);
    }

    /// <summary>A keep-alive HTTP/1.1 server on 127.0.0.1 with a chunked route, a 404 and a closing route.</summary>
    private sealed class TinyServer : IDisposable
    {
        private int _requests;

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly bool _silent;
        private int _connections;

        public TinyServer(bool silent = false)
        {
            _silent = silent;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = ServeAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var pending = "";
            try
            {
                while (true)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    pending += Encoding.ASCII.GetString(buffer, 0, n);
                    int end;
                    while ((end = pending.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                    {
                        var request = pending[..end];
                        pending = pending[(end + 4)..];
                        Interlocked.Increment(ref _requests);
                        if (_silent)
                        {
                            continue;
                        }

                        var path = request.Split(' ')[1];
                        var (response, close) = path switch
                        {
                            "/chunked" => ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false),
                            "/close" => ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye", true),
                            // Keep-alive by its headers, then closed at once: a server dropping an idle connection.
                            "/drop" => ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true),
                            _ => ("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", false),
                        };
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                        if (close)
                        {
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
