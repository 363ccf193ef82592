using Archgate.Checks.Contracts;
using Archgate.Checks.Performance;
using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Checks.Tests;

/// <summary>The one step table: what applies when, the targets it computes from the manifest, and its escalation triggers.</summary>
public sealed class ArchgateProtocolTests
{
    private const string OneService = """
        version: 1
        system: { name: s, owners: { architect: a@example.test } }
        components:
          - { name: db, kind: database, connection: "Data Source=x.db" }
          - { name: api, kind: service, url: "http://127.0.0.1:1", health: /health, dependsOn: [db] }
        """;

    private static StepResult Step(int number, params CheckResult[] checks) => new()
    {
        Number = number,
        Name = ArchgateProtocol.Default.Step(number).Name,
        Status = StepResult.Aggregate(checks),
        Checks = checks,
    };

    [Fact]
    public void Steps_the_manifest_has_nothing_for_say_why_and_the_others_apply()
    {
        var system = TestSystems.Load(OneService);
        var protocol = ArchgateProtocol.Default;

        Assert.Equal("no frontend component declared, and no service declares a realtime stream or a clientCredentials auth", protocol.Step(5).AppliesTo(system).Reason);
        Assert.Equal("no third-party component declared", protocol.Step(6).AppliesTo(system).Reason);
        Assert.Equal("no component declares an OpenAPI or AsyncAPI document and no pact is declared", protocol.Step(2).AppliesTo(system).Reason);
        Assert.Equal("no journey declared and no service with an OpenAPI document", protocol.Step(7).AppliesTo(system).Reason);
        Assert.All(new[] { 1, 3, 4, 8, 9, 10 }, n => Assert.True(protocol.Step(n).AppliesTo(system).Applies, $"step {n}"));
    }

    [Fact]
    public void Criterion_targets_are_the_manifests_SLOs_not_fixed_text()
    {
        var system = TestSystems.Load(OneService + """

            slo:
              api: { p95: 350ms, errorRate: 2% }
              db: { p95: 40ms }
            signoff: { approver: System-Architect, reviewers: [QA-Tester] }
            """);
        var protocol = ArchgateProtocol.Default;

        Assert.Equal("api p95 < 350 ms per route at 100 and 500 users, errors < 2%", protocol.Step(8).Criterion!.Target(system));
        Assert.Equal("every database reachable and sound; db query p95 < 40 ms", protocol.Step(3).Criterion!.Target(system));
        Assert.Equal("reviewed by QA-Tester, then signed off by System-Architect (a@example.test)", protocol.Step(10).Criterion!.Target(system));
        Assert.Equal("api p95 < 200 ms per route at 100 and 500 users, errors < 1%", protocol.Step(8).Criterion!.Target(TestSystems.Load(OneService)));
        Assert.Equal("api p95 < 200 ms per route at 10 and 20 users, errors < 1%", protocol.Step(8).Criterion!.Target(TestSystems.Load(OneService + """

            load: { stages: [ { users: 10, duration: 5s }, { users: 20, duration: 5s } ] }
            """)));
    }

    [Fact]
    public void Step_9_probes_injection_last_so_its_logout_and_wrong_passwords_disturb_no_probe_that_needs_the_session()
    {
        var system = TestSystems.Load(OneService);

        var probes = Archgate.Checks.Security.Probes.SecurityProbes.For(new StepChecksContext(system, Archgate.Planning.Planner.Plan(system))).Select(c => c.Id).ToList();

        Assert.Equal(["security.authn:api", "security.authz:api", "security.cors:api", "security.injection:api"], probes);
    }

    [Fact]
    public void Step_7_runs_each_journey_and_its_target_names_the_critical_ones_with_their_runs()
    {
        var system = TestSystems.Load(OneService + """

            journeys:
              - { name: browse, steps: [GET /products] }
              - { name: order, critical: true, runs: 30, steps: [POST /orders] }
            """);
        var protocol = ArchgateProtocol.Default;

        Assert.True(protocol.Step(7).AppliesTo(system).Applies);
        Assert.Equal(">= 95 % success of 'order' (30 runs)", protocol.Step(7).Criterion!.Target(system));
        var checks = protocol.Step(7).Checks(new StepChecksContext(system, Archgate.Planning.Planner.Plan(system))).ToList();
        Assert.Equal(["journeys.run:browse", "journeys.run:order", "journeys.network-failure:api"], checks.Select(c => c.Id));
        Assert.Equal("no journey with two or more HTTP steps (and no browser steps) calls api", checks[2].AppliesTo(system).Reason); // one step each: nothing to cut halfway
    }

