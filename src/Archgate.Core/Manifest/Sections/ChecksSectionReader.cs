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

            r.AllowKeys(map, "checks", "database", "brokers", "services", "performance", "security");
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
                r.AllowKeys(security, at, "requests", "requestsPerOperation", "timeout", "budget", "sleepDelay", "expirySkew", "maxExpiryWait");
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
                    },
                };
            }

            return result;
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
