using System.Collections.Concurrent;
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

    /// <summary>
    /// Things owned by whoever writes them, as tenants' objects (ex12's claims): <c>POST /things</c> answers
    /// <c>Location: /things/ID</c>, <c>GET /things/ID</c> answers 200 to its owner (to anyone when <paramref name="shared"/>)
    /// and 404 to others. The write's event goes to every open stream, or only to the owner's when <paramref name="toOwnerOnly"/>.
    /// </summary>
    private sealed class TenantServer(bool toOwnerOnly, bool shared = false) : IDisposable
    {
        private readonly ConcurrentDictionary<int, string> _owners = new();
        private EventStreamServer? _server;
        private int _next;

        public int Port => Server.Port;

        public ConcurrentQueue<string> Reads { get; } = new();

        private EventStreamServer Server => _server ??= new EventStreamServer(HandleAsync);

        public void Dispose() => _server?.Dispose();

        private async Task<bool> HandleAsync(HttpListenerContext context)
        {
            var path = context.Request.Url!.AbsolutePath;
            if (EventStreamServer.User(context.Request) is not { } user)
            {
                return false;
            }

            if (context.Request.HttpMethod == "POST" && path == "/things")
            {
                var id = Interlocked.Increment(ref _next);
                _owners[id] = user;
                Server.Publish($"id: thing-{id}\nevent: thing-created\ndata: {{\"id\":{id},\"title\":\"{user}'s secret trip\"}}\n\n", toOwnerOnly ? u => u == user : null);
                context.Response.AddHeader("Location", $"/things/{id}");
                await EventStreamServer.WriteAsync(context.Response, 201, $"{{\"id\":{id}}}");
                return true;
            }

            if (context.Request.HttpMethod == "GET" && path.StartsWith("/things/", StringComparison.Ordinal)
                && int.TryParse(path["/things/".Length..], System.Globalization.CultureInfo.InvariantCulture, out var thing) && _owners.TryGetValue(thing, out var owner))
            {
                Reads.Enqueue($"{user} GET {path}");
                var allowed = shared || owner == user;
                await EventStreamServer.WriteAsync(context.Response, allowed ? 200 : 404, allowed ? $"{{\"id\":{thing}}}" : "{\"title\":\"not found\"}");
                return true;
            }

            return false;
        }
    }

    private static async Task<CheckResult> RunTenantAsync(TenantServer server)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            auth:
              ann: { login: POST /auth/login, user: ann, password: demo }
              ben: { login: POST /auth/login, user: ben, password: demo }
            security: { identities: [ann, ben] }
            components:
              - name: api
                kind: service
                url: "http://127.0.0.1:{{server.Port}}"
                auth: ann
                realtime:
                  - { sse: /events, tokenQuery: access_token, event: thing-created, within: 2s, trigger: { request: POST /things, json: { name: x } } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var api = system.Find<Archgate.Model.ServiceComponent>("api")!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new RealtimeCheck(api, api.Realtime[0]).RunAsync(TestSystems.Context(system, http), cancel.Token);
    }

    [Fact]
    public async Task An_event_about_anns_object_on_bens_stream_while_ben_cannot_read_it_fails_AG5034_with_the_event_and_the_read()
    {
        // ex12's sse-leak: ben's (another tenant's) stream received the event about ann's claim.
        using var server = new TenantServer(toOwnerOnly: false);

        var result = await RunTenantAsync(server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var leak = Assert.Single(result.Findings, f => f.Rule == FrontendRules.StreamLeak);
        Assert.Equal(Severity.High, leak.Severity);
        Assert.StartsWith("the stream of 'ben' carried a 'thing-created' event about /things/1, which 'ann' wrote and 'ben' may not read (GET /things/1 as 'ben': 404)", leak.Message, StringComparison.Ordinal);
        Assert.Contains("data: {\"id\":1,\"title\":\"ann's secret trip\"}", leak.Evidence, StringComparison.Ordinal);
        Assert.Contains("then GET /things/1 as 'ben': answered 404", leak.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-", leak.Evidence, StringComparison.Ordinal);
        Assert.Equal(["ben GET /things/1"], server.Reads);
        Assert.Equal(FrontendRules.StreamLeak, Assert.Single(result.Findings).Rule); // the owner's own checks pass
    }

    [Fact]
    public async Task A_stream_that_sends_each_event_only_to_its_owner_passes_and_says_the_second_identity_saw_nothing_AG5035()
    {
        using var server = new TenantServer(toOwnerOnly: true);

        var result = await RunTenantAsync(server);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var seen = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.StreamIsolationSeen, Severity.Info), (seen.Rule, seen.Severity));
        Assert.Equal("the stream of 'ben' carried no event about /things/1 within 2 s of the write as 'ann'", seen.Message);
        Assert.Empty(server.Reads);
    }

    [Fact]
    public async Task An_event_about_an_object_the_second_identity_may_read_is_a_shared_object_not_a_leak()
    {
        using var server = new TenantServer(toOwnerOnly: false, shared: true);

        var result = await RunTenantAsync(server);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var seen = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.StreamIsolationSeen, seen.Rule);
        Assert.Equal("the stream of 'ben' carried an event about /things/1, and 'ben' may read it (GET 200): a shared object", seen.Message);
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
        Assert.Empty(result.Findings); // no second identity: isolation is not mentioned
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
