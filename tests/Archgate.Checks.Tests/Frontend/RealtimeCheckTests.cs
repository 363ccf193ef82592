using System.Net;
using System.Text;
using System.Threading.Channels;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class RealtimeCheckTests
{
    /// <summary>A loopback server with a login, an SSE stream (token in ?access_token=) and a write that publishes an event.</summary>
    private sealed class EventServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<Channel<string>> _subscribers = [];
        private int _next;

        public EventServer(bool publishes = true, bool refusesLastEventId = false)
        {
            Port = FreePort.Next();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    _ = Task.Run(() => HandleAsync(context, publishes, refusesLastEventId));
                }
            });
        }

        public int Port { get; }

        public List<string> LastEventIds { get; } = [];

        private async Task HandleAsync(HttpListenerContext context, bool publishes, bool refusesLastEventId)
        {
            var path = context.Request.Url!.AbsolutePath;
            var response = context.Response;
            try
            {
                if (path == "/auth/login")
                {
                    await WriteAsync(response, 200, "{\"accessToken\":\"tok-123\"}");
                }
                else if (path == "/things" && context.Request.Headers["Authorization"] == "Bearer tok-123")
                {
                    var id = Interlocked.Increment(ref _next);
                    if (publishes)
                    {
                        lock (_subscribers)
                        {
                            _subscribers.ForEach(s => s.Writer.TryWrite($"id: thing-{id}\nevent: thing-created\ndata: {{\"id\":{id}}}\n\n"));
                        }
                    }

                    await WriteAsync(response, 201, $"{{\"id\":{id}}}");
                }
                else if (path == "/events" && context.Request.QueryString["access_token"] == "tok-123")
                {
                    var last = context.Request.Headers["Last-Event-ID"];
                    if (last is not null)
                    {
                        LastEventIds.Add(last);
                        if (refusesLastEventId)
                        {
                            await WriteAsync(response, 400, "{\"title\":\"no\"}");
                            return;
                        }
                    }

                    var channel = Channel.CreateUnbounded<string>();
                    lock (_subscribers)
                    {
                        _subscribers.Add(channel);
                    }

                    response.ContentType = "text/event-stream";
                    response.SendChunked = true;
                    var output = response.OutputStream;
                    await output.WriteAsync(Encoding.UTF8.GetBytes("event: ready\ndata: {}\n\n"));
                    await output.FlushAsync();
                    await foreach (var item in channel.Reader.ReadAllAsync())
                    {
                        await output.WriteAsync(Encoding.UTF8.GetBytes(item));
                        await output.FlushAsync();
                    }
                }
                else
                {
                    await WriteAsync(response, 401, "{\"title\":\"sign in\"}");
                }
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }

        private static async Task WriteAsync(HttpListenerResponse response, int status, string body)
        {
            response.StatusCode = status;
            response.ContentType = "application/json";
            await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            response.Close();
        }

        public void Dispose()
        {
            lock (_subscribers)
            {
                _subscribers.ForEach(s => s.Writer.TryComplete());
            }

            _listener.Close();
        }
    }

    private static async Task<CheckResult> RunAsync(EventServer server, string tokenQuery = "access_token")
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: "http://127.0.0.1:{{server.Port}}"
                auth: { login: POST /auth/login, user: ann, password: demo }
                realtime:
                  - { sse: /events, tokenQuery: {{tokenQuery}}, event: thing-created, within: 2s, trigger: { request: POST /things, json: { name: x } } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var api = system.Find<Archgate.Model.ServiceComponent>("api")!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new RealtimeCheck(api, api.Realtime[0]).RunAsync(TestSystems.Context(system, http), cancel.Token);
    }

    [Fact]
    public async Task A_write_causes_its_event_on_the_stream_and_a_reconnection_with_Last_Event_ID_gets_the_next()
    {
        using var server = new EventServer();

        var result = await RunAsync(server);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("sse_event_latency", Assert.Single(result.Metrics).Name);
        Assert.Equal(["thing-1"], server.LastEventIds);
    }

    [Fact]
    public async Task A_write_that_publishes_nothing_fails_AG5031_within_the_bound()
    {
        using var server = new EventServer(publishes: false);

        var result = await RunAsync(server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.EventMissing, finding.Rule);
        Assert.Contains("no 'thing-created' event within 2 s of POST /things (201)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_refuses_the_token_fails_AG5030_with_the_token_masked()
    {
        using var server = new EventServer();

        var result = await RunAsync(server, tokenQuery: "wrong_name");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.StreamNotOpened, finding.Rule);
        Assert.Contains("401", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconnection_with_Last_Event_ID_that_is_refused_fails_AG5032()
    {
        using var server = new EventServer(refusesLastEventId: true);

        var result = await RunAsync(server);

        Assert.Equal(FrontendRules.ReconnectFailed, Assert.Single(result.Findings).Rule);
    }
}
