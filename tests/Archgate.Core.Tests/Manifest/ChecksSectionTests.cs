using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

public sealed class ChecksSectionTests
{
    private const string Head = """
        version: 1
        system: { name: s }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:1" }

        """;

    private static ManifestLoadResult Parse(string yaml) => ManifestLoader.Parse(Head + yaml, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

    [Fact]
    public void Without_a_checks_section_every_family_has_its_documented_defaults()
    {
        var model = Parse(string.Empty).Model!;

        Assert.Equal(TimeSpan.FromSeconds(5), model.Checks.Database.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), model.Checks.Database.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), model.Checks.Brokers.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), model.Checks.Brokers.Poll);
        Assert.Equal(new CircuitBreakerOptions(), model.Checks.Services.Breaker);
        Assert.Equal(TimeSpan.FromSeconds(10), model.Checks.Services.Breaker.OpenWait);
        Assert.Equal(TimeSpan.FromSeconds(20), model.Checks.Services.Cascade.RecoveryWait);
        Assert.Equal(5, model.Checks.Pages.Loads);
        Assert.Null(model.Checks.Pages.ChromiumPath);
        Assert.Equal(400, model.Checks.Security.MaxRequests);
        Assert.Equal(TimeSpan.FromMinutes(2), model.Checks.Security.Budget);
    }

    [Fact]
    public void The_families_options_are_read_and_a_key_left_out_keeps_its_default()
    {
        var result = Parse("""
            checks:
              database: { connectTimeout: 2s, commandTimeout: 30s }
              brokers: { poll: 250ms }
              services:
                breaker: { openWait: 30s, callsAfterThreshold: 2 }
                cascade: { settle: 500ms }
              performance: { pages: { loads: 3, timeout: 45s } }
              security: { requests: 100, budget: 30s, guesses: 12 }
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var checks = result.Model!.Checks;
        Assert.Equal(new DatabaseCheckOptions { ConnectTimeout = TimeSpan.FromSeconds(2), CommandTimeout = TimeSpan.FromSeconds(30) }, checks.Database);
        Assert.Equal(new BrokerCheckOptions { Poll = TimeSpan.FromMilliseconds(250) }, checks.Brokers);
        Assert.Equal(new CircuitBreakerOptions { OpenWait = TimeSpan.FromSeconds(30), AllowedCallsAfterThreshold = 2 }, checks.Services.Breaker);
        Assert.Equal(new CascadeOptions { Settle = TimeSpan.FromMilliseconds(500) }, checks.Services.Cascade);
        Assert.Equal(new PageTimingOptions { Loads = 3, Timeout = TimeSpan.FromSeconds(45) }, checks.Pages);
        Assert.Equal(new SecurityProbeOptions { MaxRequests = 100, Budget = TimeSpan.FromSeconds(30), Guesses = 12 }, checks.Security);
    }

    [Fact]
    public void Every_mistake_in_checks_is_reported_at_once_with_its_place()
    {
        var errors = Parse("""
            checks:
              database: { connectTimeout: 1500ms, commandTimeout: 0s, retries: 3 }
              brokers: { connectTimeout: 1h }
              browser: {}
              services: { breaker: { openWait: 2h, trials: 1 }, cascade: { settle: -1s } }
              performance: { pages: { loads: 100 } }
              security: { requests: 0, sleep: 1s, guesses: 1001 }
            """).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("checks.database.connectTimeout", StringComparison.Ordinal) && e.Contains("whole seconds", StringComparison.Ordinal) && e.Contains("2s", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.database.commandTimeout", StringComparison.Ordinal) && e.Contains("above 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.database", StringComparison.Ordinal) && e.Contains("retries", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.brokers.connectTimeout", StringComparison.Ordinal) && e.Contains("at most 2m", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks", StringComparison.Ordinal) && e.Contains("browser", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.services.breaker.openWait", StringComparison.Ordinal) && e.Contains("at most 5m", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.services.breaker", StringComparison.Ordinal) && e.Contains("trials", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.services.cascade.settle", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.performance.pages.loads", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.security.requests", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.security", StringComparison.Ordinal) && e.Contains("sleep", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.security.guesses", StringComparison.Ordinal));
        Assert.Equal(12, errors.Count);
    }

    [Fact]
    public void The_options_of_steps_2_and_5_to_7_are_read_and_a_key_left_out_keeps_its_default()
    {
        var defaults = Parse(string.Empty).Model!.Checks;
        Assert.Equal(new ConformanceLimits(null, null, null, null), defaults.Conformance);
        Assert.Equal(0.95, defaults.Journeys.CriticalSuccessRate);
        Assert.Equal(10, defaults.Journeys.Parallel);
        Assert.Equal(2, defaults.Edges.RetryRounds);
        Assert.Equal(4, defaults.Edges.MaxRetryRounds);

        var result = Parse("""
            checks:
              contracts: { conformance: { budget: 30s, requestsPerOperation: 5 } }
              frontend: { navigationTimeout: 20s, settle: 5s }
              edges: { quiet: 1s, retryRounds: 3, recovery: 12s }
              thirdParty: { analytics: { collect: 3s } }
              journeys: { successRate: 90%, parallel: 4, browserStepTimeout: 5s }
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var checks = result.Model!.Checks;
        Assert.Equal(new ConformanceLimits(null, TimeSpan.FromSeconds(30), null, 5), checks.Conformance);
        Assert.Equal(new BrowserCheckOptions { NavigationTimeout = TimeSpan.FromSeconds(20), SettleBound = TimeSpan.FromSeconds(5) }, checks.Frontend);
        Assert.Equal(new EdgeExerciseOptions { Quiet = TimeSpan.FromSeconds(1), RetryRounds = 3, Recovery = TimeSpan.FromSeconds(12) }, checks.Edges);
        Assert.Equal(new AnalyticsOptions { Collect = TimeSpan.FromSeconds(3) }, checks.Analytics);
        Assert.Equal(new JourneyCheckOptions { CriticalSuccessRate = 0.9, Parallel = 4, BrowserStepTimeout = TimeSpan.FromSeconds(5) }, checks.Journeys);
        Assert.Equal(0.5, Parse("checks: { journeys: { successRate: 0.5 } }").Model!.Checks.Journeys.CriticalSuccessRate);
    }

    [Fact]
    public void Mistakes_in_the_options_of_steps_2_and_5_to_7_are_reported_at_once_with_their_place()
    {
        var errors = Parse("""
            checks:
              contracts: { conformance: { requests: 0 }, pacts: {} }
              frontend: { quiet: 1h }
              edges: { retryRounds: 5, maxRetryRounds: 3 }
              thirdParty: { analytics: { wait: 1s } }
              journeys: { successRate: 120%, parallel: 1 }
            """).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("checks.contracts.conformance.requests", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.contracts", StringComparison.Ordinal) && e.Contains("pacts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.frontend.quiet", StringComparison.Ordinal) && e.Contains("at most 30s", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.edges.maxRetryRounds", StringComparison.Ordinal) && e.Contains("below retryRounds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.thirdParty.analytics", StringComparison.Ordinal) && e.Contains("wait", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.journeys.successRate", StringComparison.Ordinal) && e.Contains("95%", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("checks.journeys.parallel", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }
}
