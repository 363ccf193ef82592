using System.Globalization;
using Archgate.Checks.Brokers;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.AsyncApi;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Pact;
using Archgate.Checks.Database;
using Archgate.Checks.Frontend;
using Archgate.Checks.Journeys;
using Archgate.Checks.Performance;
using Archgate.Checks.Planning;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Audit;
using Archgate.Checks.Security.Probes;
using Archgate.Checks.Services;
using Archgate.Checks.ThirdParty;
using Archgate.Checks.ThirdParty.Analytics;
using Archgate.Checks.ThirdParty.Vendor;
using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks;

/// <summary>
/// The one step table of the protocol: for each of the ten steps its name and report title, when the manifest has
/// anything for it, its checks (per-component checks in plan order), its validation criterion with the target as
/// the manifest sets it, its escalation triggers, and whether its failure calls the rollback hooks. Adding a step's
/// checks touches this table, the check family's folder and the docs. Steps whose checks come in later versions
/// list <see cref="PendingCheck"/>s, so their criteria stay not-evaluated and no run can be a false GO.
/// </summary>
public static class ArchgateProtocol
{
    /// <summary>Contract mismatch rate (failed/tested) of a provider above which step 2 escalates. <value>20 %</value>.</summary>
    public const double ContractMismatchEscalation = 0.20;

    /// <summary>Regression against the last GO baseline above which step 8 escalates. <value>50 %</value>.</summary>
    public const double PerformanceRegressionEscalation = 0.50;

    /// <summary>Failing dependent services above which step 4 escalates. <value>3</value>.</summary>
    public const int FailingServicesEscalation = 3;

    /// <summary>
    /// Rules whose findings are a data integrity violation (a level 3 escalation): step 3's constraint and foreign key
    /// findings, step 7's data-consistency and concurrency findings.
    /// </summary>
    public static IReadOnlyList<string> DataIntegrityRules { get; } =
    [
        DatabaseRules.ConstraintNotValidated, DatabaseRules.ExpectedConstraintMissing, DatabaseRules.OrphanedRows, DatabaseRules.ForeignKeysOff,
        JourneyRules.RowDiffers, JourneyRules.RowMissing, JourneyRules.ReadDiffers, JourneyRules.LostUpdate, JourneyRules.DuplicateCreate,
        JourneyRules.OverlappingCreate, JourneyRules.Oversold,
    ];

    /// <summary>The protocol with default check options.</summary>
    public static ProtocolDefinition Default { get; } = Create(new LoadCheckOptions());

    /// <summary>
    /// The protocol with step 8's options (load agents), step 9's dependency audit options (<c>--osv-db</c>) and step 7's
    /// (journeys, concurrency).
    /// </summary>
    public static ProtocolDefinition Create(LoadCheckOptions load, DependencyAuditOptions? audit = null, JourneyOptions? journeyOptions = null) =>
        Build(load, audit, journeyOptions ?? new JourneyOptions());

