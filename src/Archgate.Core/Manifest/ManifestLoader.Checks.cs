using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>The <c>checks</c> section: options of the check families, each key optional with a documented default.</summary>
public static partial class ManifestLoader
{
    private sealed partial class Builder
    {
        private CheckOptions ReadChecks(YamlMappingNode root)
        {
            var map = r.Mapping(YamlReader.Get(root, "checks"), "checks");
            if (map is null)
            {
                return new CheckOptions();
            }

            r.AllowKeys(map, "checks", "database", "brokers");
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
