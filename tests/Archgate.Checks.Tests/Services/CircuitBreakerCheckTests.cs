using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Faults;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

public sealed class CircuitBreakerCheckTests
{
    private static readonly CircuitBreakerOptions Quick = new()
    {
        DriveEvery = TimeSpan.FromMilliseconds(500),
        OpenWait = TimeSpan.FromSeconds(3),
        SampleEvery = TimeSpan.FromMilliseconds(100),
        ThresholdWait = TimeSpan.FromSeconds(10),
        RecoveryGrace = TimeSpan.FromSeconds(10),
    };

    private static async Task<(CheckResult Result, FaultProxy Proxy)> RunAsync(
        bool breaker, bool fallback = true, bool proxied = true, string fallbackStatus = "", int? opensAfter = null, CircuitBreakerOptions? options = null, bool via = false)
    {
        using var dependency = new EchoHttpServer();
        await using var edges = new EdgeProxies();
        var address = edges.Open("api", "payments", new Uri($"http://127.0.0.1:{dependency.Port}"));
        using var caller = new FakeCaller(address, breaker, failures: 3, TimeSpan.FromSeconds(3), fallback, opensAfter);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:{{dependency.Port}}" }
              - { name: api, kind: service, url: "{{(via ? "http://127.0.0.1:9" : $"http://127.0.0.1:{caller.Port}")}}", dependsOn: [payments] }
              - { name: front, kind: service, url: "http://127.0.0.1:{{caller.Port}}", dependsOn: [api] }
            edges:
              - from: api
                to: payments
                calls: /payments
                breaker: { failures: 3, breakDuration: 3s }
                drive: { request: POST /orders, json: { items: [1] }{{(via ? ", via: front" : "")}} }
                {{fallbackStatus}}
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = proxied ? edges : null };
        var check = new CircuitBreakerCheck(system.Edges[0], system.Find<Archgate.Model.HttpComponent>("api")!, options ?? Quick);
        var result = await check.RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        return (result, edges.Find(new Edge("api", "payments"))!);
    }

    /// <summary>
    /// The edge behind a Toxiproxy server (a fake of its API whose data plane is Archgate's own proxy, handed to no check):
    /// the check sees only Toxiproxy, and judges the caller's breaker by its answers' latency.
    /// </summary>
    private static async Task<(CheckResult Result, FakeToxiproxy Toxiproxy)> RunOnToxiproxyAsync(bool breaker)
    {
        using var dependency = new EchoHttpServer();
        await using var dataPlane = new EdgeProxies();
        var address = dataPlane.Open("api", "payments", new Uri($"http://127.0.0.1:{dependency.Port}"));
        var proxy = dataPlane.Find(new Edge("api", "payments"))!;
        IDisposable? held = null;
        var fake = new FakeToxiproxy(toxics =>
        {
            var timeout = toxics.Any(t => t["type"]?.GetValue<string>() == "timeout");
            if (timeout && held is null)
            {
                held = proxy.Add(new BlackholeToxic());
            }
            else if (!timeout && held is not null)
            {
                held.Dispose();
                held = null;
            }
        });
        using var toxiproxy = new ScriptedHttpServer(fake.Answer);
        using var caller = new SyncCaller(address, breaker, TimeSpan.FromSeconds(2));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            toxiproxy: { api: "http://127.0.0.1:{{toxiproxy.Port}}" }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:{{dependency.Port}}" }
              - { name: api, kind: service, url: "http://127.0.0.1:{{caller.Port}}", dependsOn: [payments] }
            edges:
              - from: api
                to: payments
                toxiproxy: shop_payments
                breaker: { failures: 3, breakDuration: 2s, timeout: 500ms }
                drive: { request: GET /quote }
                fallback: { status: [503] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http);
        var result = await new CircuitBreakerCheck(system.Edges[0], system.Find<Archgate.Model.HttpComponent>("api")!, Quick).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        held?.Dispose();
        return (result, fake);
    }

