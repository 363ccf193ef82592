using System.Net;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class RealtimeCheckTests
{
    /// <summary>The fixture's API with a write (POST /things) that publishes a <c>thing-created</c> event with an id, unless told not to.</summary>
    private sealed class EventServer : IDisposable
    {
        private readonly EventStreamServer _server;
        private int _next;

        public EventServer(bool publishes = true, bool refusesLastEventId = false) =>
            _server = new EventStreamServer(context => ThingsAsync(context, publishes), context => RefuseAsync(context, refusesLastEventId));

        public int Port => _server.Port;

        public List<string> LastEventIds { get; } = [];

        public void Dispose() => _server.Dispose();

        private async Task<bool> ThingsAsync(HttpListenerContext context, bool publishes)
        {
            if (context.Request.Url!.AbsolutePath != "/things" || !EventStreamServer.SignedIn(context.Request))
            {
                return false;
            }

            var id = Interlocked.Increment(ref _next);
            if (publishes)
            {
                _server.Publish($"id: thing-{id}\nevent: thing-created\ndata: {{\"id\":{id}}}\n\n");
            }

            await EventStreamServer.WriteAsync(context.Response, 201, $"{{\"id\":{id}}}");
            return true;
        }

        /// <summary>Notes each reconnection's Last-Event-ID, and refuses it when told to.</summary>
        private async Task<bool> RefuseAsync(HttpListenerContext context, bool refusesLastEventId)
        {
            if (context.Request.Headers["Last-Event-ID"] is not { } last)
            {
                return false;
            }

            LastEventIds.Add(last);
            if (refusesLastEventId)
            {
                await EventStreamServer.WriteAsync(context.Response, 400, "{\"title\":\"no\"}");
            }

            return refusesLastEventId;
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

    [Fact]
    public void A_stream_opened_anonymously_is_said_to_open_without_the_credential_its_identity_sends_AG5033()
    {
        // ex11: a WebSocket authenticated by the session cookie "opened without a token".
        var session = Credentials.OfSession([new SessionCookie("sid", "s-1", "Lax", null)], []);
        var token = new Credentials([new("Authorization", "Bearer tok-1")], ["tok-1"]);
        var key = new Credentials([new("X-Api-Key", "k-1")], ["k-1"]);

        Assert.Equal("the session cookie", RealtimeCheck.Withheld(session));
        Assert.Equal("a token", RealtimeCheck.Withheld(token));
        Assert.Equal("the API key", RealtimeCheck.Withheld(key));
    }
}
