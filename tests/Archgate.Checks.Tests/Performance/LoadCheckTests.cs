using System.Diagnostics;
using Archgate.Checks.Http;
using Archgate.Checks.Performance;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Performance;

/// <summary>The step 8 check against a real HTTP server on 127.0.0.1.</summary>
public sealed class LoadCheckTests
{
    private static Model.SystemModel System(int port, string extra = "", string stage = "1s") => TestSystems.Load($$"""
        version: 1
        system: { name: tiny }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:{{port}}", health: /health }
        load:
          thinkTime: 20ms
          warmup: 0s
          requests: [GET /items]
          stages:
            - { users: 2, duration: {{stage}} }
            - { users: 4, duration: {{stage}} }
        {{extra}}
        """);

    [Fact]
    public async Task A_healthy_target_passes_with_metrics_per_route_and_stage()
    {
        using var server = new TinyHttpServer(200, "[]");
        // A target that answers at once is healthy however busy the machine: the SLO leaves the latency out of the verdict
        // (the default 200 ms p95 was missed once, 295 ms, beside a CI run); the figures are asserted as evidence below.
        var system = System(server.Port, "slo: { api: { p95: 10s } }");
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8);

        var result = await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal("load:api", check.Id);
        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => f.Message)));
        var count = result.Metrics.Single(m => m.ToString() == "http_reqs{component=api,route=GET /items,stat=count}").Value;
        Assert.Equal(server.Requests, count);
        Assert.Contains(result.Metrics, m => m.ToString() == "http_req_duration{component=api,route=GET /items,stage=stress,stat=p99}");
        Assert.Contains(result.Findings, f => f.Rule == "AG8010");
        var summary = Assert.Single(result.Findings, f => f.Rule == "AG8009");
        Assert.StartsWith($"{count} requests in ", summary.Message, StringComparison.Ordinal);
        Assert.Contains("2 users (baseline) p95", summary.Message, StringComparison.Ordinal);
        Assert.Contains($"GET /items: {count} requests", summary.Evidence, StringComparison.Ordinal);
        var timeline = result.Metrics.Where(m => m.Name == "http_reqs_timeline").ToList();
        Assert.NotEmpty(timeline); // throughput over time, one point a second
        Assert.All(timeline, m => Assert.Contains(m.Tags["stage"], new[] { "baseline", "stress" }));
        Assert.Equal(timeline.Select(m => int.Parse(m.Tags["t"], global::System.Globalization.CultureInfo.InvariantCulture)).Order(), timeline.Select(m => int.Parse(m.Tags["t"], global::System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task An_SLO_of_a_service_that_is_not_loaded_is_named_as_not_judged_not_taken_as_met()
    {
        // slo.auth's p95 was ignored with no word, and "Performance SLOs met" passed.
        using var server = new TinyHttpServer(200, "[]");
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: tiny }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{server.Port}}", health: /health }
              - { name: auth, kind: service, url: "http://127.0.0.1:{{server.Port}}/auth" }
              - { name: db, kind: database, connection: "Data Source=x.db" }
            slo: { api: { p95: 10s }, auth: { p95: 300ms, errorRate: 0.5% }, db: { p95: 50ms } }
            load:
              target: api
              thinkTime: 20ms
              warmup: 0s
              requests: [GET /items]
              stages: [ { users: 2, duration: 1s } ]
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8 && c.Id == "load:api").RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var finding = Assert.Single(result.Findings, f => f.Rule == "AG8015");
        Assert.Equal((Severity.Low, "auth", "slo.auth"), (finding.Severity, finding.Component, finding.Location));
        Assert.Equal("slo.auth (p95 300 ms, errorRate 0.5%) was not judged: step 8 loads api only", finding.Message);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task Errors_fail_the_check_by_cause_and_abort_on_fail_stops_the_load_early()
    {
        using var server = new TinyHttpServer(503, """{"title":"pool exhausted"}""");
        var system = System(server.Port, """
              thresholds:
                http_req_failed: [ { threshold: "rate<0.5", abortOnFail: true } ]
            """, stage: "15s");
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8);
        var watch = Stopwatch.StartNew();

        var result = await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == "AG8002" && f.Message == "all routes error rate 100 % > 1 %");
        Assert.Contains(result.Findings, f => f.Rule == "AG8006" && f.Message.Contains("http_req_failed: rate<0.5", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == "AG8012" && f.Message.Contains("5xx", StringComparison.Ordinal));
        // Judged every second: it stops after about one, far from the 30 s the stages would take (15 s leaves a starved
        // machine room and still tells a stop from a full run).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {watch.Elapsed}");
    }

    [Fact]
    public async Task A_target_that_never_answers_fails_with_its_requests_counted_as_timeouts_and_no_successful_requests()
    {
        using var server = new StallingServer(Stall.Silent);
        var system = System(server.Port);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        // Default 10 s request timeout, 2 x 1 s stages: every request is still in flight at the stop.
        Assert.True(result.Status == CheckStatus.Fail, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Message}")));
        Assert.Contains(result.Findings, f => f.Rule == "AG8002" && f.Message == "all routes error rate 100 % > 1 %");
        var noData = Assert.Single(result.Findings, f => f.Rule == "AG8004");
        Assert.Equal(Severity.High, noData.Severity);
        Assert.Contains("no successful requests", noData.Message, StringComparison.Ordinal);
        var timeouts = result.Metrics.Single(m => m.ToString() == "http_req_errors{component=api,cause=timeout}").Value;
        Assert.True(timeouts >= 2, $"{timeouts} timeouts");
        Assert.Equal(timeouts, result.Metrics.Single(m => m.ToString() == "http_reqs{component=api,stat=count}").Value);
    }

    [Theory]
    [InlineData(Stall.TrickleBody)]
    [InlineData(Stall.TrickleHeaders)]
    public async Task A_target_that_trickles_its_answers_fails_on_the_manifests_request_timeout(Stall stall)
    {
        using var server = new StallingServer(stall);
        var system = System(server.Port, "  requestTimeout: 300ms");
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(TimeSpan.FromMilliseconds(300), system.Load.RequestTimeout);
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == "AG8004" && f.Message.Contains("no successful requests", StringComparison.Ordinal));
        var timeouts = result.Metrics.Single(m => m.ToString() == "http_req_errors{component=api,cause=timeout}").Value;
        Assert.Equal(timeouts, result.Metrics.Single(m => m.ToString() == "http_reqs{component=api,stat=count}").Value);
        // At most 4 users: more than 4 timeouts means requests timed out during the run, not only at the stop.
        Assert.True(timeouts > 4, $"{timeouts} timeouts: more than one per user, so not only at the stop");
    }

    [Fact]
    public async Task A_capture_that_finds_nothing_is_reported_as_itself_and_the_requests_after_it_are_not_sent()
    {
        // The service answers {"orderId": ...}, the manifest captures 'id': GET /orders/{order} went out unfilled, and the
        // report said only "GET /orders/{order}: 100 % errors".
        var gets = 0;
        using var server = new LocalHttpServer(context =>
        {
            if (context.Request.HttpMethod == "POST")
            {
                return LocalHttpServer.WriteAsync(context, 201, """{"orderId":7,"status":"placed"}"""u8.ToArray(), "application/json");
            }

            Interlocked.Increment(ref gets);
            return LocalHttpServer.WriteAsync(context, 200, "{}"u8.ToArray(), "application/json");
        });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: tiny }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{server.Port}}", health: /health }
            slo: { api: { p95: 10s } }
            load:
              thinkTime: 20ms
              warmup: 0s
              journeys:
                - name: buy
                  steps:
                    - request: POST /orders
                      json: { sku: MUG-001 }
                      capture: { order: id }
                    - GET /orders/{order}
              stages: [ { users: 2, duration: 1s } ]
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var posts = result.Metrics.Single(m => m.ToString() == "http_reqs{component=api,route=POST /orders,stat=count}").Value;
        Assert.True(posts >= 1, "no order was placed");
        Assert.Equal(0, Volatile.Read(ref gets));
        Assert.DoesNotContain(result.Metrics, m => m.Tags.GetValueOrDefault("route") == "GET /orders/{order}" && m.Name == "http_reqs");
        var miss = Assert.Single(result.Findings, f => f.Rule == "AG8016");
        Assert.Equal((Severity.High, "journey 'buy' step 1: POST /orders"), (miss.Severity, miss.Location));
        Assert.Equal(
            $"capture 'order' (JSON property 'id') of POST /orders (journey 'buy', step 1) found nothing in {posts} iterations ({posts} answered without it, 0 after a failed request); those iterations stopped there and did not send GET /orders/{{order}}",
            miss.Message);
        Assert.Equal("""sample answer: status 201, body: {"orderId":7,"status":"placed"}""", miss.Evidence);
        Assert.Equal(posts, result.Metrics.Single(m => m.Name == "capture_misses").Value);
        // The route that was never sent has no data; its finding names the capture as the cause.
        var noData = Assert.Single(result.Findings, f => f.Rule == "AG8004" && f.Location == "GET /orders/{order}");
        Assert.Contains($"not sent in {posts} iterations: capture 'order' (JSON property 'id') of POST /orders (journey 'buy', step 1) found nothing (AG8016)", noData.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task A_target_that_refuses_connections_is_reported_as_not_reachable()
    {
        var system = System(FreePort.Next());
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Step == 8).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG8005", finding.Rule);
        Assert.Contains("is not reachable", finding.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A stand-in for 'archgate agent' speaking its protocol: reads the shared variables, says ready (after 5 s when
    /// its first argument is 'slow'), waits for the go, then reports an empty segment (or hangs when it is 'hang').
    /// </summary>
    private const string FakeAgent = """
        read -r shared
        [ "$1" = slow ] && sleep 5
        echo '{"type":"ready"}'
        read -r go
        [ "$1" = hang ] && sleep 60
        echo '{"type":"done","target":"http://127.0.0.1/","iterations":0,"interrupted":0,"peakConcurrency":0,"transport":"Auto","abortReason":null}'
        """;

    [Theory]
    [InlineData("slow", false)]
    [InlineData("hang", true)]
    public async Task Agents_are_bounded_by_the_stages_and_grace_from_their_go_not_from_their_start(string mode, bool bounded)
    {
        var script = Path.Combine(Path.GetTempPath(), $"archgate-fake-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, FakeAgent);
        try
        {
            var system = System(FreePort.Next(), stage: "500ms");
            using var http = ProbeHttp.CreateClient(system.AllowedHosts);
            // Stages 1 s plus 2 s of grace: a slow start-up (5 s, as three agents took on a starved machine) must not
            // count, and an agent that never finishes must still be stopped soon after the stages.
            var check = new LoadCheck(system.Find<Model.HttpComponent>("api")!, new LoadCheckOptions { Agents = 2, AgentCommand = ["bash", script, mode], Grace = TimeSpan.FromSeconds(2) });
            var watch = Stopwatch.StartNew();

            var result = await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);

            var notFinished = result.Findings.Where(f => f.Rule == "AG8005" && f.Message.Contains("did not finish within its stages plus 2 s", StringComparison.Ordinal));
            Assert.True(bounded == notFinished.Any(), $"{mode}: " + string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(50), $"the hanging agents were not stopped: {watch.Elapsed}"); // they sleep 60 s
        }
        finally
        {
            File.Delete(script);
        }
    }
}
