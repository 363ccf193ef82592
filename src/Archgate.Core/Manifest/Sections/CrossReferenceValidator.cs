using Archgate.Model;
using Archgate.Planning;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>Runs after every section is read: names that one section gives and another must declare (dependsOn, edges,
    /// webhooks, OIDC callers, brokers, database references), reported at the place that names them.</summary>
    private sealed class CrossReferenceValidator(SectionContext context) : SectionReader(context)
    {
        /// <summary>Checks every name one section gives that another must declare; <paramref name="names"/> are all the declared ones.</summary>
        public void Validate(YamlMappingNode root, ComponentsSection components, HashSet<string> names)
        {
            var parsed = components.Parsed;
            CheckLoginComponents(root, parsed, names);
            CheckReferences(parsed, names);
            CheckDatabaseReferences(parsed, names, components.DatabaseReferences);
            CheckEdgeAddresses(parsed, names);
            CheckWebhooks(parsed, names);
            CheckOidc(parsed, names);
            CheckBrokers(parsed, names);
            CheckResourceDatabases(parsed, components.ResourceDatabases);
        }

        /// <summary>A broker's queue consumers and its AsyncAPI drive name declared components; the drive's service has a url.</summary>
        private void CheckBrokers(List<Parsed> components, HashSet<string> names)
        {
            foreach (var (parsed, spec) in components.Select(p => (p, (p.Component as BrokerComponent)?.Broker)).Where(p => p.Item2 is not null))
            {
                var path = $"components.{parsed.Component.Name}";
                var queuesNode = YamlReader.Get(parsed.Node, "queues") as YamlSequenceNode;
                var index = 0;
                foreach (var queue in spec!.Queues)
                {
                    var queueNode = queuesNode?.Children.ElementAtOrDefault(index++) as YamlMappingNode;
                    foreach (var consumer in queue.Consumers.Where(c => !names.Contains(c)))
                    {
                        r.Error(queueNode is null ? parsed.Node : YamlReader.Get(queueNode, "consumers") ?? queueNode, $"{path}.queues.{queue.Name}.consumers",
                            $"unknown component '{consumer}'", Suggest.DidYouMean(consumer, names.Order(StringComparer.Ordinal), "declared components: "));
                    }
                }

                if (spec.AsyncApi?.Drive is { Via: { } via, Journey: null }) // a journey drive goes to its service, checked with the journeys
                {
                    var viaNode = YamlReader.Get((YamlMappingNode)YamlReader.Get((YamlMappingNode)YamlReader.Get(parsed.Node, "asyncapi")!, "drive")!, "via")!;
                    var target = components.FirstOrDefault(c => c.Component.Name == via)?.Component;
                    if (!names.Contains(via))
                    {
                        r.Error(viaNode, $"{path}.asyncapi.drive.via", $"unknown component '{via}'", Suggest.DidYouMean(via, names.Order(StringComparer.Ordinal), "declared components: "));
                    }
                    else if (target?.Address is null)
                    {
                        r.Error(viaNode, $"{path}.asyncapi.drive.via", $"'{via}' has no url to send the drive request to", "name a service the request can be sent to");
                    }
                }
            }
        }

        /// <summary>A webhook's receiver is a declared component with a url.</summary>
        private void CheckWebhooks(List<Parsed> components, HashSet<string> names)
        {
            foreach (var (parsed, webhook) in components.Select(p => (p, (p.Component as ThirdPartyComponent)?.Webhook)).Where(p => p.Item2 is not null))
            {
                var to = webhook!.Receiver;
                var path = $"components.{parsed.Component.Name}.webhook.to";
                var node = YamlReader.Get((YamlMappingNode)YamlReader.Get(parsed.Node, "webhook")!, "to")!;
                var receiver = components.FirstOrDefault(c => c.Component.Name == to)?.Component;
                if (!names.Contains(to))
                {
                    r.Error(node, path, $"unknown component '{to}'", Suggest.DidYouMean(to, names.Order(StringComparer.Ordinal), "declared components: "));
                }
                else if (receiver?.Address is null)
                {
                    r.Error(node, path, $"'{to}' has no url to send callbacks to", "name the service that receives the provider's webhooks");
                }
            }
        }

        /// <summary>A probe's <c>via</c> and every key of <c>clients</c> must name a component that depends on the database.</summary>
        private void CheckDatabaseReferences(List<Parsed> components, HashSet<string> names, IEnumerable<(string Database, string Target, YamlNode Node, string Path, bool ServiceOnly)> references)
        {
            foreach (var (database, target, node, path, serviceOnly) in references)
            {
                var component = components.FirstOrDefault(c => c.Component.Name == target)?.Component;
                if (!names.Contains(target))
                {
                    r.Error(node, path, $"unknown component '{target}'", Suggest.DidYouMean(target, names.Order(StringComparer.Ordinal), "declared components: "));
                }
                else if (component is not null && serviceOnly && component.Kind != ComponentKind.Service)
                {
                    r.Error(node, path, $"'{target}' is not a service", "probe requests go to a service that uses this database");
                }
                else if (component is not null && !component.DependsOn.Contains(database))
                {
                    r.Error(node, path, $"'{target}' does not depend on '{database}'",
                        $"add '{database}' to the dependsOn of '{target}', or name a component that uses this database");
                }
            }
        }

        /// <summary>Each <c>${url:NAME}</c> names a declared component with a url that the caller depends on.</summary>
        private void CheckEdgeAddresses(List<Parsed> components, HashSet<string> names)
        {
            var byName = components.ToDictionary(c => c.Component.Name, c => c.Component, StringComparer.Ordinal);
            foreach (var parsed in components.Where(p => p.Component.Run is not null))
            {
                var env = YamlReader.Get(parsed.Node, "run") is YamlMappingNode run ? YamlReader.Get(run, "env") as YamlMappingNode : null;
                foreach (var (key, value) in parsed.Component.Run!.Environment)
                {
                    var node = env?.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode s && s.Value == key).Value ?? parsed.Node;
                    var path = $"components.{parsed.Component.Name}.run.env.{key}";
                    foreach (var dependency in EdgeAddress.References(value))
                    {
                        if (!names.Contains(dependency))
                        {
                            r.Error(node, path, $"${{url:{dependency}}} names an unknown component",
                                Suggest.DidYouMean(dependency, names.Order(StringComparer.Ordinal), "declared components: "));
                        }
                        else if (byName.TryGetValue(dependency, out var target) && EdgeAddress.Target(target) is null)
                        {
                            r.Error(node, path, $"${{url:{dependency}}}: '{dependency}' has no url",
                                "only services, frontends, third parties and brokers have an address; a database's connection string goes in as it is");
                        }
                        else if (!parsed.Component.DependsOn.Contains(dependency))
                        {
                            r.Error(node, path, $"${{url:{dependency}}}: {parsed.Component.Name} calls '{dependency}' but does not depend on it",
                                $"add '{dependency}' to components.{parsed.Component.Name}.dependsOn");
                        }
                    }
                }
            }
        }

        /// <summary>Each <c>resources.*.database</c> names a database component.</summary>
        private void CheckResourceDatabases(List<Parsed> components, IEnumerable<(string Database, YamlNode Node, string Path)> references)
        {
            var databases = components.Where(c => c.Component.Kind == ComponentKind.Database).Select(c => c.Component.Name).ToList();
            foreach (var (database, node, path) in references.Where(d => !databases.Contains(d.Database)))
            {
                r.Error(node, path, $"'{database}' is not a database component", Suggest.DidYouMean(database, databases, "databases: "));
            }
        }

        /// <summary>The component that takes a provider's id tokens is a declared component with a url (checked even when the rest of the section has mistakes).</summary>
        private void CheckOidc(List<Parsed> components, HashSet<string> names)
        {
            foreach (var parsed in components.Where(p => p.Component.Kind == ComponentKind.ThirdParty))
            {
                if (YamlReader.Get(parsed.Node, "oidc") is not YamlMappingNode oidc || YamlReader.Get(oidc, "to") is not YamlScalarNode { Value: { Length: > 0 } to } node)
                {
                    continue;
                }

                var path = $"components.{parsed.Component.Name}.oidc.to";
                var receiver = components.FirstOrDefault(c => c.Component.Name == to)?.Component;
                if (!names.Contains(to))
                {
                    r.Error(node, path, $"unknown component '{to}'", Suggest.DidYouMean(to, names.Order(StringComparer.Ordinal), "declared components: "));
                }
                else if (receiver?.Address is null)
                {
                    r.Error(node, path, $"'{to}' has no url to send id tokens to", "name the service that signs users in with the provider's id tokens");
                }
            }
        }

        /// <summary>A login's or a client credentials grant's <c>at</c> names a declared component with a url, where the login is sent.</summary>
        private void CheckLoginComponents(YamlMappingNode root, List<Parsed> components, HashSet<string> names)
        {
            var ats = namedAuth.Select(a => (a.Key, At: a.Value switch
            {
                LoginAuth login => login.At,
                ClientCredentialsAuth client => client.At,
                _ => null,
            }, Under: a.Value is ClientCredentialsAuth ? "clientCredentials" : null)).Where(a => a.At is not null);
            foreach (var (name, at, under) in ats)
            {
                var definition = (YamlMappingNode)YamlReader.Get((YamlMappingNode)YamlReader.Get(root, "auth")!, name)!;
                var node = YamlReader.Get(under is null ? definition : (YamlMappingNode)YamlReader.Get(definition, under)!, "at")!;
                var path = under is null ? $"auth.{name}.at" : $"auth.{name}.{under}.at";
                if (!names.Contains(at!))
                {
                    r.Error(node, path, $"unknown component '{at}'", Suggest.DidYouMean(at!, names.Order(StringComparer.Ordinal), "declared components: "));
                }
                else if (components.FirstOrDefault(c => c.Component.Name == at)?.Component.Address is null)
                {
                    r.Error(node, path, $"'{at}' has no url to send the login to", "name the service that signs users in (an identity provider, or the service whose tokens the others accept)");
                }
            }
        }

        /// <summary>Every name under components, even of components with errors, so one mistake does not cascade.</summary>
        public static HashSet<string> DeclaredNames(YamlMappingNode root) =>
            (YamlReader.Get(root, "components") as YamlSequenceNode)?.Children
                .OfType<YamlMappingNode>()
                .Select(m => (YamlReader.Get(m, "name") as YamlScalarNode)?.Value)
                .Where(n => !string.IsNullOrEmpty(n))
                .Select(n => n!)
                .ToHashSet(StringComparer.Ordinal) ?? [];

        private void CheckReferences(List<Parsed> components, HashSet<string> names)
        {
            foreach (var parsed in components)
            {
                foreach (var (dep, node) in parsed.Deps)
                {
                    if (dep == parsed.Component.Name)
                    {
                        r.Error(node, $"components.{parsed.Component.Name}.dependsOn", $"'{dep}' depends on itself", "remove it from its own dependsOn");
                    }
                    else if (!names.Contains(dep))
                    {
                        r.Error(node, $"components.{parsed.Component.Name}.dependsOn", $"unknown component '{dep}'",
                            Suggest.DidYouMean(dep, names.Order(StringComparer.Ordinal), "declared components: "));
                    }
                }
            }

            var graph = components.ToDictionary(
                c => c.Component.Name,
                c => (IReadOnlyList<string>)c.Component.DependsOn.Where(d => names.Contains(d) && d != c.Component.Name).ToList(),
                StringComparer.Ordinal);
            foreach (var cycle in DependencyGraph.FindCycles(graph))
            {
                var first = components.First(c => c.Component.Name == cycle[0]);
                var edge = first.Deps.First(d => d.Value == cycle[1]).Node;
                r.Error(edge, $"components.{cycle[0]}.dependsOn", $"dependency cycle: {string.Join(" -> ", cycle)}",
                    "a system needs an order to integrate in; break the cycle (for example with an event or a callback that is not a start-up dependency)");
            }
        }
    }
}
