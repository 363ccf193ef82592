using Archgate.Checks.Http;
using Archgate.Checks.Services.Discovery;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Manifest;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services.Discovery;

/// <summary>
/// Each discovery source against a local server answering with the registry's documented response shape (Consul's
/// /v1/health/service, Eureka's /apps/APP JSON, Kubernetes' EndpointSlice and Endpoints), and a real dnsmasq for DNS.
/// Alive instances are servers; dead ones are closed ports.
/// </summary>
public sealed class DiscoveryCheckTests
{
    private static async Task<CheckResult> RunAsync(string discovery, bool health = true)
    {
        var system = TestSystems.Load($$$"""
            version: 1
            system: { name: s }
            components:
              - name: payments
                kind: service
                url: http://127.0.0.1:1
                {{{(health ? "health: /health" : string.Empty)}}}
                discovery: {{{discovery}}}
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = Assert.IsType<DiscoveryCheck>(ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "services.discovery:payments"));
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static double MetricValue(CheckResult result, string name) => result.Metrics.Single(m => m.Name == name).Value;

    [Fact]
    public async Task A_static_list_with_a_dead_instance_fails_naming_it_and_counts_both()
    {
        using var alive = new TinyHttpServer(200, "{}");
        var dead = FreePort.Next();

        var result = await RunAsync($"{{ static: [http://127.0.0.1:{alive.Port}, http://127.0.0.1:{dead}] }}");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4082", finding.Rule);
        Assert.Contains($"127.0.0.1:{dead}", finding.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", finding.Message, StringComparison.Ordinal);
        Assert.Equal(2, MetricValue(result, "discovered_instances"));
        Assert.Equal(1, MetricValue(result, "discovered_instances_healthy"));
        Assert.Equal(1, alive.Requests);
    }

    [Fact]
    public async Task Consul_passing_but_dead_is_registered_but_dead_and_critical_is_the_registry_saying_so()
    {
        using var alive = new TinyHttpServer(200, "{}");
        var dead = FreePort.Next();
        var downButAnswering = new TinyHttpServer(200, "{}");
        using var _ = downButAnswering;
        using var consul = new ScriptedHttpServer(r => r.PathAndQuery == "/v1/health/service/payments"
            ? new Reply(200, $"[{ConsulEntry("payments-1", alive.Port, "passing")},{ConsulEntry("payments-2", dead, "passing")},{ConsulEntry("payments-3", downButAnswering.Port, "critical")}]")
            : new Reply(404, "not found", "text/plain"));

        var result = await RunAsync($"{{ consul: {{ api: \"{consul.Url}\", service: payments, token: s3cret-token }}, instances: 3 }}");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var deadFinding = Assert.Single(result.Findings, f => f.Rule == "AG4082");
        Assert.Equal("payments-2", deadFinding.Location);
        Assert.Contains("registered as passing", deadFinding.Message, StringComparison.Ordinal);
        var down = Assert.Single(result.Findings, f => f.Rule == "AG4083");
        Assert.Equal(Severity.Medium, down.Severity);
        Assert.Contains("critical although it answers", down.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Findings.Count);
        Assert.Equal("s3cret-token", consul.Requests.Single().Headers["X-Consul-Token"]);
        Assert.Equal(3, MetricValue(result, "discovered_instances"));
    }

    [Fact]
    public async Task Eureka_apps_json_with_up_instances_passes_in_either_instance_shape()
    {
        using var one = new TinyHttpServer(200, "{}");
        using var two = new TinyHttpServer(200, "{}");
        using var eureka = new ScriptedHttpServer(r => r.PathAndQuery switch
        {
            "/eureka/apps/PAYMENTS" => new Reply(200, $$$"""{"application":{"name":"PAYMENTS","instance":[{{{EurekaInstance("a", one.Port, "UP")}}},{{{EurekaInstance("b", two.Port, "UP")}}}]}}"""),
            "/eureka/apps/SINGLE" => new Reply(200, $$$"""{"application":{"name":"SINGLE","instance":{{{EurekaInstance("c", one.Port, "UP")}}}}}"""),
            _ => new Reply(404, null),
        });

        var many = await RunAsync($"{{ eureka: {{ api: \"{eureka.Url}eureka\", app: PAYMENTS }}, instances: 2 }}");
        var single = await RunAsync($"{{ eureka: {{ api: \"{eureka.Url}eureka/\", app: SINGLE }} }}");

        Assert.Equal(CheckStatus.Pass, many.Status);
        Assert.Equal("AG4084", Assert.Single(many.Findings).Rule);
        Assert.Equal(2, MetricValue(many, "discovered_instances_healthy"));
        Assert.Equal(CheckStatus.Pass, single.Status);
        Assert.Contains("application/json", eureka.Requests.First().Headers["Accept"], StringComparison.Ordinal);
        Assert.Equal(3, one.Requests + two.Requests);
    }

    [Fact]
    public async Task Eureka_down_and_too_few_instances_are_both_reported()
    {
        var dead = FreePort.Next();
        using var eureka = new ScriptedHttpServer(_ => new Reply(200, $$$"""{"application":{"name":"PAYMENTS","instance":[{{{EurekaInstance("a", dead, "DOWN")}}}]}}"""));

        var result = await RunAsync($"{{ eureka: {{ api: \"{eureka.Url}eureka\", app: PAYMENTS }}, instances: 2 }}");

        Assert.Equal(["AG4081", "AG4083"], result.Findings.Select(f => f.Rule).Order(StringComparer.Ordinal));
        Assert.Contains("as DOWN", result.Findings.Single(f => f.Rule == "AG4083").Message, StringComparison.Ordinal);
        Assert.Contains("lists 1 instance of payments; at least 2", result.Findings.Single(f => f.Rule == "AG4081").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_endpoint_slices_judge_ready_endpoints_and_report_not_ready_ones()
    {
        using var alive = new TinyHttpServer(200, "{}");
        var dead = FreePort.Next();
        using var api = new ScriptedHttpServer(r => r.PathAndQuery.StartsWith("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dpayments", StringComparison.Ordinal)
            ? new Reply(200, $$$"""
                {"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"1"},"items":[
                  {"metadata":{"name":"payments-abc","namespace":"shop","labels":{"kubernetes.io/service-name":"payments"}},"addressType":"IPv4",
                   "endpoints":[
                     {"addresses":["127.0.0.1"],"conditions":{"ready":true,"serving":true,"terminating":false},"targetRef":{"kind":"Pod","namespace":"shop","name":"payments-7d9f-x1"}}
                   ],
                   "ports":[{"name":"metrics","protocol":"TCP","port":9}, {"name":"http","protocol":"TCP","port":{{{alive.Port}}}}]},
                  {"metadata":{"name":"payments-def","namespace":"shop"},"addressType":"IPv4",
                   "endpoints":[
                     {"addresses":["127.0.0.1"],"conditions":{"ready":true},"targetRef":{"kind":"Pod","name":"payments-7d9f-x2"}},
                     {"addresses":["127.0.0.1"],"conditions":{"ready":false,"serving":false,"terminating":true},"targetRef":{"kind":"Pod","name":"payments-7d9f-x3"}}
                   ],
                   "ports":[{"name":"http","protocol":"TCP","port":{{{dead}}}}]}
                ]}
                """)
            : new Reply(404, "{\"kind\":\"Status\",\"code\":404}"));

        var result = await RunAsync($"{{ kubernetes: {{ api: \"{api.Url}\", namespace: shop, service: payments, port: http, token: k8s-token }} }}");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal("pod payments-7d9f-x2", Assert.Single(result.Findings, f => f.Rule == "AG4082").Location);
        Assert.Contains("terminating", Assert.Single(result.Findings, f => f.Rule == "AG4083").Message, StringComparison.Ordinal);
        Assert.Equal(3, MetricValue(result, "discovered_instances"));
        Assert.Equal(1, MetricValue(result, "discovered_instances_healthy"));
        Assert.Equal("Bearer k8s-token", api.Requests.Single().Headers["Authorization"]);
    }

    [Fact]
    public async Task Kubernetes_endpoints_read_ready_and_not_ready_addresses()
    {
        using var alive = new TinyHttpServer(200, "{}");
        using var api = new ScriptedHttpServer(r => r.PathAndQuery == "/api/v1/namespaces/default/endpoints/payments"
            ? new Reply(200, $$$"""
                {"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"payments","namespace":"default"},
                 "subsets":[{"addresses":[{"ip":"127.0.0.1","targetRef":{"kind":"Pod","name":"payments-1"}}],
                             "notReadyAddresses":[{"ip":"127.0.0.1","targetRef":{"kind":"Pod","name":"payments-2"}}],
                             "ports":[{"name":"http","port":{{{alive.Port}}},"protocol":"TCP"}]}]}
                """)
            : new Reply(404, null));

        var result = await RunAsync($"{{ kubernetes: {{ api: \"{api.Url}\", service: payments, resource: endpoints }} }}");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4083", finding.Rule);
        Assert.Equal("pod payments-2", finding.Location);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task A_registry_that_is_not_there_is_a_transient_discovery_failure_and_an_empty_one_too_few_instances()
    {
        var closed = FreePort.Next();
        using var empty = new ScriptedHttpServer(_ => new Reply(200, "[]"));

        var missing = await RunAsync($"{{ consul: {{ api: \"http://127.0.0.1:{closed}\", service: payments }} }}");
        var none = await RunAsync($"{{ consul: {{ api: \"{empty.Url}\", service: payments }} }}");

        Assert.Equal("AG4080", Assert.Single(missing.Findings).Rule);
        Assert.Equal("discovery source unavailable", missing.TransientCause);
        Assert.Equal("AG4081", Assert.Single(none.Findings).Rule);
        Assert.Contains("nothing is registered", none.Findings[0].Hint, StringComparison.Ordinal);
        Assert.Equal(0, MetricValue(none, "discovered_instances"));
    }

    [Fact]
    public async Task Dns_srv_records_of_a_headless_service_from_dnsmasq_find_each_instance_and_its_dead_one()
    {
        using var alive = new TinyHttpServer(200, "{}");
        var dead = FreePort.Next();
        using var dns = await Dnsmasq.StartAsync(
            $"--srv-host=_http._tcp.payments.shop.test,payments-0.payments.shop.test,{alive.Port}",
            $"--srv-host=_http._tcp.payments.shop.test,payments-1.payments.shop.test,{dead}",
            "--host-record=payments-0.payments.shop.test,127.0.0.1",
            "--host-record=payments-1.payments.shop.test,127.0.0.1",
            "--host-record=payments.shop.test,127.0.0.1",
            "--local=/shop.test/"); // authoritative for shop.test: an unknown name is NXDOMAIN, not refused

        var srv = await RunAsync($"{{ dns: {{ name: _http._tcp.payments.shop.test, type: SRV, server: \"{dns.Server}\" }} }}");
        var a = await RunAsync($"{{ dns: {{ name: payments.shop.test, server: \"{dns.Server}\", port: {alive.Port} }} }}");
        var unknown = await RunAsync($"{{ dns: {{ name: _http._tcp.nothing.shop.test, type: SRV, server: \"{dns.Server}\" }} }}");

        Assert.Equal(2, MetricValue(srv, "discovered_instances"));
        var finding = Assert.Single(srv.Findings);
        Assert.Equal("AG4082", finding.Rule);
        Assert.Equal($"payments-1.payments.shop.test:{dead}", finding.Location);
        Assert.True(a.Status == CheckStatus.Pass, string.Join("; ", a.Findings.Select(f => f.Message)));
        Assert.Equal(1, MetricValue(a, "discovered_instances_healthy"));
        Assert.Equal("AG4081", Assert.Single(unknown.Findings).Rule);
    }

    [Fact]
    public async Task Without_a_health_path_any_answer_below_500_is_alive()
    {
        using var notFound = new TinyHttpServer(404, "{}");

        var result = await RunAsync($"{{ static: [http://127.0.0.1:{notFound.Port}] }}", health: false);

        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public void The_manifest_takes_exactly_one_source_with_valid_keys_and_masks_tokens()
    {
        var errors = ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - name: a
                kind: service
                url: http://127.0.0.1:1
                discovery: { static: [http://127.0.0.1:2], consul: { api: http://127.0.0.1:8500, service: a } }
              - name: b
                kind: service
                url: http://127.0.0.1:1
                discovery: { dns: { name: b.test, type: MX, server: nowhere } }
              - name: c
                kind: service
                url: http://127.0.0.1:1
                discovery: { kubernetes: { api: http://10.0.0.1:6443, service: c, resource: pods } }
              - name: d
                kind: database
                connection: Data Source=d.db
                discovery: { static: [http://127.0.0.1:2] }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("components.a.discovery", StringComparison.Ordinal) && e.Contains("several discovery sources (static, consul)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.b.discovery.dns.type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.b.discovery.dns.server", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.c.discovery.kubernetes.api", StringComparison.Ordinal) && e.Contains("targets.allow", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.c.discovery.kubernetes.resource", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.d.discovery", StringComparison.Ordinal) && e.Contains("service components", StringComparison.Ordinal));

        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1", discovery: { consul: { api: "http://127.0.0.1:8500", service: a, token: tok-123 } } }
            """);
        Assert.Contains("tok-123", system.DeclaredSecrets);
    }

    private static string ConsulEntry(string id, int port, string status) => $$$"""
        {"Node":{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"node-1","Address":"127.0.0.1","Datacenter":"dc1","TaggedAddresses":{"lan":"127.0.0.1","wan":"127.0.0.1"},"Meta":{}},
         "Service":{"ID":"{{{id}}}","Service":"payments","Tags":["primary"],"Address":"","Meta":null,"Port":{{{port}}},"Weights":{"Passing":1,"Warning":1},"Namespace":"default"},
         "Checks":[{"Node":"node-1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","ServiceID":"","ServiceName":""},
                   {"Node":"node-1","CheckID":"service:{{{id}}}","Name":"Service 'payments' check","Status":"{{{status}}}","ServiceID":"{{{id}}}","ServiceName":"payments"}]}
        """;

    private static string EurekaInstance(string id, int port, string status) => $$$"""
        {"instanceId":"{{{id}}}","hostName":"localhost","app":"PAYMENTS","ipAddr":"127.0.0.1","status":"{{{status}}}","overriddenStatus":"UNKNOWN",
         "port":{"$":{{{port}}},"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},"countryId":1,
         "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
         "leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90},"homePageUrl":"http://127.0.0.1:{{{port}}}/","healthCheckUrl":"http://127.0.0.1:{{{port}}}/health",
         "vipAddress":"payments","isCoordinatingDiscoveryServer":"false","lastUpdatedTimestamp":"1700000000000","actionType":"ADDED"}
        """;
}
