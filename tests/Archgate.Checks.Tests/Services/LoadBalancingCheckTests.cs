using System.Net;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

/// <summary>
/// A caller that balances <c>POST /orders</c> over two instances, each behind its own Archgate proxy, the way a client-side
/// balancer does: in turn, sticking to one instance most of the time, or to the instance with the fewest calls in flight.
/// </summary>
public sealed class LoadBalancingCheckTests
{
    /// <param name="policy">The declared policy.</param>
    /// <param name="callerMode">How the caller picks: round-robin, sticky, least-connections, or failover (round-robin,
    /// and a call that the instance answers 5xx goes to the next one, as a resilient client does).</param>
    /// <param name="p1Failures">How many of p1's first calls it answers 503 (-1: all).</param>
    private static async Task<CheckResult> RunAsync(string policy, string callerMode, int p1Failures = 0)
    {
        var p1Calls = 0;
        using var p1 = new LocalHttpServer(context =>
        {
            var n = Interlocked.Increment(ref p1Calls);
            var sick = p1Failures < 0 || n <= p1Failures;
            return LocalHttpServer.WriteAsync(context, sick ? 503 : 200, "{}"u8.ToArray(), "application/json");
        }, concurrent: true);
        using var p2 = new TinyHttpServer(200, "{}");
        await using var edges = new EdgeProxies();
        var urls = new[] { edges.Open("api", "p1", new Uri($"http://127.0.0.1:{p1.Port}")), edges.Open("api", "p2", new Uri($"http://127.0.0.1:{p2.Port}")) };
        using var caller = new BalancingCaller(urls, callerMode);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: p1, kind: service, url: "http://127.0.0.1:{{p1.Port}}" }
              - { name: p2, kind: service, url: "http://127.0.0.1:{{p2.Port}}" }
              - name: api
                kind: service
                url: "{{caller.Url}}"
                dependsOn: [p1, p2]
                run: { command: caller, workdir: ., env: { P1: "${url:p1}", P2: "${url:p2}" }, ready: { tcp: 1 } }
            balancing:
              - { from: api, to: [p1, p2], policy: {{policy}}, drive: { request: POST /orders }, calls: /payments, requests: 40, concurrency: 4 }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = Assert.IsType<LoadBalancingCheck>(ArchgateProtocol.ChecksFor(system).Single(c => c.Id.StartsWith("services.balancing:", StringComparison.Ordinal)));
        return await check.RunAsync(TestSystems.Context(system, http) with { Edges = edges }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
    }

    private static double Count(CheckResult result, string instance) =>
        result.Metrics.Single(m => m.Name == "balanced_calls" && m.Tags["component"] == instance).Value;