    private static ProtocolDefinition Build(LoadCheckOptions load, DependencyAuditOptions? audit, JourneyOptions journeys) => new(
    [
        new StepDefinition
        {
            Number = 1,
            Name = "Integration planning",
            Checks = _ => [new PlanCheck()],
        },
        new StepDefinition
        {
            Number = 2,
            Name = "API contract validation",
            ReportTitle = "API contract compliance",
            AppliesTo = s => ContractComponents(s).Count > 0 || s.PactFiles.Count > 0 || s.OfKind<BrokerComponent>().Any(b => b.Broker.AsyncApi is not null)
                ? Applicability.Yes
                : Applicability.No("no component declares an OpenAPI or AsyncAPI document and no pact is declared"),
            Checks = ContractChecks,
            Criterion = new("contracts", "API contract tests pass", s =>
                $"100 % of contract checks pass ({Count(ContractComponents(s).Count, "OpenAPI document")}, {Count(s.PactFiles.Count, "pact")})"),
            Escalations =
            [
                EscalationTriggers.MetricAbove("contract-mismatch-rate", 2, ContractRules.MismatchRateMetric, ContractMismatchEscalation, "component",
                    (provider, worst, measurements) =>
                        $"API contract incompatibility: {worst.ToString("P0", CultureInfo.InvariantCulture)} of what {provider}'s contracts promise mismatches " +
                        $"(threshold {ContractMismatchEscalation.ToString("P0", CultureInfo.InvariantCulture)}{(measurements == 1 ? string.Empty : $", worst of {measurements} measurements")})"),
            ],
        },
        new StepDefinition
        {
            Number = 3,
            Name = "Database integration",
            AppliesTo = s => s.OfKind<DatabaseComponent>().Any() ? Applicability.Yes : Applicability.No("no database component declared"),
            Checks = b => DatabaseChecks(b.System, b.InOrder<DatabaseComponent>()),
            Criterion = new("database", "Database connectivity verified", s =>
                "every database reachable and sound; " + string.Join(", ", s.OfKind<DatabaseComponent>().Select(d =>
                    $"{d.Name} query p95 < {Ms(s.Slos.GetValueOrDefault(d.Name)?.P95 ?? LatencyBaselineCheck.DefaultSlo)}"))),
            Escalations =
            [
                EscalationTriggers.CriticalFindings("database-integration-crisis", 3, "Database integration crisis"),
                EscalationTriggers.Findings("data-integrity-violation", 3, DataIntegrityRules, "Data integrity violation"),
                EscalationTriggers.Findings("resource-exhaustion", 2, [DatabaseRules.PoolExhausted], "Resource exhaustion"),
            ],
        },
        new StepDefinition
        {
            Number = 4,
            Name = "Service-to-service",
            ReportTitle = "Service-to-service integration",
            AppliesTo = s => s.OfKind<ServiceComponent>().Any() ? Applicability.Yes : Applicability.No("no service component declared"),
            Checks = b => [
                .. b.InOrder<ServiceComponent>().Where(s => s.HealthPath is not null).Select(s => (ICheck)new HealthCheck(s)),
                .. b.InOrder<ServiceComponent>().Where(s => s.Discovery is not null).Select(s => (ICheck)new Services.Discovery.DiscoveryCheck(s)),
                .. b.InOrder<ServiceComponent>().Where(s => s.Modules is not null).Select(s => (ICheck)new Services.Modules.ModuleDependencyCheck(s)),
                .. b.InOrder<ServiceComponent>().Where(s => s.RequiresAuth is not null).Select(s => (ICheck)new ServiceAuthCheck(s)),
                .. b.InOrder<ServiceComponent>().Where(s => s.HealthPath is not null && Called(b.System, s).Count > 0)
                    .Select(s => (ICheck)new EdgeReadinessCheck(s, Called(b.System, s))),
                .. b.System.Balancing.Select(l => (ICheck)new LoadBalancingCheck(l)),
                .. b.System.Edges.Where(e => e.Breaker is not null).Select(e => (ICheck)new CircuitBreakerCheck(e, b.System.Find<HttpComponent>(e.Edge.Caller)!, b.System.Checks.Services.Breaker)),
                .. b.System.ProxiedEdges.Count > 0 || (b.System.Toxiproxy is not null && b.System.Edges.Any(e => e.ToxiproxyProxy is not null))
                    ? [new CascadeCheck(b.System.Checks.Services.Cascade)] : Array.Empty<ICheck>(),
                .. ProviderEdge.Services(b.System).SelectMany(e => new ICheck[] { new TimeoutCheck(e, 4, b.System.Checks.Edges), new RetryCheck(e, 4, b.System.Checks.Edges) }),
                .. b.InOrder<BrokerComponent>().SelectMany(c => new ICheck[] { new BrokerTopologyCheck(c), new BrokerRoundTripCheck(c) }),
            ],
            Criterion = new("services", "Service-to-service communication operational", s =>
                $"every service healthy and reachable ({string.Join(", ", s.OfKind<ServiceComponent>().Select(c => c.Name))})"
                + (s.OfKind<BrokerComponent>().Any() ? $"; every broker queue consumed and dead-lettered ({string.Join(", ", s.OfKind<BrokerComponent>().Select(c => c.Name))})" : string.Empty)),
            Escalations = [EscalationTriggers.FailingComponents("dependent-services-failing", 3, FailingServicesEscalation, "Service integration failure")],
        },
        new StepDefinition
        {
            Number = 5,
            Name = "Frontend-backend",
            ReportTitle = "Frontend-backend integration",
            // A service's declared real-time streams are its clients' (a mobile app's too), and a machine-to-machine service's
            // token endpoint its callers': both checked with no frontend declared.
            AppliesTo = s => s.OfKind<FrontendComponent>().Any() || s.OfKind<ServiceComponent>().Any(c => c.Realtime.Count > 0 || c.Auth is ClientCredentialsAuth)
                ? Applicability.Yes
                : Applicability.No("no frontend component declared, and no service declares a realtime stream or a clientCredentials auth"),
            Checks = FrontendChecks,
            Criterion = new("frontend", "Frontend-backend integration complete", s => s.OfKind<FrontendComponent>().Any()
                ? $"CORS, auth flow, CRUD and real-time work for {string.Join(", ", s.OfKind<FrontendComponent>().Select(c => c.Name))}; its pages call the declared backend without errors in the browser"
                : string.Join("; ", new[]
                {
                    s.OfKind<ServiceComponent>().Where(c => c.Realtime.Count > 0).Select(c => c.Name).ToList() is { Count: > 0 } streams ? $"the real-time streams of {string.Join(", ", streams)} deliver their events" : null,
                    s.OfKind<ServiceComponent>().Where(c => c.Auth is ClientCredentialsAuth).Select(c => c.Name).ToList() is { Count: > 0 } m2m ? $"the token endpoints of {string.Join(", ", m2m)} grant and refuse as OAuth 2.0 says" : null,
                }.OfType<string>())),
            RollbackOnFailure = true,
        },
        new StepDefinition
        {
            Number = 6,
            Name = "Third-party integration",
            AppliesTo = s => s.OfKind<ThirdPartyComponent>().Any() ? Applicability.Yes : Applicability.No("no third-party component declared"),
            Checks = ThirdPartyChecks,
            Criterion = new("third-party", "Third-party integrations functional", s =>
                string.Join("; ", s.OfKind<ThirdPartyComponent>().Select(c =>
                    $"{c.Name}: timeout <= {Seconds(c.Policy?.Timeout ?? TimeSpan.FromSeconds(10))}, retries with backoff, fallback{(c.Policy?.Fallback is { } f ? $" ({f})" : string.Empty)}"))),
            Escalations = [EscalationTriggers.CriticalFindings("third-party-integration-breakdown", 3, "Third-party integration breakdown")],
            RollbackOnFailure = true,
        },
        new StepDefinition
        {
            Number = 7,
            Name = "Integration testing",
            ReportTitle = "Integration tests",
            AppliesTo = s => s.Journeys.Count > 0 || s.OfKind<ServiceComponent>().Any(c => c.OpenApi is not null)
                ? Applicability.Yes
                : Applicability.No("no journey declared and no service with an OpenAPI document"),
            Checks = b => [
                .. b.System.Journeys.SelectMany(j => JourneyCheck.For(j, journeys, b.System.Checks.Journeys)),
                // Before the checks that create objects of their own (concurrency, edge cases): its replay of the journey
                // must not meet their leftovers (ex13: an edge case's booking held the room the replay's create asked for).
                .. b.InOrder<ServiceComponent>().Where(c => b.System.Journeys.Any(j => j.Service == c.Name)).Select(c => (ICheck)new NetworkFailureCheck(c)),
                .. b.InOrder<ServiceComponent>().Where(c => c.OpenApi is not null).Select(c => (ICheck)new ConcurrencyCheck(c, new ContractDocuments(), b.System.Checks.Journeys)),
                .. b.InOrder<ServiceComponent>().Where(c => c.OpenApi is not null).Select(c => (ICheck)new PaginationCheck(c, new ContractDocuments())),
                .. b.InOrder<ServiceComponent>().Where(c => c.OpenApi is not null && b.System.Journeys.Any(j => j.Service == c.Name))
                    .Select(c => (ICheck)new EdgeCaseCheck(c, new ContractDocuments(), b.System.Checks.Journeys)),
                .. b.InOrder<ServiceComponent>().Where(c => c.OpenApi is not null).Select(c => (ICheck)new TransitionCheck(c, new ContractDocuments())),
                .. b.InOrder<ServiceComponent>().Where(c => c.Resources.Count > 0)
                    .SelectMany(c => c.Realtime.Select(r => (ICheck)new RealtimeConsistencyCheck(c, r, b.System.Checks.Journeys))),
                .. b.InOrder<ServiceComponent>().Where(c => b.System.Journeys.Any(j => j.Service == c.Name && j.HasBrowserSteps))
                    .Select(c => (ICheck)new BrowserNetworkFailureCheck(c, journeys, b.System.Checks.Journeys)),
            ],
            Criterion = new("critical-paths", "Critical user paths succeed", JourneyTarget),
            Escalations = [EscalationTriggers.Findings("data-integrity-violation", 3, DataIntegrityRules, "Data integrity violation")],
            RollbackOnFailure = true,
        },
        new StepDefinition
        {
            Number = 8,
            Name = "Performance and load",
            ReportTitle = "Performance",
            AppliesTo = s => LoadScenario.Target(s) is not null || Pages(s).Any()
                ? Applicability.Yes
                : Applicability.No("no service with a url to load and no frontend page to time"),
            Checks = b => [
                .. LoadScenario.Target(b.System) is { } target ? [new LoadCheck(target, load)] : Array.Empty<ICheck>(),
                .. b.InOrder<FrontendComponent>().Select(f => (ICheck)new FrontendTimingCheck(f, b.System.Checks.Pages)),
            ],
            Criterion = new("slo", "Performance SLOs met", PerformanceTarget),
            Escalations =
            [
                EscalationTriggers.EachMetricAbove("performance-regression", 2, PerformanceRules.RegressionMetric, PerformanceRegressionEscalation, m =>
                    $"Performance integration regression: {m.Value.ToString("P0", CultureInfo.InvariantCulture)} worse than the last GO baseline on {m} " +
                    $"(threshold {PerformanceRegressionEscalation.ToString("P0", CultureInfo.InvariantCulture)})"),
            ],
            RollbackOnFailure = true,
        },
        new StepDefinition
        {
            Number = 9,
            Name = "Security",
            AppliesTo = s => s.OfKind<ServiceComponent>().Any() || s.OfKind<FrontendComponent>().Any()
                ? Applicability.Yes
                : Applicability.No("no service or frontend to probe"),
            Checks = b => [
                .. SecurityProbes.For(b, b.System.Checks.Security),
                .. PassiveSecurity.Checks(b, audit), // last: they judge what every earlier probe received
            ],
            Criterion = new("security", "Zero critical vulnerabilities", _ => "0 critical findings"),
            Escalations = [EscalationTriggers.CriticalFindings("critical-vulnerability", 4, "Security integration vulnerability")],
            RollbackOnFailure = true,
        },
        new StepDefinition
        {
            Number = 10,
            Name = "Sign-off",
            Checks = _ => [new SignoffCheck()],

            // Gates the verdict: a run whose other criteria pass is "awaiting sign-off" (INCOMPLETE, exit 6) until the
            // reviewers reviewed and the approver signed off (archgate signoff).
            Criterion = new(SignoffJudge.CriterionId, "Sign-off obtained", s =>
                (s.Signoff.Reviewers.Count == 0 ? string.Empty : $"reviewed by {string.Join(", ", s.Signoff.Reviewers)}, then ") +
                $"signed off by {s.Signoff.Approver}"),
            RollbackOnFailure = true,
        },
    ]) { Snapshots = Recovery.DatabaseSnapshots.Default };

