using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>The realtime check on a <c>websocket:</c> endpoint, against a loopback server with a login, a WebSocket and a write.</summary>
public sealed class RealtimeSocketTests
{
    /// <summary>A server whose /ws takes the token in ?access_token= (or, <c>open</c>, anyone) and whose POST /things publishes an event (unless <c>silent</c>).</summary>
    private sealed class SocketServer : IDisposable
    {
        private readonly List<Channel<string>> _subscribers = [];
        private readonly LocalHttpServer _server;
        private int _next;

        public SocketServer(bool silent = false, bool open = false)
        {
            _server = new LocalHttpServer(context => HandleAsync(context, silent, open), concurrent: true);
        }

        public int Port => _server.Port;

        public int Anonymous { get; private set; }

        private async Task HandleAsync(HttpListenerContext context, bool silent, bool open)
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path == "/auth/login")
            {
                await Json(context, 200, "{\"accessToken\":\"tok-123\"}");
            }
            else if (path == "/things" && context.Request.Headers["Authorization"] == "Bearer tok-123")
            {
                var id = Interlocked.Increment(ref _next);
                if (!silent)
                {
                    lock (_subscribers)
                    {
                        _subscribers.ForEach(s => s.Writer.TryWrite($"{{\"type\":\"thing-created\",\"id\":\"thing-{id}\",\"data\":{{\"id\":{id}}}}}"));
                    }
                }

                await Json(context, 201, $"{{\"id\":{id}}}");
            }
            else if (path == "/ws" && context.Request.IsWebSocketRequest && (open || context.Request.QueryString["access_token"] == "tok-123"))
            {
                if (context.Request.QueryString["access_token"] is null)
                {
                    Anonymous++;
                }

                var socket = (await context.AcceptWebSocketAsync(null)).WebSocket;
                var channel = Channel.CreateUnbounded<string>();
                lock (_subscribers)
                {
                    _subscribers.Add(channel);
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ready\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
                _ = Task.Run(async () =>
                {
                    var buffer = new byte[256];
                    try
                    {
                        while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
                        {
                        }
                    }
                    catch (WebSocketException)
                    {
                    }

                    channel.Writer.TryComplete();
                });
                try
                {
                    await foreach (var item in channel.Reader.ReadAllAsync())
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes(item), WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                }
                catch (WebSocketException)
                {
                }
            }
            else
            {
                await Json(context, 401, "{\"title\":\"sign in\"}");
            }
        }

        private static Task Json(HttpListenerContext context, int status, string body) =>
            LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(body), "application/json");

        public void Dispose()
        {
            lock (_subscribers)
            {
                _subscribers.ForEach(s => s.Writer.TryComplete());
            }

            _server.Dispose();
        }
    }

    private static async Task<CheckResult> RunAsync(SocketServer server, string tokenQuery = "access_token")
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
                  - { websocket: /ws, tokenQuery: {{tokenQuery}}, event: thing-created, within: 2s, trigger: { request: POST /things, json: { name: x } } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var api = system.Find<Archgate.Model.ServiceComponent>("api")!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new RealtimeCheck(api, api.Realtime[0]).RunAsync(TestSystems.Context(system, http), cancel.Token);
    }

    [Fact]
    public async Task A_write_causes_its_event_on_the_WebSocket_and_a_connection_without_a_token_is_refused()
    {
        using var server = new SocketServer();

        var result = await RunAsync(server);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        Assert.Equal("ws_event_latency", Assert.Single(result.Metrics).Name);
        Assert.Equal(0, server.Anonymous);
    }

    [Fact]
    public async Task A_WebSocket_that_never_sends_the_event_fails_AG5031_naming_what_arrived()
    {
        using var server = new SocketServer(silent: true);

        var result = await RunAsync(server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.EventMissing, finding.Rule);
        Assert.Contains("no 'thing-created' event within 2 s of POST /things (201)", finding.Message, StringComparison.Ordinal);
        Assert.Equal("nothing arrived after the trigger", finding.Evidence);
    }

    [Fact]
    public async Task A_WebSocket_that_accepts_a_connection_without_a_token_fails_AG5033()
    {
        using var server = new SocketServer(open: true);

        var result = await RunAsync(server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.StreamWithoutToken, finding.Rule);
        Assert.Equal("the WebSocket opened without a token: anyone can follow it", finding.Message);
        Assert.Equal($"GET ws://127.0.0.1:{server.Port}/ws (Upgrade: websocket) -> 101", finding.Evidence);
        Assert.Equal(1, server.Anonymous);
    }

    [Fact]
    public async Task A_WebSocket_that_refuses_the_token_fails_AG5030_with_the_status()
    {
        using var server = new SocketServer();

        var result = await RunAsync(server, tokenQuery: "wrong_name");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.StreamNotOpened, finding.Rule);
        Assert.Equal("the WebSocket did not open: it answered 401 instead of 101 Switching Protocols", finding.Message);
        Assert.DoesNotContain("tok-123", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_message_is_an_event_named_by_its_type_or_event_property()
    {
        Assert.Equal(("order-status", "7-2"), (SocketStream.Parse("{\"type\":\"order-status\",\"id\":\"7-2\"}").Type, SocketStream.Parse("{\"type\":\"order-status\",\"id\":\"7-2\"}").Id));
        Assert.Equal("ping", SocketStream.Parse("{\"event\":\"ping\"}").Type);
        Assert.Equal("message", SocketStream.Parse("hello").Type);
    }
}
