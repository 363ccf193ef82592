using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>edges</c>, <c>toxiproxy</c> and <c>balancing</c> sections: declared caller → dependency edges.</summary>
    private sealed partial class EdgesSectionReader(SectionContext context) : SectionReader(context)
    {
        public ToxiproxyServer? ReadToxiproxy(YamlMappingNode root)
        {
            var map = r.Mapping(YamlReader.Get(root, "toxiproxy"), "toxiproxy");
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, "toxiproxy", "api");
            var api = ReadUrl(r.Required(map, "toxiproxy", "api", "the base URL of the Toxiproxy server's HTTP API, for example http://127.0.0.1:8474"), "toxiproxy.api");
            return api is null ? null : new ToxiproxyServer(api);
        }

        public List<EdgeSpec> ReadEdges(YamlMappingNode root, List<Parsed> components, HashSet<string> names, bool toxiproxy)
        {
            var result = new List<EdgeSpec>();
            var list = r.Sequence(YamlReader.Get(root, "edges"), "edges");
            if (list is null)
            {
                return result;
            }

            var byName = components.ToDictionary(c => c.Component.Name, c => c.Component, StringComparer.Ordinal);
            foreach (var (map, path) in r.MappingItems(list, "edges"))
            {
                r.AllowKeys(map, path, "from", "to", "toxiproxy", "calls", "breaker", "drive", "fallback", "policy");
                var from = KnownComponent(r.Required(map, path, "from", "the calling component"), $"{path}.from", names);
                var toNode = r.Required(map, path, "to", "the component it calls");
                var to = KnownComponent(toNode, $"{path}.to", names);
                var proxyNode = YamlReader.Get(map, "toxiproxy");
                var proxy = r.String(proxyNode, $"{path}.toxiproxy");
                if (proxy is not null && !toxiproxy)
                {
                    r.Error(proxyNode!, $"{path}.toxiproxy", $"the edge names Toxiproxy proxy '{proxy}' but no Toxiproxy server is declared",
                        "add 'toxiproxy: { api: http://127.0.0.1:8474 }' at the top level");
                }

                var calls = r.String(YamlReader.Get(map, "calls"), $"{path}.calls");
                if (calls is not null && !calls.StartsWith('/'))
                {
                    r.Error(YamlReader.Get(map, "calls")!, $"{path}.calls", $"'{calls}' is not a path prefix", $"write '/{calls}'");
                }

                var breaker = ReadBreaker(YamlReader.Get(map, "breaker"), $"{path}.breaker");
                var drive = ReadDrive(YamlReader.Get(map, "drive"), $"{path}.drive", names, byName);
                var (fallback, within) = ReadFallback(YamlReader.Get(map, "fallback"), $"{path}.fallback");
                var policy = ReadPolicy(YamlReader.Get(map, "policy"), $"{path}.policy");
                if (from is null || to is null)
                {
                    continue;
                }

                if (byName.TryGetValue(from, out var caller) && !caller.DependsOn.Contains(to))
                {
                    r.Error(toNode!, $"{path}.to", $"{from} does not depend on '{to}'", $"add '{to}' to components.{from}.dependsOn");
                }

                var edge = new Edge(from, to);
                if (result.Any(e => e.Edge == edge))
                {
                    r.Error(map, path, $"edge {edge} is declared twice", "describe each edge once");
                    continue;
                }

                result.Add(new EdgeSpec { Edge = edge, ToxiproxyProxy = proxy, Calls = calls, Breaker = breaker, Drive = drive, FallbackStatus = fallback, FallbackWithin = within, Policy = policy, Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column) });
            }

            return result;
        }

        /// <summary>A <c>from</c>, <c>to</c> or instance name of the edges and balancing sections: a declared component, or an error naming the declared ones.</summary>
        private string? KnownComponent(YamlNode? node, string at, HashSet<string> names)
        {
            var name = r.String(node, at);
            if (name is not null && !names.Contains(name))
            {
                r.Error(node!, at, $"unknown component '{name}'", Suggest.DidYouMean(name, names.Order(StringComparer.Ordinal), "declared components: "));
                return null;
            }

            return name;
        }

        /// <summary>
        /// A <c>drive</c> of the edges and balancing sections (<c>{ request, json, via }</c> or <c>{ journey }</c>): the request
        /// that makes a caller call its dependency, sent to <c>via</c> when named, which must be a declared component with a url.
        /// </summary>
        private EdgeProbe? ReadDrive(YamlNode? node, string path, HashSet<string> names, Dictionary<string, Component> byName)
        {
            var drive = ReadEdgeProbe(node, path, journey: true);
            if (drive?.Via is not { } via || drive.Journey is not null) // a journey's service was checked with the journeys
            {
                return drive;
            }

            var viaNode = YamlReader.Get((YamlMappingNode)node!, "via")!;
            if (!names.Contains(via))
            {
                r.Error(viaNode, $"{path}.via", $"unknown component '{via}'", Suggest.DidYouMean(via, names.Order(StringComparer.Ordinal), "declared components: "));
                return null;
            }

            if (byName.TryGetValue(via, out var through) && through.Address is null)
            {
                r.Error(viaNode, $"{path}.via", $"'{via}' has no url to send the drive request to", "name a service the request can be sent to");
                return null;
            }

            return drive;
        }

        private BreakerPolicy? ReadBreaker(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "failures", "breakDuration", "timeout");
            var failures = r.Int(r.Required(map, path, "failures", "how many failed calls open the breaker, for example 'failures: 4'"), $"{path}.failures", 1, 1000);
            var breakDuration = r.BoundedDuration(map, path, "breakDuration", TimeSpan.FromMinutes(5));
            if (YamlReader.Get(map, "breakDuration") is null)
            {
                r.Error(map, path, "missing 'breakDuration'", "how long the breaker stays open before a trial call, for example 'breakDuration: 5s'");
            }

            var timeout = r.BoundedDuration(map, path, "timeout", TimeSpan.FromMinutes(5));
            return failures is null || breakDuration is null ? null : new BreakerPolicy(failures.Value, breakDuration.Value, timeout);
        }

        private (List<int> Status, TimeSpan? Within) ReadFallback(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return ([], null);
            }

            r.AllowKeys(map, path, "status", "within");
            var result = new List<int>();
            var statusNode = YamlReader.Get(map, "status");
            var list = statusNode is YamlSequenceNode seq ? seq.Children : statusNode is null ? [] : [statusNode];
            foreach (var item in list)
            {
                if (r.Int(item, $"{path}.status", 100, 599) is { } status)
                {
                    result.Add(status);
                }
            }

            return (result, r.BoundedDuration(map, path, "within", TimeSpan.FromMinutes(10)));
        }
    }
}
