using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Load;

namespace Archgate.Checks.Tests.Load;

/// <summary>The lean client against a real socket on 127.0.0.1 (bounded: well under 2 s).</summary>
public class RawHttpTransportTests
{
    [Fact]
    public async Task A_short_run_against_a_local_server_counts_statuses_bytes_and_routes()
    {
        using var server = new TinyServer();
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [
            LoadJourney.OfRequest(new LoadRequest("GET", "/chunked"), weight: 3),
            LoadJourney.OfRequest(new LoadRequest("GET", "/missing")),
            LoadJourney.OfRequest(new LoadRequest("GET", "/close")),
        ])
        {
            Stages = LoadProfiles.Constant(4, TimeSpan.FromMilliseconds(400)),
            GracefulStop = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(1),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(LoadTransport.RawHttp1, result.Transport);
        var chunked = result.Routes.Single(r => r.Route == "GET /chunked").Metrics;
        var missing = result.Routes.Single(r => r.Route == "GET /missing").Metrics;
        var close = result.Routes.Single(r => r.Route == "GET /close").Metrics;
        // Counts, not speed: how many requests fit in 400 ms depends on the machine's load.
        Assert.True(chunked.Requests > 0, "no chunked request was answered");
        Assert.Equal(0, chunked.Errors.Total);
        Assert.Equal(missing.Requests, missing.Errors.Status4xx);
        Assert.True(close.Requests > 0);
        Assert.Equal(0, close.Errors.ConnectionErrors);
        Assert.True(result.Overall.BytesReceived > result.Overall.Requests * 40);
        Assert.True(server.Connections >= close.Requests, "a connection the server closed is replaced by a new one");
    }

    [Fact]
    public async Task A_server_that_never_answers_yields_timeouts_not_a_hang()
    {
        using var server = new TinyServer(silent: true);
        var plan = new LoadPlan(new Uri($"http://127.0.0.1:{server.Port}/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            Stages = LoadProfiles.Constant(2, TimeSpan.FromMilliseconds(400)),
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            GracefulStop = TimeSpan.FromMilliseconds(400),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(5));

        // How many depends on how soon the machine starts the users; every one of them is a timeout.
        Assert.True(result.Overall.Errors.Timeouts >= 1);
        Assert.Equal(result.Overall.Requests, result.Overall.Errors.Timeouts);
    }

    /// <summary>A keep-alive HTTP/1.1 server on 127.0.0.1 with a chunked route, a 404 and a closing route.</summary>
    private sealed class TinyServer : IDisposable
    {
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
                        if (_silent)
                        {
                            continue;
                        }

                        var path = request.Split(' ')[1];
                        var (response, close) = path switch
                        {
                            "/chunked" => ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false),
                            "/close" => ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye", true),
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
