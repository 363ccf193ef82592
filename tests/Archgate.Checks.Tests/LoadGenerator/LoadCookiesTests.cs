using System.Buffers;
using System.Text;
using Archgate.Checks.Http;
using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Performance;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.LoadGenerator;

/// <summary>
/// Load against a cookie-session API (<see cref="CookieSessionApi"/>): each virtual user keeps the cookies answers set
/// and echoes the anti-CSRF cookie on writes, as a browser's page does, on every transport; the shared setup's login
/// session starts every user's jar.
/// </summary>
public sealed class LoadCookiesTests
{
    private const string Login = """{"email":"ann@example.test","password":"demo"}""";

    [Fact]
    public void A_jar_keeps_sets_forgets_deletions_and_echoes_the_anti_csrf_cookie_on_writes_only()
    {
        var jar = new LoadCookies();
        jar.Seed([new("sid", "s1")]);
        jar.Received.AddRange(["XSRF-TOKEN=t1; Path=/; SameSite=Lax", "theme=dark; Max-Age=60"]);
        jar.ApplyReceived();

        Assert.Empty(jar.Received);
        Assert.Equal("sid=s1; XSRF-TOKEN=t1; theme=dark", jar.Header);
        Assert.Equal([new("Cookie", "sid=s1; XSRF-TOKEN=t1; theme=dark")], jar.HeadersFor("GET", []));
        Assert.Equal([new("Cookie", "sid=s1; XSRF-TOKEN=t1; theme=dark"), new("X-XSRF-TOKEN", "t1")], jar.HeadersFor("POST", []));
        Assert.Equal([new("Cookie", "sid=s1; XSRF-TOKEN=t1; theme=dark")], jar.HeadersFor("DELETE", [new("x-xsrf-token", "mine")]));
        Assert.Empty(jar.HeadersFor("POST", [new("cookie", "sid=mine")]));

        jar.Received.AddRange(["sid=; Path=/; Max-Age=0", "theme=light"]);
        jar.ApplyReceived();

        Assert.Equal("XSRF-TOKEN=t1; theme=light", jar.Header);
    }

    [Fact]
    public void Encoded_bytes_are_reused_until_a_cookie_changes_and_the_same_value_set_again_changes_nothing()
    {
        var request = new CompiledRequest(new LoadRequest("POST", "/tasks") { Body = "{}"u8.ToArray() }, 0, new Uri("http://127.0.0.1:9/"));
        var jar = new LoadCookies();
        jar.Seed([new("sid", "s1")]);
        jar.KeepEncoded(request, [1]);

        jar.Received.Add("sid=s1; Path=/");
        jar.ApplyReceived();
        Assert.True(jar.TryEncoded(request, out _));

        jar.Received.Add("sid=s2; Path=/");
        jar.ApplyReceived();
        Assert.False(jar.TryEncoded(request, out _));
    }

    [Fact]
    public void The_parser_hands_over_set_cookie_values_of_the_final_answer_only()
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var cookies = new List<string>();
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 103 Early Hints\r\nSet-Cookie: early=1\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: sid=a; HttpOnly\r\nset-cookie: XSRF-TOKEN=b\r\nContent-Length: 0\r\n\r\n");

        var status = parser.Parse(bytes, out _, new ArrayBufferWriter<byte>(), null, cookies);

        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(["sid=a; HttpOnly", "XSRF-TOKEN=b"], cookies);
    }

    [Theory]
    [InlineData(LoadTransport.RawHttp1, false)]
    [InlineData(LoadTransport.RawHttp1, true)]
    [InlineData(LoadTransport.HttpClient, false)]
    public async Task Each_user_signs_in_once_and_its_reads_and_writes_carry_its_own_session(LoadTransport transport, bool portableSockets)
    {
        using var api = new CookieSessionApi();
        var login = new LoadRequest("POST", "/auth/login") { Headers = [new("Content-Type", "application/json")], Body = Encoding.UTF8.GetBytes(Login) };
        var plan = new LoadPlan(api.Url, [
            new LoadJourney("tasks", [new LoadRequest("GET", "/me"), new LoadRequest("POST", "/tasks") { Headers = [new("Content-Type", "application/json")], Body = """{"title":"x"}"""u8.ToArray() }])
            {
                Setup = [login],
            },
        ])
        {
            // Long enough for a cold client's first sign-in on a busy machine; the assertions are counts, not speed.
            Stages = LoadProfiles.Constant(3, TimeSpan.FromSeconds(2)),
            Transport = transport,
            PortableSockets = portableSockets,
            GracefulStop = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };

        var result = await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(30));

        var me = result.Routes.Single(r => r.Route == "GET /me").Metrics;
        var tasks = result.Routes.Single(r => r.Route == "POST /tasks").Metrics;
        Assert.True(me.Requests > 0 && tasks.Requests > 0, $"{me.Requests} reads, {tasks.Requests} writes");
        Assert.Equal(0, me.Errors.Total + tasks.Errors.Total);
        Assert.Equal(3, api.Sessions);
        var sids = api.Requests.Where(r => r.PathAndQuery == "/me").Select(r => r.Headers.GetValueOrDefault("Cookie")).Distinct().ToList();
        Assert.Equal(3, sids.Count);
    }

    [Fact]
    public async Task Step_8_loads_a_cookie_session_api_signed_in_once_by_the_shared_setup()
    {
        using var api = new CookieSessionApi();
        var folder = Frontend.AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, """
            slo: { api: { p95: 10s } }
            load:
              target: api
              warmup: 0s
              thinkTime: 20ms
              setup: [ { login: ann } ]
              journeys:
                - name: tasks
                  steps:
                    - GET /me
                    - { request: POST /tasks, json: { title: x } }
              stages: [ { users: 2, duration: 1s } ]
            """), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "load:api");

        var result = await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Equal(1, api.Sessions);
        var writes = api.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/tasks").ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.False(string.IsNullOrEmpty(w.Headers.GetValueOrDefault("X-XSRF-TOKEN"))));
    }
}
