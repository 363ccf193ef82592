using System.Globalization;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] DiscoverySources = ["static", "dns", "consul", "eureka", "kubernetes"];

    private sealed partial class ComponentsSectionReader
    {
        private DiscoverySpec? ReadDiscovery(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, [.. DiscoverySources, "instances"]);
            var sources = DiscoverySources.Where(s => YamlReader.Get(map, s) is not null).ToList();
            if (sources.Count != 1)
            {
                r.Error(map, path, sources.Count == 0 ? "no discovery source" : $"several discovery sources ({string.Join(", ", sources)})",
                    "give exactly one of: " + string.Join(", ", DiscoverySources));
                return null;
            }

            var min = r.Int(YamlReader.Get(map, "instances"), $"{path}.instances", 1, 1000) ?? 1;
            var source = sources[0];
            var sourcePath = $"{path}.{source}";
            var sourceNode = YamlReader.Get(map, source)!;
            DiscoverySpec? spec = source switch
            {
                "static" => ReadStaticDiscovery(sourceNode, sourcePath),
                "dns" => ReadDnsDiscovery(sourceNode, sourcePath),
                "consul" => ReadConsulDiscovery(sourceNode, sourcePath),
                "eureka" => ReadEurekaDiscovery(sourceNode, sourcePath),
                _ => ReadKubernetesDiscovery(sourceNode, sourcePath),
            };
            return spec is null ? null : spec with { MinInstances = min, Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column) };
        }

        private StaticDiscovery? ReadStaticDiscovery(YamlNode node, string path)
        {
            var urls = r.Sequence(node, path);
            if (urls is null)
            {
                return null;
            }

            var list = urls.Children.Select((u, i) => ReadUrl(u, $"{path}[{i}]")).ToList();
            if (list.Count == 0)
            {
                r.Error(node, path, "the static list is empty", "list each instance's base URL: [http://127.0.0.1:7101, http://127.0.0.1:7102]");
                return null;
            }

            return list.Any(u => u is null) ? null : new StaticDiscovery([.. list.OfType<Uri>()]);
        }

        private DnsDiscovery? ReadDnsDiscovery(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "name", "type", "server", "port", "scheme");
            var name = r.String(r.Required(map, path, "name", "the DNS name, for example _http._tcp.payments.default.svc.cluster.local"), $"{path}.name");
            var typeNode = YamlReader.Get(map, "type");
            var type = r.String(typeNode, $"{path}.type") ?? "A";
            DnsRecordKind? kind = type.ToUpperInvariant() switch
            {
                "A" or "AAAA" => DnsRecordKind.Address,
                "SRV" => DnsRecordKind.Srv,
                _ => null,
            };
            if (kind is null)
            {
                r.Error(typeNode!, $"{path}.type", $"unknown record type '{type}'", "one of: A (A and AAAA), SRV");
            }

            var serverNode = YamlReader.Get(map, "server");
            var server = r.String(serverNode, $"{path}.server");
            if (server is not null && !TryHostPort(server, out _, out _))
            {
                r.Error(serverNode!, $"{path}.server", $"'{server}' is not host:port", "write the DNS server's address and port, for example 127.0.0.1:53");
                server = null;
            }

            var port = r.Int(YamlReader.Get(map, "port"), $"{path}.port", 1, 65535);
            var scheme = ReadScheme(map, path);
            return name is null || kind is null ? null : new DnsDiscovery(name, kind.Value, server, port) { Scheme = scheme };
        }

        private ConsulDiscovery? ReadConsulDiscovery(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "api", "service", "token");
            var api = ReadUrl(r.Required(map, path, "api", "Consul's HTTP API, for example http://127.0.0.1:8500"), $"{path}.api");
            var service = r.String(r.Required(map, path, "service", "the service name as registered in Consul"), $"{path}.service");
            var token = r.String(YamlReader.Get(map, "token"), $"{path}.token");
            return api is null || service is null ? null : new ConsulDiscovery(api, service) { Token = token };
        }

        private EurekaDiscovery? ReadEurekaDiscovery(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "api", "app");
            var api = ReadUrl(r.Required(map, path, "api", "Eureka's REST base, for example http://127.0.0.1:8761/eureka"), $"{path}.api");
            var app = r.String(r.Required(map, path, "app", "the application id, for example PAYMENTS"), $"{path}.app");
            return api is null || app is null ? null : new EurekaDiscovery(api, app);
        }

        private KubernetesDiscovery? ReadKubernetesDiscovery(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "api", "namespace", "service", "resource", "port", "token", "scheme");
            var api = ReadUrl(r.Required(map, path, "api", "the API server, for example http://127.0.0.1:8001 (kubectl proxy)"), $"{path}.api");
            var ns = r.String(YamlReader.Get(map, "namespace"), $"{path}.namespace") ?? "default";
            var service = r.String(r.Required(map, path, "service", "the Kubernetes service name"), $"{path}.service");
            var resourceNode = YamlReader.Get(map, "resource");
            var resource = r.String(resourceNode, $"{path}.resource") ?? "endpointslices";
            if (resource is not ("endpointslices" or "endpoints"))
            {
                r.Error(resourceNode!, $"{path}.resource", $"unknown resource '{resource}'", "one of: endpointslices (discovery.k8s.io/v1), endpoints (v1)");
            }

            var port = r.String(YamlReader.Get(map, "port"), $"{path}.port");
            var token = r.String(YamlReader.Get(map, "token"), $"{path}.token");
            var scheme = ReadScheme(map, path);
            return api is null || service is null
                ? null
                : new KubernetesDiscovery(api, ns, service) { Endpoints = resource == "endpoints", PortName = port, Token = token, Scheme = scheme };
        }

        private string ReadScheme(YamlMappingNode map, string path)
        {
            var node = YamlReader.Get(map, "scheme");
            var scheme = r.String(node, $"{path}.scheme") ?? "http";
            if (scheme is not ("http" or "https"))
            {
                r.Error(node!, $"{path}.scheme", $"unknown scheme '{scheme}'", "one of: http, https");
                return "http";
            }

            return scheme;
        }

        private static bool TryHostPort(string text, out string host, out int port)
        {
            host = string.Empty;
            port = 0;
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }

            host = text[..colon].Trim('[', ']');
            return true;
        }
    }
}