    /// <summary>Every check of every step that applies to <paramref name="system"/>, in run order (for tests and tools).</summary>
    public static IReadOnlyList<ICheck> ChecksFor(SystemModel system, LoadCheckOptions? load = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var protocol = load is null ? Default : Create(load);
        var context = new StepChecksContext(system, Archgate.Planning.Planner.Plan(system));
        return protocol.Steps.Where(s => s.AppliesTo(system).Applies).SelectMany(s => s.Checks(context)).ToList();
    }

    /// <summary>The services, third parties and brokers <paramref name="caller"/> depends on: the edges its readiness may report.</summary>
    private static List<string> Called(SystemModel system, Component caller) =>
        [.. caller.DependsOn.Where(d => system.Find(d)?.Kind is ComponentKind.Service or ComponentKind.ThirdParty or ComponentKind.Broker)];

    private static List<HttpComponent> ContractComponents(SystemModel system) =>
        [.. system.OfKind<HttpComponent>().Where(c => c.Kind is ComponentKind.Service or ComponentKind.ThirdParty && c.OpenApi is not null)];

    private static IEnumerable<ICheck> ContractChecks(StepChecksContext build)
    {
        var withContract = build.InOrder<ServiceComponent>().Concat<HttpComponent>(build.InOrder<ThirdPartyComponent>()).Where(c => c.OpenApi is not null).ToList();
        var documents = new ContractDocuments(); // each document loaded once, shared by its checks
        foreach (var c in withContract)
        {
            yield return new OpenApiDocumentCheck(c, documents);
        }

        foreach (var c in withContract)
        {
            yield return new ConformanceCheck(c, new ConformanceOptions().With(build.System.Checks.Conformance), documents);
        }

        foreach (var pact in PactCheck.ForAll(build.System.PactFiles))
        {
            yield return pact;
        }

        foreach (var c in withContract.Where(c => c.OpenApi!.Baseline is not null))
        {
            yield return new BreakingChangesCheck(c);
        }

        foreach (var broker in build.InOrder<BrokerComponent>().Where(b => b.Broker.AsyncApi is not null))
        {
            yield return new AsyncApiMessagesCheck(broker);
        }
    }

