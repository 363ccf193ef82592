using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Faults;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Services;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

public sealed class CascadeCheckTests
{
    private static readonly CascadeOptions Quick = new() { Settle = TimeSpan.FromMilliseconds(300), RecoveryWait = TimeSpan.FromSeconds(20) };

    /// <summary>payments ← s1 (through a proxy) ← s2 ← s3 ← s4: each health asks the next one's.</summary>
    private static async Task<(CheckResult Result, FaultProxy Proxy)> RunAsync(bool isolated)
    {
        using var payments = new ChainService(null);
        await using var edges = new EdgeProxies();
        using var s1 = new ChainService(edges.Open("s1", "payments", payments.Url), "payments", isolated);
        using var s2 = new ChainService(s1.Url, "s1");
        using var s3 = new ChainService(s2.Url, "s2");
        using var s4 = new ChainService(s3.Url, "s3");
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "{{payments.Url}}", health: /health }
              - { name: s1, kind: service, url: "{{s1.Url}}", health: /health, dependsOn: [payments] }
              - { name: s2, kind: service, url: "{{s2.Url}}", health: /health, dependsOn: [s1] }
              - { name: s3, kind: service, url: "{{s3.Url}}", health: /health, dependsOn: [s2] }
              - { name: s4, kind: frontend, url: "{{s4.Url}}", health: /health, dependsOn: [s3] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges };
        var result = await new CascadeCheck(Quick).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        return (result, edges.Find(new Edge("s1", "payments"))!);
    }

    [Fact]
    public async Task Four_dependants_failing_with_the_dependency_are_each_traced_to_it_and_escalate()
    {
        var (result, proxy) = await RunAsync(isolated: false);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var cascade = result.Findings.Where(f => f.Rule == "AG4030").ToList();
        Assert.Equal(["s1", "s2", "s3", "s4"], cascade.Select(f => f.Component).Order());
        Assert.Contains(cascade, f => f.Message.Contains("(s4 → s3 → s2 → s1 → payments)", StringComparison.Ordinal));
        Assert.Empty(proxy.Toxics);

        var step = new StepResult { Number = 4, Name = "Service-to-service", Status = CheckStatus.Fail, Checks = [result with { Id = "services.cascade" }] };
        var trigger = ArchgateProtocol.Default.Step(4).Escalations.Single();
        Assert.Contains("4 services failing", Assert.Single(trigger.Evaluate(null!, step)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependant_that_stays_healthy_is_named_as_isolation_that_worked()
    {
        var (result, _) = await RunAsync(isolated: true);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var isolation = Assert.Single(result.Findings);
        Assert.Equal("AG4031", isolation.Rule);
        Assert.Equal("isolation worked: s1 stays healthy while payments is down (health 200, reports payments Degraded)", isolation.Message);
    }

    [Fact]
    public async Task A_caller_of_a_service_whose_readiness_still_calls_it_healthy_is_isolation_not_a_hidden_edge()
    {
        // ex17's dispatcher reported the carrier's breaker state ("carrier: pass") while nothing called the carrier: a
        // caller of a service learns of an outage when it calls, so that is no false report.
        using var payments = new ChainService(null);
        await using var edges = new EdgeProxies();
        using var s1 = new ChainService(edges.Open("s1", "payments", payments.Url), "payments", isolated: true, lies: true);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "{{payments.Url}}", health: /health }
              - { name: s1, kind: service, url: "{{s1.Url}}", health: /health, dependsOn: [payments] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges };

        var result = await new CascadeCheck(Quick).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("AG4031", Assert.Single(result.Findings).Rule);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public void A_consumer_nothing_depends_on_is_a_pure_consumer_with_other_dependencies_only_when_it_serves_no_contract_and_a_queue_names_it()
    {
        // ex17's dispatcher: consumes parcel.created, also needs its database and the carrier; its honest 503 while the
        // bus was away was called a cascade (AG4030) because AG4033 wanted the bus to be its only dependency.
        static Archgate.Model.SystemModel System(string dispatcher, string consumers = "[dispatcher]", string more = "") => TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, engine: sqlite, connection: "Data Source=:memory:" }
              - { name: carrier, kind: third-party, url: "http://127.0.0.1:9" }
              - name: bus
                kind: broker
                connection: "amqp://127.0.0.1:9"
                queues: [ { name: dispatcher.parcel-created, consumers: {{consumers}} } ]
              - { name: dispatcher, kind: service, url: "http://127.0.0.1:8", {{dispatcher}} }
            {{more}}
            """);

        Assert.Equal("consumes from bus (dispatcher.parcel-created) and serves no API contract",
            CascadeCheck.PureConsumer(System("dependsOn: [db, bus, carrier]"), "dispatcher", "bus"));
        Assert.Equal("consumes from bus and depends on nothing else", CascadeCheck.PureConsumer(System("dependsOn: [bus]", consumers: "[]"), "dispatcher", "bus"));
        Assert.Null(CascadeCheck.PureConsumer(System("dependsOn: [db, bus, carrier]", consumers: "[]"), "dispatcher", "bus")); // no queue names it
        Assert.Null(CascadeCheck.PureConsumer(System("dependsOn: [db, bus, carrier]", more: "  - { name: web, kind: frontend, url: \"http://127.0.0.1:7\", dependsOn: [dispatcher] }"), "dispatcher", "bus"));
    }

    [Fact]
    public async Task A_component_already_down_before_the_fault_is_not_blamed_on_it()
    {
        // ex13: bookings-api's process had died in step 3; the cascade check then blamed its "connection refused" on the
        // provider it was refusing (AG4030 twice, "stayed unhealthy for 20 s").
        using var payments = new ChainService(null);
        await using var edges = new EdgeProxies();
        using var s1 = new ChainService(edges.Open("s1", "payments", payments.Url), "payments", isolated: true);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "{{payments.Url}}", health: /health }
              - { name: s1, kind: service, url: "{{s1.Url}}", health: /health, dependsOn: [payments] }
              - { name: dead, kind: service, url: "http://127.0.0.1:{{FreePort.Next()}}", health: /health, dependsOn: [s1] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges };

        var result = await new CascadeCheck(Quick with { RecoveryWait = TimeSpan.FromSeconds(2) }).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG4030");
        var down = Assert.Single(result.Findings, f => f.Rule == "AG4032");
        Assert.Equal("dead", down.Component);
        Assert.StartsWith("dead was already down before payments was refused (health unreachable: ", down.Message, StringComparison.Ordinal);
        Assert.EndsWith("): not judged for this fault", down.Message, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == "AG4031" && f.Component == "s1");
    }

    [Fact]
    public async Task With_an_existing_toxiproxy_the_dependency_is_taken_down_there_and_brought_back()
    {
        var fake = new FakeToxiproxy();
        using var toxiproxy = new ScriptedHttpServer(fake.Answer);
        using var payments = new ChainService(null);
        using var api = new ChainService(payments.Url, "payments", isolated: true);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            toxiproxy: { api: "http://127.0.0.1:{{toxiproxy.Port}}" }
            components:
              - { name: payments, kind: service, url: "{{payments.Url}}", health: /health }
              - { name: api, kind: service, url: "{{api.Url}}", health: /health, dependsOn: [payments] }
            edges:
              - { from: api, to: payments, toxiproxy: shop_payments }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new CascadeCheck(Quick).RunAsync(TestSystems.Context(system, http), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(["{\"enabled\":false}", "{\"enabled\":true}"], toxiproxy.Requests.Where(r => r.Method == "POST").Select(r => r.Body));
        Assert.Contains(ArchgateProtocol.ChecksFor(system), c => c.Id == "services.cascade");
    }

    [Fact]
    public void A_chain_follows_depends_on_to_the_failed_dependency()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1" }
              - { name: b, kind: service, url: "http://127.0.0.1:2", dependsOn: [a] }
              - { name: c, kind: service, url: "http://127.0.0.1:3", dependsOn: [b] }
            """);

        Assert.Equal(["c", "b", "a"], CascadeCheck.Chain(system, "c", "a"));
        Assert.Null(CascadeCheck.Chain(system, "a", "c"));
    }
}
