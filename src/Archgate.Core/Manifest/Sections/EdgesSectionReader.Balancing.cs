using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class EdgesSectionReader
    {
        public List<BalancingSpec> ReadBalancing(YamlMappingNode root, List<Parsed> components, HashSet<string> names)
        {
            var result = new List<BalancingSpec>();
            var list = r.Sequence(YamlReader.Get(root, "balancing"), "balancing");
            if (list is null)
            {
                return result;
            }

            var byName = components.ToDictionary(c => c.Component.Name, c => c.Component, StringComparer.Ordinal);
            foreach (var (map, path) in r.MappingItems(list, "balancing"))
            {
                r.AllowKeys(map, path, "from", "to", "policy", "drive", "calls", "requests", "concurrency");
                var from = KnownComponent(r.Required(map, path, "from", "the caller that balances"), $"{path}.from", names);
                var toNode = r.Required(map, path, "to", "the instances, each a declared component: [payments, payments-2]");
                var to = r.StringList(toNode, $"{path}.to");
                if (toNode is not null && to.Count < 2)
                {
                    r.Error(toNode, $"{path}.to", "balancing needs at least two instances", "list each instance as a component: [payments, payments-2]");
                }

                var caller = from is null ? null : byName.GetValueOrDefault(from);
                foreach (var (instance, node) in to)
                {
                    if (KnownComponent(node, $"{path}.to", names) is not null && caller is not null && !EdgeAddress.Of(caller).Contains(new Edge(caller.Name, instance)))
                    {
                        r.Error(node, $"{path}.to", $"{caller.Name} does not reach '{instance}' through ${{url:{instance}}}",
                            $"give {caller.Name} each instance's address as ${{url:NAME}} in its run.env: the proxies count each instance's calls");
                    }
                }

                var policyNode = r.Required(map, path, "policy", "round-robin or least-connections");
                var policyText = r.String(policyNode, $"{path}.policy");
                BalancingPolicy? policy = policyText switch
                {
                    "round-robin" => BalancingPolicy.RoundRobin,
                    "least-connections" => BalancingPolicy.LeastConnections,
                    _ => null,
                };
                if (policyText is not null && policy is null)
                {
                    r.Error(policyNode!, $"{path}.policy", $"unknown policy '{policyText}'", Suggest.DidYouMean(policyText, ["round-robin", "least-connections"], "one of: "));
                }

                var drive = ReadDrive(r.Required(map, path, "drive", "the caller operation that makes it call the dependency once: { request: POST /orders }"), $"{path}.drive", names, byName);
                var calls = r.String(YamlReader.Get(map, "calls"), $"{path}.calls");
                var requests = r.Int(YamlReader.Get(map, "requests"), $"{path}.requests", 10, 10000) ?? 40;
                var concurrency = r.Int(YamlReader.Get(map, "concurrency"), $"{path}.concurrency", 1, 256) ?? 4;
                if (from is null || policy is null || drive is null || to.Count < 2 || to.Any(t => !names.Contains(t.Value)))
                {
                    continue;
                }

                result.Add(new BalancingSpec(from, [.. to.Select(t => t.Value)], policy.Value, drive)
                {
                    Calls = calls,
                    Requests = requests,
                    Concurrency = concurrency,
                    Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column),
                });
            }

            return result;
        }
    }
}