    /// <summary>
    /// Step 3 per database: reach it (itself, then each dependant with its own settings), its migrations, schema and
    /// seed data, pool settings, latency; then the disturbing ones (probe load, fault test); last the failure scenario,
    /// a final pass over all of their results.
    /// </summary>
    private static IEnumerable<ICheck> DatabaseChecks(SystemModel system, IReadOnlyList<DatabaseComponent> databases)
    {
        foreach (var d in databases)
        {
            yield return new ConnectivityCheck(d);
            foreach (var dependant in system.OfKind<ServiceComponent>().Where(c => c.DependsOn.Contains(d.Name)))
            {
                yield return new ClientConnectivityCheck(d, dependant);
            }

            yield return new MigrationsCheck(d);
            yield return new SchemaIntegrityCheck(d);
            yield return new SeedDataCheck(d);
            yield return new PoolSettingsCheck(d);
            yield return new LatencyBaselineCheck(d);
        }

        foreach (var d in databases)
        {
            yield return new PoolUtilizationCheck(d);
            yield return new RecoveryCheck(d);
        }

        yield return new FailureScenarioCheck();
    }

    /// <summary>
    /// Step 6: the secrets of the third parties' callers first (nothing disturbed), then per caller → provider edge in
    /// plan order its call with no fault, its timeout under a blackhole and its retries and fallback under 503s (an OIDC
    /// provider's edges only when they declare a drive: its sign-in check exercises them); then each provider's webhooks
    /// and OpenID Connect sign-in; each frontend's calls to a provider from the browser (analytics); last the recorded
    /// requests against each provider's published contract.
    /// </summary>
    private static IEnumerable<ICheck> ThirdPartyChecks(StepChecksContext build)
    {
        var providers = build.InOrder<ThirdPartyComponent>();
        yield return new SecretsInConfigCheck(providers);
        foreach (var edge in ProviderEdge.ThirdParties(build.System, providers).Where(e => e.Provider?.Oidc is null || e.Spec?.Drive is not null))
        {
            yield return new ProviderCallCheck(edge);
            yield return new TimeoutCheck(edge, 6, build.System.Checks.Edges);
            yield return new RetryCheck(edge, 6, build.System.Checks.Edges);
        }

        foreach (var provider in providers.Where(p => p.Webhook is not null))
        {
            yield return new WebhookCheck(provider);
        }

        foreach (var provider in providers.Where(p => p.Oidc is not null))
        {
            yield return new OidcCheck(provider);
        }

        // Frontends whose pages call a third party from the browser (analytics): events arrive, the page works without it.
        foreach (var frontend in build.InOrder<FrontendComponent>())
        {
            foreach (var provider in providers.Where(p => frontend.DependsOn.Contains(p.Name)))
            {
                yield return new AnalyticsCheck(frontend, provider, build.System.Checks.Analytics);
            }
        }

        // Last: every request the checks above made the callers send is on record at the proxies.
        foreach (var provider in providers.Where(p => p.Contract is not null))
        {
            yield return new VendorContractCheck(provider);
        }
    }