    [Fact]
    public void The_manifests_check_options_reach_the_checks_and_the_target()
    {
        var system = TestSystems.Load(OneService + """

            journeys:
              - { name: order, critical: true, runs: 30, steps: [POST /orders] }
            checks:
              journeys: { successRate: 90%, parallel: 4 }
            """);
        var protocol = ArchgateProtocol.Default;

        Assert.Equal(">= 90 % success of 'order' (30 runs)", protocol.Step(7).Criterion!.Target(system));
        var folder = Path.Combine(Path.GetTempPath(), "archgate-protocol-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "api.yaml"), "openapi: 3.0.3\ninfo: { title: api, version: '1' }\npaths: {}\n");
        var withContract = TestSystems.Load(OneService.Replace("dependsOn: [db] }", "dependsOn: [db], openapi: api.yaml }", StringComparison.Ordinal) + """

            checks:
              journeys: { parallel: 4 }
            """, folder);
        var concurrency = protocol.Step(7).Checks(new StepChecksContext(withContract, Archgate.Planning.Planner.Plan(withContract))).Single(c => c.Id.StartsWith("journeys.concurrency", StringComparison.Ordinal));
        Assert.StartsWith("api: 4 concurrent updates", concurrency.Title, StringComparison.Ordinal);
        Assert.Contains("4 concurrent updates with one ETag", protocol.Step(7).Criterion!.Target(withContract), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_criterion_gates_the_verdict_sign_off_included_and_step_10_runs_the_signoff_check()
    {
        var notGating = ArchgateProtocol.Default.Steps.Where(s => s.Criterion is { GatesVerdict: false }).Select(s => s.Number);
        var step10 = ArchgateProtocol.Default.Step(10).Checks(new StepChecksContext(TestSystems.Load(OneService), Archgate.Planning.Planner.Plan(TestSystems.Load(OneService))));

        Assert.Empty(notGating);
        Assert.IsType<Archgate.Judging.SignoffCheck>(Assert.Single(step10));
    }

    [Fact]
    public void Rollback_hooks_cover_steps_5_to_10()
    {
        Assert.Equal(Enumerable.Range(5, 6), ArchgateProtocol.Default.Steps.Where(s => s.RollbackOnFailure).Select(s => s.Number));
    }

    [Fact]
    public void Checks_come_from_the_step_they_are_listed_under()
    {
        var system = TestSystems.Load(OneService);

        var checks = ArchgateProtocol.ChecksFor(system);

        Assert.All(checks, c => Assert.Contains(c, ArchgateProtocol.Default.Step(c.Step).Checks(new StepChecksContext(system, Archgate.Planning.Planner.Plan(system))), new IdComparer()));
        Assert.Contains(checks, c => c.Id == "services.health:api");
        Assert.DoesNotContain(checks, c => c.Step == 5);
    }

    [Fact]
    public void Step_4_reads_each_caller_s_readiness_and_proves_each_declared_breaker()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source=x.db" }
              - { name: payments, kind: service, url: "http://127.0.0.1:7201", health: /health }
              - { name: api, kind: service, url: "http://127.0.0.1:7101", health: /health, dependsOn: [db, payments] }
            edges:
              - { from: api, to: payments, breaker: { failures: 4, breakDuration: 5s } }
            """);

        var ids = ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 4).Select(c => c.Id).ToList();

        Assert.Equal(["services.health:payments", "services.health:api", "services.edges:api", "services.breaker:api->payments"], ids);
    }

    [Fact]
    public void A_broker_gets_step_4_s_topology_and_round_trip_checks_step_2_s_asyncapi_check_and_its_users_readiness_names_it()
    {
        var folder = Directory.CreateTempSubdirectory("archgate-broker-protocol-").FullName;
        File.WriteAllText(Path.Combine(folder, "events.yaml"), "asyncapi: 3.0.0\n");
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: bus
                kind: broker
                connection: "amqp://u:p@127.0.0.1:5672/"
                queues: [ { name: q }, { name: parked, consumers: none } ]
                asyncapi: events.yaml
              - { name: api, kind: service, url: "http://127.0.0.1:7101", health: /health, dependsOn: [bus] }
            """, folder);

        var checks = ArchgateProtocol.ChecksFor(system);

        Assert.Equal(["contracts.asyncapi:bus"], checks.Where(c => c.Step == 2).Select(c => c.Id));
        Assert.Equal(["services.health:api", "services.edges:api", "brokers.topology:bus", "brokers.round-trip:bus"], checks.Where(c => c.Step == 4).Select(c => c.Id));
        Assert.Equal("api reaches bus", checks.Single(c => c.Id == "services.edges:api").Title);
        Assert.Equal(["q"], ((Archgate.Checks.Brokers.BrokerRoundTripCheck)checks.Single(c => c.Id == "brokers.round-trip:bus")).Queues.Select(q => q.Name));
    }

    [Fact]
    public void A_service_s_declared_stream_is_checked_in_step_5_with_no_frontend_declared()
    {
        // Its clients may be a mobile app: the stream the manifest declares is checked all the same, and nothing else of step 5.
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            auth:
              ann: { login: POST /auth/login, user: ann, password: demo }
            components:
              - name: notes
                kind: service
                url: "http://127.0.0.1:7101"
                auth: ann
                realtime:
                  - { sse: /events, event: note-created, trigger: { request: POST /notes, json: { text: hi } } }
            """);

        Assert.True(ArchgateProtocol.Default.Step(5).AppliesTo(system).Applies);
        Assert.Equal(["frontend.realtime:notes/events"], ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 5).Select(c => c.Id));
        Assert.Contains("real-time streams of notes", ArchgateProtocol.Default.Step(5).Criterion!.Target(system), StringComparison.Ordinal);
    }

    [Fact]
    public void Step_4_proves_timeouts_and_retries_on_service_edges_that_declare_a_policy()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:7201" }
              - { name: api, kind: service, url: "http://127.0.0.1:7101", dependsOn: [payments] }
            edges:
              - { from: api, to: payments, policy: { timeout: 6s, retries: 2, backoff: exponential }, drive: { request: POST /orders } }
            """);

        var ids = ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 4).Select(c => c.Id).ToList();

