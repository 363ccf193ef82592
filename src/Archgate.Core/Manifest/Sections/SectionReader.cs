using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>What every section reader shares: where errors go (<c>r</c>), how paths resolve, which hosts may be probed,
    /// the named identities, and the values several sections read the same way (urls, files, identities, requests, policies).</summary>
    private abstract partial class SectionReader(SectionContext context)
    {
        /// <summary>Where errors and warnings go; reads scalars, lists and maps with their positions.</summary>
        protected readonly YamlReader r = context.Reader;

        /// <summary>The manifest's folder: relative paths in it resolve against it.</summary>
        protected readonly string baseDirectory = context.BaseDirectory;

        /// <summary>The manifest's name as errors show it.</summary>
        protected readonly string displayName = context.DisplayName;

        /// <summary>The hosts Archgate may probe (<c>targets.allow</c>).</summary>
        protected readonly IReadOnlyList<string> allowedHosts = context.AllowedHosts;

        /// <summary>The named identities of the top-level <c>auth</c> section.</summary>
        protected readonly IReadOnlyDictionary<string, ServiceAuth> namedAuth = context.Identities;

        protected SourceLocation Where(YamlNode node) => new(displayName, (int)node.Start.Line, (int)node.Start.Column);

        protected Uri? ReadUrl(YamlNode? node, string path)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                r.Error(node!, path, $"invalid URL '{Redact.Url(text)}'", "write an absolute http or https URL, for example http://127.0.0.1:8080");
                return null;
            }

            if (!TargetPolicy.IsAllowed(url.Host, allowedHosts))
            {
                r.Error(node!, path, $"host '{url.Host}' is not in targets.allow",
                    $"Archgate only probes allowed hosts; add '{url.Host}' to targets.allow if it may be probed (allowed now: {string.Join(", ", allowedHosts)})");
            }

            return url;
        }

        protected string? ExistingFile(YamlNode? node, string path)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && !uri.IsFile)
            {
                r.Error(node!, path, $"URLs are not supported yet: {Redact.Url(text)}", "download the document next to the manifest and give its path");
                return null;
            }

            var full = Path.GetFullPath(Path.Combine(baseDirectory, text));
            switch (RegularFile.Problem(full, ManifestLimits.MaxContractBytes))
            {
                case null:
                    return full;
                case "file not found":
                    r.Error(node!, path, $"file not found: {text}", "paths are relative to the folder of the manifest");
                    return null;
                case { } problem:
                    r.Error(node!, path, $"cannot read {text}: {problem}", $"give a regular file of at most {ManifestLimits.MaxContractBytes / (1024 * 1024)} MB");
                    return null;
            }
        }

        protected CallPolicy? ReadPolicy(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "timeout", "retries", "backoff", "fallback");
            var timeout = r.Duration(YamlReader.Get(map, "timeout"), $"{path}.timeout");
            var retries = r.Int(YamlReader.Get(map, "retries"), $"{path}.retries", 0, 20);
            var backoffNode = YamlReader.Get(map, "backoff");
            var backoff = r.String(backoffNode, $"{path}.backoff");
            string[] backoffs = ["exponential", "linear", "constant", "none"];
            if (backoff is not null && !backoffs.Contains(backoff))
            {
                r.Error(backoffNode!, $"{path}.backoff", $"unknown backoff '{backoff}'", Suggest.DidYouMean(backoff, backoffs, "one of: "));
            }

            var fallbackNode = YamlReader.Get(map, "fallback");
            var fallback = r.String(fallbackNode, $"{path}.fallback");
            string[] fallbacks = [.. CallPolicy.Queueing, .. CallPolicy.BestEffort];
            if (fallback is not null && !fallbacks.Contains(fallback, StringComparer.OrdinalIgnoreCase))
            {
                r.Error(fallbackNode!, $"{path}.fallback", $"unknown fallback '{fallback}'",
                    Suggest.DidYouMean(fallback, fallbacks, "queue or outbox keep the work and send it again after the outage; degrade, drop, cache or default mark a best-effort call that owes nothing afterwards. One of: "));
            }

            return new CallPolicy(timeout, retries, backoff, fallback);
        }

        /// <summary>
        /// A request sent to a caller (<c>{ request, json, via }</c>); with <paramref name="journey"/>, a drive, which may
        /// instead name a journey (<c>{ journey: NAME }</c>) whose last step is the request, sent to the journey's service.
        /// </summary>
        protected EdgeProbe? ReadEdgeProbe(YamlNode? node, string path, bool journey = false)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            if (journey && YamlReader.Get(map, "journey") is { } journeyNode)
            {
                return ReadJourneyDrive(map, journeyNode, path);
            }

            if (journey)
            {
                r.AllowKeys(map, path, "request", "json", "via", "journey");
            }
            else
            {
                r.AllowKeys(map, path, "request", "json", "via");
            }

            var requestNode = r.Required(map, path, "request", "the caller operation, for example 'request: POST /orders'");
            var request = r.String(requestNode, $"{path}.request");
            var jsonNode = YamlReader.Get(map, "json");
            var json = jsonNode is null ? null : ToJson(jsonNode, $"{path}.json");
            var words = request?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words is not [var method, var target] || !target.StartsWith('/'))
            {
                if (request is not null)
                {
                    r.Error(requestNode!, $"{path}.request", $"'{request}' is not 'METHOD /path'", "for example 'POST /orders'");
                }

                return null;
            }

            return new EdgeProbe(method.ToUpperInvariant(), target, json) { Via = r.String(YamlReader.Get(map, "via"), $"{path}.via") };
        }

        private static readonly string[] RequestKeys = ["request", "json"];

        private EdgeProbe? ReadJourneyDrive(YamlMappingNode map, YamlNode journeyNode, string path)
        {
            r.AllowKeys(map, path, "journey", "via", "request", "json"); // a request beside the journey is its own error below
            foreach (var written in RequestKeys.Where(k => YamlReader.Get(map, k) is not null))
            {
                r.Error(YamlReader.Get(map, written)!, $"{path}.{written}", $"a drive is a request or a journey, not both: '{written}' beside 'journey'",
                    "the journey's last step is the drive request; remove 'request' and 'json', or 'journey'");
            }

            var name = r.String(journeyNode, $"{path}.journey");
            if (name is null)
            {
                return null;
            }

            if (!context.DriveJourneys.TryGetValue(name, out var found))
            {
                r.Error(journeyNode, $"{path}.journey", $"unknown journey '{name}'", context.DriveJourneys.Count == 0
                    ? "declare it under 'journeys' (step 7): its setup runs once per check, its steps before each send, and its last step is the drive request"
                    : Suggest.DidYouMean(name, context.DriveJourneys.Keys.Order(StringComparer.Ordinal), "declared journeys: "));
                return null;
            }

            if (found.Problem is not null || found.Method is null || found.Path is null)
            {
                r.Error(journeyNode, $"{path}.journey", $"journey '{name}' cannot be a drive: {found.Problem}",
                    "a drive journey sends HTTP requests only, and ends with the request that makes the caller call its dependency");
                return null;
            }

            if (YamlReader.Get(map, "via") is { } viaNode)
            {
                r.Error(viaNode, $"{path}.via", $"a journey drive is sent to its journey's service, not 'via'",
                    $"remove 'via'; to choose the service, set 'service:' on journey '{name}'");
                return null;
            }

            // Via: the journey's service; when the journey names none, the journeys' default, set once every section is read.
            return new EdgeProbe(found.Method, found.Path, null) { Via = found.Service, Journey = name };
        }

        /// <summary>Bounds of a live conformance run (<c>openapi.conformance</c>, <c>checks.contracts.conformance</c>).</summary>
        protected ConformanceLimits? ReadConformanceLimits(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "timeout", "budget", "requests", "requestsPerOperation");
            TimeSpan? Duration(string key, TimeSpan max) => r.BoundedDuration(map, path, key, max);

            return new ConformanceLimits(
                Duration("timeout", TimeSpan.FromMinutes(5)),
                Duration("budget", TimeSpan.FromHours(1)),
                r.Int(YamlReader.Get(map, "requests"), $"{path}.requests", 1, 100_000),
                r.Int(YamlReader.Get(map, "requestsPerOperation"), $"{path}.requestsPerOperation", 1, 1000));
        }
    }
}