    /// <summary>
    /// Step 5: CORS from each frontend to each service it depends on; then, for each of those services, the auth flow
    /// and CRUD from its contract; the token endpoint of every service whose identity is a client credentials grant;
    /// every service's declared real-time streams; each frontend's pages in the browser last.
    /// </summary>
    private static IEnumerable<ICheck> FrontendChecks(StepChecksContext build)
    {
        var documents = new ContractDocuments();
        var frontends = build.InOrder<FrontendComponent>();
        var apis = build.InOrder<ServiceComponent>().Where(s => frontends.Any(f => f.DependsOn.Contains(s.Name))).ToList();
        foreach (var frontend in frontends)
        {
            foreach (var api in apis.Where(a => frontend.DependsOn.Contains(a.Name)))
            {
                yield return new Frontend.CorsCheck(frontend, api, documents);
            }
        }

        foreach (var api in apis)
        {
            if (api.Auth is LoginAuth)
            {
                yield return new AuthFlowCheck(api, documents);
            }

            if (api.OpenApi is not null)
            {
                yield return new CrudCheck(api, documents);
            }
        }

        // A machine-to-machine service (its identity a client credentials grant) has no frontend: its token endpoint is
        // checked all the same.
        foreach (var api in build.InOrder<ServiceComponent>().Where(s => s.Auth is ClientCredentialsAuth))
        {
            yield return new AuthFlowCheck(api, documents);
        }

        // Every declared stream, whether or not a declared frontend uses its service.
        foreach (var api in build.InOrder<ServiceComponent>().Where(s => s.Realtime.Count > 0))
        {
            foreach (var stream in api.Realtime)
            {
                yield return new RealtimeCheck(api, stream);
            }
        }

        foreach (var frontend in frontends)
        {
            yield return new BrowserCheck(frontend, build.System.Checks.Frontend);
        }
    }