    [Fact]
    public async Task On_a_toxiproxy_edge_a_breaker_is_proven_by_fast_answers_after_the_slow_ones_and_the_normal_answer_after_the_fault()
    {
        var (result, toxiproxy) = await RunOnToxiproxyAsync(breaker: true);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4014", finding.Rule);
        Assert.Contains("timeout toxic (timeout 0", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("GET /quote → 503 in", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("(slow)", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("answers as before: GET /quote → 200", finding.Evidence, StringComparison.Ordinal);
        Assert.InRange(result.Metrics.Single(m => m.Name == "breaker_slow_answers").Value, 3, 9);
        Assert.Equal(ToxiproxyBreakerProbe.FastNeeded, result.Metrics.Single(m => m.Name == "breaker_fast_answers_after_open").Value);
        Assert.Empty(toxiproxy.Toxics); // the toxic is gone
    }

    [Fact]
    public async Task On_a_toxiproxy_edge_a_caller_without_a_breaker_waits_its_timeout_every_time_and_fails_the_check()
    {
        var (result, toxiproxy) = await RunOnToxiproxyAsync(breaker: false);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == "AG4010");
        Assert.Contains("kept waiting on payments", finding.Message, StringComparison.Ordinal);
        Assert.Contains("no fail-fast", finding.Message, StringComparison.Ordinal);
        Assert.Equal(3 + ToxiproxyBreakerProbe.ExtraDrives + ToxiproxyBreakerProbe.FastNeeded, result.Metrics.Single(m => m.Name == "breaker_slow_answers").Value);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG4011"); // 503 within its timeout is its fallback
        Assert.Empty(toxiproxy.Toxics);
    }

    [Fact]
    public async Task A_breaker_that_opens_falls_back_and_closes_passes_with_its_timeline()
    {
        var (result, proxy) = await RunAsync(breaker: true);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4014", finding.Rule);
        Assert.Contains("threshold reached", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("calls succeed again", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(0, result.Metrics.Single(m => m.Name == "breaker_calls_after_threshold").Value);
        Assert.Empty(proxy.Toxics); // the fault is gone
    }

    [Fact]
    public async Task A_drive_via_another_component_is_sent_there()
    {
        // api's own url answers nothing: only a drive sent to 'front' (the caller's real address here) reaches it.
        var (result, _) = await RunAsync(breaker: true, via: true);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("AG4014", Assert.Single(result.Findings).Rule);
    }

    [Fact]
    public async Task A_short_break_of_a_caller_that_calls_within_each_request_is_proven_at_the_default_drive_pace()
    {
        // Each drive makes one call at once, so a window begins just after a drive. A 3 s break leaves a 1.5 s quiet
        // window, which drives 1 s apart (the default) never fill twice: a working breaker read as "no fail-fast",
        // with the calls of the whole 11.5 s quoted as "in every 1.5 s". The check now drives at a third of the window.
        using var dependency = new EchoHttpServer();
        await using var edges = new EdgeProxies();
        var address = edges.Open("api", "prices", new Uri($"http://127.0.0.1:{dependency.Port}"));
        using var caller = new SyncCaller(address, breaker: true, TimeSpan.FromSeconds(3));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: prices, kind: service, url: "http://127.0.0.1:{{dependency.Port}}" }
              - { name: api, kind: service, url: "http://127.0.0.1:{{caller.Port}}", dependsOn: [prices] }
            edges:
              - from: api
                to: prices
                calls: /price
                breaker: { failures: 3, breakDuration: 3s }
                drive: { request: GET /quote }
                fallback: { status: [503] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges };
        var options = new CircuitBreakerOptions { ThresholdWait = TimeSpan.FromSeconds(10) }; // the defaults: drives 1 s apart, 10 s to open
        var check = new CircuitBreakerCheck(system.Edges[0], system.Find<Archgate.Model.HttpComponent>("api")!, options);

        var result = await check.RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")));
        var works = Assert.Single(result.Findings, f => f.Rule == "AG4014");
        Assert.True(works.Evidence!.Contains("breaker open: 0 call(s)", StringComparison.Ordinal), works.Evidence);
    }

    [Fact]
    public async Task Without_a_breaker_calls_keep_reaching_the_dependency_and_the_check_fails_with_the_timeline()
    {
        var (result, proxy) = await RunAsync(breaker: false);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == "AG4010");
        Assert.Contains("no fail-fast", finding.Message, StringComparison.Ordinal);
        Assert.Contains("calls at the proxy (cumulative)", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("POST /orders → 202", finding.Evidence, StringComparison.Ordinal);
        Assert.True(result.Metrics.Single(m => m.Name == "breaker_calls_after_threshold").Value > 1);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG4012"); // it recovers: calls go through again
        Assert.Empty(proxy.Toxics);
    }

    [Fact]
    public async Task A_breaker_that_needs_more_failures_than_declared_still_proves_fail_fast_once_it_opens()
    {
        // The caller's breaker opens after 12 failures, the manifest says 3: the calls between are not a lack of fail-fast.
        // Driven every 500 ms, it opens 9 drives (4.5 s) after the threshold, later on a loaded machine, where the quick
        // options' 3 s wait for it to open (plus a 1.5 s quiet window) once ran out first: this case waits up to 15 s.
        var (result, _) = await RunAsync(breaker: true, opensAfter: 12, options: Quick with { OpenWait = TimeSpan.FromSeconds(15) });

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")));
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4014", finding.Rule);
        Assert.True(finding.Evidence!.Contains("breaker open: ", StringComparison.Ordinal), finding.Evidence);
        Assert.InRange(result.Metrics.Single(m => m.Name == "breaker_calls_after_threshold").Value, 0, 1);
    }

    [Fact]
    public async Task A_5xx_instead_of_the_fallback_is_a_finding()
    {
        var (result, _) = await RunAsync(breaker: true, fallback: false);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == "AG4011" && f.Message.Contains("500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_declared_fallback_status_is_what_counts()
    {
        var (result, _) = await RunAsync(breaker: true, fallbackStatus: "fallback: { status: [200] }");

        Assert.Contains(result.Findings, f => f.Rule == "AG4011" && f.Message.Contains("declared fallback (200)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_archgate_proxy_on_the_edge_it_is_skipped_with_the_reason()
    {
        var (result, proxy) = await RunAsync(breaker: true, proxied: false);

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("${url:payments}", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, proxy.Counters.RequestCount);
    }
}