    [Fact]
    public async Task Round_robin_spread_evenly_passes_with_the_counts_per_instance()
    {
        var result = await RunAsync("round-robin", "round-robin");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        Assert.Equal("AG4088", Assert.Single(result.Findings).Rule);
        Assert.Equal(20, Count(result, "p1"));
        Assert.Equal(20, Count(result, "p2"));
        Assert.Contains("p1: 20, p2: 20 of 40 call(s)", result.Findings[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_that_sticks_to_one_instance_fails_round_robin_naming_the_counts()
    {
        var result = await RunAsync("round-robin", "sticky");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4085", finding.Rule);
        Assert.Contains("p1 got 32, p2 got 8 where an equal share is 20", finding.Message, StringComparison.Ordinal);
        Assert.Contains("round 2 of 2", finding.Evidence, StringComparison.Ordinal); // uneven in both rounds, and no instance failed a call
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task An_uneven_round_while_an_instance_failed_calls_is_taken_again_and_passes_once_it_is_healthy()
    {
        // p1 answers its first 10 calls 503: the caller sends those to p2 too, so the first round is 20 / 30.
        var result = await RunAsync("round-robin", "failover", p1Failures: 10);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4088", finding.Rule);
        Assert.Contains("p1: 20, p2: 20 of 40 call(s)", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("round 2 of 2 (the first was uneven)", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instance_that_fails_every_round_leaves_round_robin_not_judged_as_a_warning_not_a_high_finding()
    {
        var result = await RunAsync("round-robin", "failover", p1Failures: -1);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("AG4085", Severity.Medium), (finding.Rule, finding.Severity));
        Assert.Contains("round-robin not judged: p1 got 20, p2 got 40 where an equal share is 30", finding.Message, StringComparison.Ordinal);
        Assert.Contains("p1 failed 20: unanswered or 5xx", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task Least_connections_sends_fewer_calls_to_the_slowed_instance_and_round_robin_does_not()
    {
        var least = await RunAsync("least-connections", "least-connections");
        var blind = await RunAsync("least-connections", "round-robin");

        Assert.Equal("AG4088", Assert.Single(least.Findings).Rule);
        Assert.True(Count(least, "p1") < Count(least, "p2"), least.Findings[0].Evidence);
        Assert.Equal("AG4086", Assert.Single(blind.Findings).Rule);
        Assert.Contains("p1, slowed by 300 ms, got 20 calls, not fewer than the fastest's 20", blind.Findings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_wants_two_proxied_instances_and_a_known_policy()
    {
        var errors = Archgate.Manifest.ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - { name: p1, kind: service, url: "http://127.0.0.1:2" }
              - { name: p2, kind: service, url: "http://127.0.0.1:3" }
              - { name: api, kind: service, url: "http://127.0.0.1:1", dependsOn: [p1, p2], run: { command: c, workdir: ., env: { P1: "${url:p1}" }, ready: { tcp: 1 } } }
            balancing:
              - { from: api, to: [p1, p2], policy: random, drive: { request: POST /orders } }
              - { from: api, to: [p1], policy: round-robin, drive: { request: POST /orders, via: web } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("balancing[0].to", StringComparison.Ordinal) && e.Contains("does not reach 'p2' through ${url:p2}", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("balancing[0].policy", StringComparison.Ordinal) && e.Contains("unknown policy 'random'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("balancing[1].to", StringComparison.Ordinal) && e.Contains("at least two instances", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("balancing[1].drive.via", StringComparison.Ordinal) && e.Contains("unknown component 'web'", StringComparison.Ordinal));
    }

    /// <summary>POST /orders calls one instance's POST /payments (synchronously) and answers 201.</summary>
    private sealed class BalancingCaller : IDisposable
    {
        private readonly LocalHttpServer _server;
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
        private readonly int[] _inFlight;
        private readonly Lock _gate = new();
        private int _next;

        public BalancingCaller(Uri[] instances, string mode)
        {
            _inFlight = new int[instances.Length];
            _server = new LocalHttpServer(async context =>
            {
                int pick;
                lock (_gate)
                {
                    var n = _next++;
                    pick = mode switch
                    {
                        "sticky" => n % 5 == 4 ? 1 : 0,
                        "least-connections" => Array.IndexOf(_inFlight, _inFlight.Min()),
                        _ => n % instances.Length,
                    };
                    _inFlight[pick]++;
                }

                try
                {
                    using var response = await _http.PostAsync(new Uri(instances[pick], "/payments"), new StringContent("{}"));
                    if (mode == "failover" && (int)response.StatusCode >= 500)
                    {
                        using var next = await _http.PostAsync(new Uri(instances[(pick + 1) % instances.Length], "/payments"), new StringContent("{}"));
                    }
                }
                finally
                {
                    lock (_gate)
                    {
                        _inFlight[pick]--;
                    }
                }

                await LocalHttpServer.WriteAsync(context, (int)HttpStatusCode.Created, "{}"u8.ToArray(), "application/json");
            }, concurrent: true);
        }

        public Uri Url => _server.Url;

        public void Dispose()
        {
            _server.Dispose();
            _http.Dispose();
        }
    }
}