    /// <summary>Step 7's target as the manifest sets it: each critical journey's runs and the success rate it needs.</summary>
    private static string JourneyTarget(SystemModel system)
    {
        var options = system.Checks.Journeys;
        var rate = options.CriticalSuccessRate.ToString("P0", CultureInfo.InvariantCulture);
        var critical = system.Journeys.Where(j => j.Critical).Select(j => $"'{j.Name}' ({j.Runs} runs)").ToList();
        var parts = new List<string> { critical.Count == 0 ? $">= {rate} journey success (no critical journey declared)" : $">= {rate} success of {string.Join(", ", critical)}" };
        if (system.OfKind<ServiceComponent>().Any(c => c.OpenApi is not null))
        {
            parts.Add($"{options.Parallel} concurrent updates with one ETag: exactly one succeeds");
        }

        return string.Join("; ", parts);
    }

    private static IEnumerable<FrontendComponent> Pages(SystemModel system) => system.OfKind<FrontendComponent>();

    /// <summary>Step 8's targets as the manifest sets them (its SLOs, else the protocol's defaults).</summary>
    private static string PerformanceTarget(SystemModel system)
    {
        var parts = new List<string>();
        if (LoadScenario.Target(system) is { } target)
        {
            var slo = system.Slos.GetValueOrDefault(target.Name);
            var users = system.Load.Stages.Select(s => s.Users).Distinct().ToList();
            var at = users.Count == 0 ? string.Empty : $"at {string.Join(users.Count == 2 ? " and " : ", ", users)} users";
            parts.Add($"{target.Name} p95 < {Ms(slo?.P95 ?? LoadReport.DefaultP95)} per route {at}, " +
                $"errors < {(slo?.ErrorRate ?? LoadReport.DefaultErrorRate).ToString("0.##%", CultureInfo.InvariantCulture)}");
        }

        parts.AddRange(Pages(system).Select(f =>
        {
            var slo = system.Slos.GetValueOrDefault(f.Name);
            return $"{f.Name} FCP < {Seconds(slo?.Fcp ?? FrontendTimingCheck.DefaultFcp)}, LCP < {Seconds(slo?.Lcp ?? FrontendTimingCheck.DefaultLcp)}";
        }));
        return string.Join("; ", parts);
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms";

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? string.Empty : "s")}";
}