        Assert.Equal(["services.timeout:api->payments", "services.retries:api->payments"], ids);
    }

    [Fact]
    public void Step_6_checks_secrets_then_each_callers_edge_to_a_provider_then_its_webhooks()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: gateway
                kind: third-party
                url: http://127.0.0.1:7301
                policy: { timeout: 10s, retries: 3, backoff: exponential, fallback: queue }
                webhook: { to: payments, path: /webhooks/gateway, secret: whsec_x }
              - { name: payments, kind: service, url: "http://127.0.0.1:7201", dependsOn: [gateway] }
            edges:
              - { from: payments, to: gateway, drive: { via: payments, request: POST /payments } }
            """);

        var ids = ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 6).Select(c => c.Id).ToList();

        Assert.Equal(["third-party.secrets", "third-party.calls:payments->gateway", "third-party.timeout:payments->gateway", "third-party.retries:payments->gateway", "third-party.webhook:gateway"], ids);
        Assert.Contains("whsec_x", system.DeclaredSecrets);
    }

    [Fact]
    public void Contract_mismatch_above_20_percent_escalates_once_per_provider_with_the_worst_rate()
    {
        static Metric Rate(string component, double value) =>
            new(ContractRules.MismatchRateMetric, new Dictionary<string, string> { ["component"] = component }, value, "ratio");
        var step = Step(2,
            new CheckResult { Id = "contracts.conformance:api", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.26)] },
            new CheckResult { Id = "contracts.pact:web-api", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.5)] },
            new CheckResult { Id = "contracts.conformance:payments", Status = CheckStatus.Pass, Metrics = [Rate("payments", 0.1)] });

        var escalation = Assert.Single(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load(OneService), [step]));

        Assert.Equal("contract-mismatch-rate", escalation.Trigger);
        Assert.Equal(2, escalation.Level);
        Assert.Contains("50 % of what api's contracts promise mismatches", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("worst of 2 measurements", escalation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_three_failing_services_escalate_at_level_3_and_a_critical_vulnerability_at_level_4()
    {
        var failing = Enumerable.Range(1, 4).Select(i => new CheckResult
        {
            Id = $"services.health:s{i}",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG4002", Severity = Severity.High, Component = $"s{i}", Message = "down" }],
        }).ToArray();
        var critical = new CheckResult { Id = "security.x", Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG9001", Severity = Severity.Critical, Message = "sqli" }] };
        var system = TestSystems.Load(OneService);

        var escalations = EscalationRules.Evaluate(ArchgateProtocol.Default, system, [Step(4, failing), Step(9, critical)]);

        Assert.Equal([("dependent-services-failing", 3), ("critical-vulnerability", 4)], escalations.Select(e => (e.Trigger, e.Level)));
        Assert.Empty(EscalationRules.Evaluate(ArchgateProtocol.Default, system, [Step(4, failing[..3])]));
    }

    [Fact]
    public void A_regression_over_50_percent_escalates_per_metric()
    {
        var metric = new Metric(PerformanceRules.RegressionMetric, new Dictionary<string, string> { ["route"] = "GET /orders" }, 0.8, "ratio");

        var escalation = Assert.Single(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load(OneService), [Step(8, new CheckResult { Id = "load:api", Status = CheckStatus.Fail, Metrics = [metric] })]));

        Assert.Equal("performance-regression", escalation.Trigger);
        Assert.StartsWith("Performance integration regression: 80 % worse than the last GO baseline", escalation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_critical_third_party_finding_escalates_at_level_3_naming_the_provider()
    {
        var breakdown = new CheckResult
        {
            Id = "third-party.calls:api->gateway",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG6001", Severity = Severity.Critical, Component = "gateway", Message = "every call failed" }],
        };

        var escalation = Assert.Single(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load(OneService), [Step(6, breakdown)]));

        Assert.Equal(("third-party-integration-breakdown", 3), (escalation.Trigger, escalation.Level));
        Assert.Equal(["gateway"], escalation.Components);
        Assert.Equal(["AG6001 gateway: every call failed"], escalation.Evidence);
    }

    [Fact]
    public void Constraint_and_foreign_key_findings_of_step_3_and_consistency_findings_of_step_7_are_a_data_integrity_violation_at_level_3()
    {
        static CheckResult Found(string id, string rule, Severity severity, string component) => new()
        {
            Id = id,
            Status = severity >= Severity.High ? CheckStatus.Fail : CheckStatus.Warn,
            Findings = [new Finding { Rule = rule, Severity = severity, Component = component, Message = $"{rule} seen" }],
        };
        var system = TestSystems.Load(OneService);

        var escalations = EscalationRules.Evaluate(ArchgateProtocol.Default, system,
        [
            Step(3, Found("database.schema:db", "AG3046", Severity.High, "db"), Found("database.schema:db#2", "AG3047", Severity.Medium, "db")),
            Step(7, Found("journeys.consistency:checkout", "AG7011", Severity.High, "api")),
        ]);

        Assert.Equal([("data-integrity-violation", 3, 3), ("data-integrity-violation", 3, 7)],
            escalations.Select(e => (e.Trigger, e.Level, e.Message.Contains("AG7011", StringComparison.Ordinal) ? 7 : 3)));
        Assert.Equal(["AG3046 db: AG3046 seen", "AG3047 db: AG3047 seen"], escalations[0].Evidence);
        Assert.Equal(["api"], escalations[1].Components);

        // An index finding is not a violation of the data, and information never escalates.
        Assert.Empty(EscalationRules.Evaluate(ArchgateProtocol.Default, system, [Step(3, Found("database.schema:db", "AG3040", Severity.High, "db"), Found("x", "AG3046", Severity.Info, "db"))]));
    }

    [Fact]
    public void Pool_exhaustion_in_step_3_is_resource_exhaustion_at_level_2_for_the_database()
    {
        var pool = new CheckResult
        {
            Id = "database.pool:db",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG3023", Severity = Severity.High, Component = "db", Message = "pool exhausted at 40 concurrent probes" }],
        };

        var escalation = Assert.Single(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load(OneService), [Step(3, pool)]));

        Assert.Equal(("resource-exhaustion", 2), (escalation.Trigger, escalation.Level));
        Assert.Equal(["db"], escalation.Components);
        Assert.StartsWith("Resource exhaustion: 1 finding(s) of AG3023", escalation.Message, StringComparison.Ordinal);
    }

    private sealed class IdComparer : IEqualityComparer<ICheck>
    {
        public bool Equals(ICheck? x, ICheck? y) => x?.Id == y?.Id;

        public int GetHashCode(ICheck obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
