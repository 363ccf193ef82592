using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Pact;
using Archgate.Checks.Database;
using Archgate.Checks.Performance;
using Archgate.Checks.Planning;
using Archgate.Checks.Services;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;

namespace Archgate.Checks;

/// <summary>
/// The checks of every protocol step for a system, in the order they run. Checks that come in later
/// versions are listed as <see cref="PendingCheck"/>s so their steps show "not implemented yet", never pass.
/// </summary>
public static class ProtocolCatalog
{
    /// <summary>All checks for <paramref name="system"/>, step by step; per-component checks in plan order.</summary>
    public static IReadOnlyList<ICheck> ChecksFor(SystemModel system) => ChecksFor(system, new LoadCheckOptions());

    /// <summary>All checks for <paramref name="system"/>, with step 8's options (load agents).</summary>
    public static IReadOnlyList<ICheck> ChecksFor(SystemModel system, LoadCheckOptions load)
    {
        var order = Planner.Plan(system).Order.Select(p => p.Component).ToList();
        var services = order.Where(c => c.Kind == ComponentKind.Service).ToList();
        var frontends = order.Where(c => c.Kind == ComponentKind.Frontend).ToList();
        var thirdParties = order.Where(c => c.Kind == ComponentKind.ThirdParty).ToList();
        var databases = order.Where(c => c.Kind == ComponentKind.Database).ToList();
        var checks = new List<ICheck> { new PlanCheck() };

        // Step 2: API contracts.
        var withContract = services.Concat(thirdParties).Where(c => c.OpenApi is not null).ToList();
        var documents = new ContractDocuments(); // each document loaded once, shared by its checks
        checks.AddRange(withContract.Count > 0
            ? withContract.Select(c => (ICheck)new OpenApiDocumentCheck(c, documents))
            : [new NotApplicableCheck(2, "contracts.openapi", "OpenAPI documents are valid", "no component declares an OpenAPI document")]);
        if (withContract.Count > 0)
        {
            checks.AddRange(withContract.Select(c => (ICheck)new ConformanceCheck(c, documents: documents)));
        }

        checks.AddRange(system.PactFiles.Select(PactCheck.For));

        checks.AddRange(withContract.Where(c => c.OpenApi!.Baseline is not null).Select(c => new BreakingChangesCheck(c)));

        // Step 3: databases.
        if (databases.Count == 0)
        {
            checks.Add(new NotApplicableCheck(3, "database.connect", "Databases accept connections", "no database component declared"));
        }
        else
        {
            checks.AddRange(DatabaseChecks(system, databases));
        }

        // Step 4: services, in plan order.
        var healthy = services.Where(s => s.HealthPath is not null).ToList();
        checks.AddRange(healthy.Count > 0
            ? healthy.Select(s => (ICheck)new HealthCheck(s))
            : [new NotApplicableCheck(4, "services.health", "Services are healthy", "no service declares a health endpoint")]);
        if (services.Count > 0)
        {
            checks.Add(new PendingCheck(4, "services.resilience", "Discovery, call paths and circuit breakers under injected faults"));
        }

        // Steps 5-10 come in later versions; they apply only where the system has something to check.
        checks.Add(frontends.Count > 0
            ? new PendingCheck(5, "frontend.integration", "CORS, auth flow, CRUD and real-time")
            : new NotApplicableCheck(5, "frontend.integration", "Frontend-backend integration", "no frontend component declared"));
        checks.Add(thirdParties.Count > 0
            ? new PendingCheck(6, "third-party.resilience", "Timeouts, retries, fallback and secrets")
            : new NotApplicableCheck(6, "third-party.resilience", "Third-party integration", "no third-party component declared"));
        checks.Add(new PendingCheck(7, "journeys", "User journeys, data consistency and concurrency"));
        // Step 8: load against the target service, then page timing of each frontend.
        var loadTarget = LoadScenario.Target(system);
        checks.Add(loadTarget is not null
            ? new LoadCheck(loadTarget, load)
            : new NotApplicableCheck(8, "load", "Load at 100 and 500 users against the SLOs", "no service with a url to load"));
        checks.AddRange(frontends.Where(f => f.Url is not null).Select(f => new FrontendTimingCheck(f, new PageTimingOptions())));
        checks.Add(new PendingCheck(9, "security", "Auth, authorization, injection, headers, CSRF, TLS"));
        checks.Add(new PendingCheck(10, "signoff", "Sign-off by the required approvers"));
        return checks;
    }

    /// <summary>
    /// Step 3 per database: reach it (itself, then each dependant with its own settings), its migrations, schema and
    /// seed data, pool settings, latency; then the disturbing ones (probe load, fault test); last the failure scenario
    /// over the evidence all of them recorded.
    /// </summary>
    private static IEnumerable<ICheck> DatabaseChecks(SystemModel system, IReadOnlyList<Component> databases)
    {
        var evidence = new FailureEvidence();
        foreach (var d in databases)
        {
            yield return new ConnectivityCheck(d);
            foreach (var dependant in system.Components.Where(c => c.DependsOn.Contains(d.Name)))
            {
                yield return new ClientConnectivityCheck(d, dependant);
            }

            yield return new MigrationsCheck(d, evidence);
            yield return new SchemaIntegrityCheck(d, evidence);
            yield return new SeedDataCheck(d);
            yield return new PoolSettingsCheck(d, evidence);
            yield return new LatencyBaselineCheck(d, evidence);
        }

        foreach (var d in databases)
        {
            yield return new PoolUtilizationCheck(d, evidence);
            yield return new RecoveryCheck(d);
        }

        yield return new FailureScenarioCheck(evidence);
    }

    private sealed class NotApplicableCheck(int step, string id, string title, string reason) : ICheck
    {
        public string Id => id;

        public int Step => step;

        public string Title => title;

        public Applicability AppliesTo(SystemModel system) => Applicability.No(reason);

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(CheckResult.Skipped(reason));
    }
}
