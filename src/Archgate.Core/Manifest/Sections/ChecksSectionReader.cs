using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>checks</c> section: options of the check families.</summary>
    private sealed class ChecksSectionReader(SectionContext context) : SectionReader(context)
    {
        public CheckOptions ReadChecks(YamlMappingNode root)
        {
            var map = r.Mapping(YamlReader.Get(root, "checks"), "checks");
            if (map is null)
            {
                return new CheckOptions();
            }

            r.AllowKeys(map, "checks", "database", "brokers", "services", "performance", "security", "contracts", "frontend", "edges", "thirdParty", "journeys");
            var result = new CheckOptions();
            if (r.Mapping(YamlReader.Get(map, "database"), "checks.database") is { } database)
            {
                r.AllowKeys(database, "checks.database", "connectTimeout", "commandTimeout");
                var defaults = result.Database;
                result = result with
                {
                    Database = new DatabaseCheckOptions
                    {
                        ConnectTimeout = WholeSeconds(database, "checks.database", "connectTimeout") ?? defaults.ConnectTimeout,
                        CommandTimeout = WholeSeconds(database, "checks.database", "commandTimeout") ?? defaults.CommandTimeout,
                    },
                };
            }

            if (r.Mapping(YamlReader.Get(map, "brokers"), "checks.brokers") is { } brokers)
            {
                r.AllowKeys(brokers, "checks.brokers", "connectTimeout", "poll");
                var defaults = result.Brokers;
                result = result with
                {
                    Brokers = new BrokerCheckOptions
                    {
                        ConnectTimeout = r.BoundedDuration(brokers, "checks.brokers", "connectTimeout", TimeSpan.FromMinutes(2)) ?? defaults.ConnectTimeout,
                        Poll = r.BoundedDuration(brokers, "checks.brokers", "poll", TimeSpan.FromSeconds(10)) ?? defaults.Poll,
                    },
                };
            }

            if (r.Mapping(YamlReader.Get(map, "services"), "checks.services") is { } services)
            {
                result = result with { Services = ReadServiceChecks(services, result.Services) };
            }

            if (r.Mapping(YamlReader.Get(map, "performance"), "checks.performance") is { } performance)
            {
                r.AllowKeys(performance, "checks.performance", "pages");
                if (r.Mapping(YamlReader.Get(performance, "pages"), "checks.performance.pages") is { } pages)
                {
                    const string at = "checks.performance.pages";
                    r.AllowKeys(pages, at, "loads", "timeout");
                    var d = result.Pages;
                    result = result with
                    {
                        Pages = d with
                        {
                            Loads = r.Int(YamlReader.Get(pages, "loads"), $"{at}.loads", 1, 50) ?? d.Loads,
                            Timeout = r.BoundedDuration(pages, at, "timeout", TimeSpan.FromMinutes(5)) ?? d.Timeout,
                        },
                    };
                }
            }

            if (r.Mapping(YamlReader.Get(map, "security"), "checks.security") is { } security)
            {
                const string at = "checks.security";
                r.AllowKeys(security, at, "requests", "requestsPerOperation", "timeout", "budget", "sleepDelay", "expirySkew", "maxExpiryWait", "guesses");
                var d = result.Security;
                result = result with
                {
                    Security = d with
                    {
                        MaxRequests = r.Int(YamlReader.Get(security, "requests"), $"{at}.requests", 1, 100_000) ?? d.MaxRequests,
                        MaxRequestsPerOperation = r.Int(YamlReader.Get(security, "requestsPerOperation"), $"{at}.requestsPerOperation", 1, 10_000) ?? d.MaxRequestsPerOperation,
                        RequestTimeout = r.BoundedDuration(security, at, "timeout", TimeSpan.FromMinutes(5)) ?? d.RequestTimeout,
                        Budget = r.BoundedDuration(security, at, "budget", TimeSpan.FromHours(1)) ?? d.Budget,
                        SleepDelay = r.BoundedDuration(security, at, "sleepDelay", TimeSpan.FromSeconds(30)) ?? d.SleepDelay,
                        ExpirySkew = r.BoundedDuration(security, at, "expirySkew", TimeSpan.FromHours(1)) ?? d.ExpirySkew,
                        MaxExpiryWait = r.BoundedDuration(security, at, "maxExpiryWait", TimeSpan.FromMinutes(30)) ?? d.MaxExpiryWait,
                        Guesses = r.Int(YamlReader.Get(security, "guesses"), $"{at}.guesses", 1, 1000) ?? d.Guesses,
                    },
                };
            }

            return ReadStepChecks(map, result);
        }

        /// <summary>The families of steps 2 and 5-7: contracts, frontend, edges (steps 4 and 6), third parties, journeys.</summary>
        private CheckOptions ReadStepChecks(YamlMappingNode map, CheckOptions result)
        {
            if (r.Mapping(YamlReader.Get(map, "contracts"), "checks.contracts") is { } contracts)
            {
                r.AllowKeys(contracts, "checks.contracts", "conformance");
                result = result with { Conformance = ReadConformanceLimits(YamlReader.Get(contracts, "conformance"), "checks.contracts.conformance") ?? result.Conformance };
            }

            if (r.Mapping(YamlReader.Get(map, "frontend"), "checks.frontend") is { } frontend)
            {
                const string at = "checks.frontend";
                r.AllowKeys(frontend, at, "navigationTimeout", "settle", "quiet");
                var d = result.Frontend;
                result = result with
                {
                    Frontend = d with
                    {
                        NavigationTimeout = r.BoundedDuration(frontend, at, "navigationTimeout", TimeSpan.FromMinutes(5)) ?? d.NavigationTimeout,
                        SettleBound = r.BoundedDuration(frontend, at, "settle", TimeSpan.FromMinutes(5)) ?? d.SettleBound,
                        Quiet = r.BoundedDuration(frontend, at, "quiet", TimeSpan.FromSeconds(30)) ?? d.Quiet,
                    },
                };
            }

            if (r.Mapping(YamlReader.Get(map, "edges"), "checks.edges") is { } edges)
            {
                const string at = "checks.edges";
                r.AllowKeys(edges, at, "firstCallWait", "quiet", "sampleEvery", "retryRounds", "maxRetryRounds", "settle", "recovery");
                var d = result.Edges;
                var rounds = r.Int(YamlReader.Get(edges, "retryRounds"), $"{at}.retryRounds", 1, 10) ?? d.RetryRounds;
                var maxRounds = r.Int(YamlReader.Get(edges, "maxRetryRounds"), $"{at}.maxRetryRounds", 1, 20) ?? Math.Max(rounds, d.MaxRetryRounds);
                if (maxRounds < rounds)
                {
                    r.Error(YamlReader.Get(edges, "maxRetryRounds")!, $"{at}.maxRetryRounds", $"maxRetryRounds ({maxRounds}) is below retryRounds ({rounds})",
                        "maxRetryRounds is the most the retry check may drive in all, retryRounds included");
                }

                result = result with
                {
                    Edges = d with
                    {
                        FirstCallWait = r.BoundedDuration(edges, at, "firstCallWait", TimeSpan.FromMinutes(5)) ?? d.FirstCallWait,
                        Quiet = r.BoundedDuration(edges, at, "quiet", TimeSpan.FromMinutes(2)) ?? d.Quiet,
                        SampleEvery = r.BoundedDuration(edges, at, "sampleEvery", TimeSpan.FromSeconds(10)) ?? d.SampleEvery,
                        RetryRounds = rounds,
                        MaxRetryRounds = maxRounds,
                        Settle = r.BoundedDuration(edges, at, "settle", TimeSpan.FromMinutes(5)) ?? d.Settle,
                        Recovery = r.BoundedDuration(edges, at, "recovery", TimeSpan.FromMinutes(5)) ?? d.Recovery,
                    },
                };
            }

            if (r.Mapping(YamlReader.Get(map, "thirdParty"), "checks.thirdParty") is { } thirdParty)
            {
                r.AllowKeys(thirdParty, "checks.thirdParty", "analytics");
                if (r.Mapping(YamlReader.Get(thirdParty, "analytics"), "checks.thirdParty.analytics") is { } analytics)
                {
                    const string at = "checks.thirdParty.analytics";
                    r.AllowKeys(analytics, at, "navigationTimeout", "collect", "renderWithin", "responsive");
                    var d = result.Analytics;
                    result = result with
                    {
                        Analytics = d with
                        {
                            NavigationTimeout = r.BoundedDuration(analytics, at, "navigationTimeout", TimeSpan.FromMinutes(5)) ?? d.NavigationTimeout,
                            Collect = r.BoundedDuration(analytics, at, "collect", TimeSpan.FromMinutes(5)) ?? d.Collect,
                            RenderWithin = r.BoundedDuration(analytics, at, "renderWithin", TimeSpan.FromMinutes(5)) ?? d.RenderWithin,
                            Responsive = r.BoundedDuration(analytics, at, "responsive", TimeSpan.FromMinutes(1)) ?? d.Responsive,
                        },
                    };
                }
            }

            if (r.Mapping(YamlReader.Get(map, "journeys"), "checks.journeys") is { } journeys)
            {
                const string at = "checks.journeys";
                r.AllowKeys(journeys, at, "successRate", "parallel", "edgeCasesPerOperation", "browserStepTimeout", "browserStartTimeout", "eventSettle", "eventQuiet");
                var d = result.Journeys;
                result = result with
                {
                    Journeys = d with
                    {
                        CriticalSuccessRate = ReadRate(journeys, at, "successRate") ?? d.CriticalSuccessRate,
                        Parallel = r.Int(YamlReader.Get(journeys, "parallel"), $"{at}.parallel", 2, 200) ?? d.Parallel,
                        EdgeCasesPerOperation = r.Int(YamlReader.Get(journeys, "edgeCasesPerOperation"), $"{at}.edgeCasesPerOperation", 1, 1000) ?? d.EdgeCasesPerOperation,
                        BrowserStepTimeout = r.BoundedDuration(journeys, at, "browserStepTimeout", TimeSpan.FromMinutes(5)) ?? d.BrowserStepTimeout,
                        BrowserStartTimeout = r.BoundedDuration(journeys, at, "browserStartTimeout", TimeSpan.FromMinutes(5)) ?? d.BrowserStartTimeout,
                        EventSettle = r.BoundedDuration(journeys, at, "eventSettle", TimeSpan.FromMinutes(5)) ?? d.EventSettle,
                        EventQuiet = r.BoundedDuration(journeys, at, "eventQuiet", TimeSpan.FromMinutes(1)) ?? d.EventQuiet,
                    },
                };
            }

            return result;
        }

        /// <summary>A share written as a percentage (<c>95%</c>) or a fraction (<c>0.95</c>), above 0 and at most 1.</summary>
        private double? ReadRate(YamlMappingNode map, string path, string key)
        {
            var node = YamlReader.Get(map, key);
            var text = r.String(node, $"{path}.{key}");
            if (text is null)
            {
                return null;
            }

            var percent = text.EndsWith('%');
            if (!double.TryParse(percent ? text[..^1] : text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                || (percent ? value / 100 : value) is <= 0 or > 1)
            {
                r.Error(node!, $"{path}.{key}", $"'{text}' is not a share above 0 and at most 100 %", "write a percentage such as '95%' or a fraction such as 0.95");
                return null;
            }

            return percent ? value / 100 : value;
        }

        private ServiceCheckOptions ReadServiceChecks(YamlMappingNode map, ServiceCheckOptions defaults)
        {
            const string path = "checks.services";
            r.AllowKeys(map, path, "breaker", "cascade");
            var result = defaults;
            if (r.Mapping(YamlReader.Get(map, "breaker"), $"{path}.breaker") is { } breaker)
            {
                var at = $"{path}.breaker";
                r.AllowKeys(breaker, at, "driveEvery", "openWait", "thresholdWait", "callsAfterThreshold", "recoveryGrace", "sampleEvery");
                var d = defaults.Breaker;
                result = result with
                {
                    Breaker = new CircuitBreakerOptions
                    {
                        DriveEvery = r.BoundedDuration(breaker, at, "driveEvery", TimeSpan.FromSeconds(30)) ?? d.DriveEvery,
                        OpenWait = r.BoundedDuration(breaker, at, "openWait", TimeSpan.FromMinutes(5)) ?? d.OpenWait,
                        ThresholdWait = r.BoundedDuration(breaker, at, "thresholdWait", TimeSpan.FromMinutes(5)) ?? d.ThresholdWait,
                        AllowedCallsAfterThreshold = r.Int(YamlReader.Get(breaker, "callsAfterThreshold"), $"{at}.callsAfterThreshold", 0, 100) ?? d.AllowedCallsAfterThreshold,
                        RecoveryGrace = r.BoundedDuration(breaker, at, "recoveryGrace", TimeSpan.FromMinutes(5)) ?? d.RecoveryGrace,
                        SampleEvery = r.BoundedDuration(breaker, at, "sampleEvery", TimeSpan.FromSeconds(10)) ?? d.SampleEvery,
                    },
                };
            }

            if (r.Mapping(YamlReader.Get(map, "cascade"), $"{path}.cascade") is { } cascade)
            {
                var at = $"{path}.cascade";
                r.AllowKeys(cascade, at, "settle", "recoveryWait");
                var d = defaults.Cascade;
                result = result with
                {
                    Cascade = new CascadeOptions
                    {
                        Settle = r.BoundedDuration(cascade, at, "settle", TimeSpan.FromMinutes(1)) ?? d.Settle,
                        RecoveryWait = r.BoundedDuration(cascade, at, "recoveryWait", TimeSpan.FromMinutes(10)) ?? d.RecoveryWait,
                    },
                };
            }

            return result;
        }

        /// <summary>A duration of whole seconds (the database drivers take seconds), at most 10 minutes.</summary>
        private TimeSpan? WholeSeconds(YamlMappingNode map, string path, string key)
        {
            var value = r.BoundedDuration(map, path, key, TimeSpan.FromMinutes(10));
            if (value is { } v && v.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                r.Error(YamlReader.Get(map, key)!, $"{path}.{key}", $"{key} must be whole seconds", $"write '{Math.Ceiling(v.TotalSeconds)}s': the database drivers take seconds");
                return null;
            }

            return value;
        }
    }
}
