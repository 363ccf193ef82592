using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Archgate.Import;

/// <summary>
/// Kubernetes YAML (one or many documents, a rendered Helm chart too): each workload (Deployment, StatefulSet, DaemonSet,
/// Pod) as a component named after the Service that selects it, its url on 127.0.0.1 through a port-forward, its readiness
/// probe as health, PostgreSQL images as databases, environment values (ConfigMaps included) that name a Service as edges.
/// </summary>
internal static class KubernetesImporter
{
    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet"];

    public static ImportedSystem Read(string yaml, string sourceName, string fallbackName)
    {
        var objects = new List<YamlMappingNode>();
        foreach (var document in ImportYaml.Documents(yaml))
        {
            if (document is not YamlMappingNode map)
            {
                continue;
            }

            if (ImportYaml.Text(map, "kind") == "List" && ImportYaml.Get(map, "items") is YamlSequenceNode items)
            {
                objects.AddRange(items.Children.OfType<YamlMappingNode>());
            }
            else
            {
                objects.Add(map);
            }
        }

        var ofKind = objects.Where(o => ImportYaml.Text(o, "kind") is not null).ToList();
        if (ofKind.Count == 0)
        {
            throw new ImportException("no Kubernetes objects (documents with 'kind') in the file");
        }

        var services = ofKind.Where(o => ImportYaml.Text(o, "kind") == "Service").ToList();
        var configMaps = ofKind.Where(o => ImportYaml.Text(o, "kind") == "ConfigMap")
            .ToDictionary(o => Name(o), o => ImportYaml.Map(o, "data"), StringComparer.Ordinal);
        var ingresses = ofKind.Where(o => ImportYaml.Text(o, "kind") == "Ingress").ToList();
        var release = ofKind.Select(o => ImportYaml.Path(o, "metadata", "labels", "app.kubernetes.io/instance") as YamlScalarNode).FirstOrDefault(s => s?.Value is not null)?.Value;
        var system = new ImportedSystem { Name = release ?? fallbackName, Source = $"{sourceName} (Kubernetes{(release is null ? string.Empty : $", Helm release {release}")})" };

        foreach (var skipped in ofKind.Where(o => ImportYaml.Text(o, "kind") is "Job" or "CronJob"))
        {
            system.Notes.Add($"{Name(skipped)}: a {ImportYaml.Text(skipped, "kind")}, not a component");
        }

        var usedLocalPorts = new HashSet<int>();
        foreach (var workload in ofKind.Where(o => Workloads.Contains(ImportYaml.Text(o, "kind"))))
        {
            var kind = ImportYaml.Text(workload, "kind")!;
            if (ImportYaml.Path(workload, "metadata", "annotations", "helm.sh/hook") is YamlScalarNode { Value: { } hook })
            {
                system.Notes.Add($"{Name(workload)}: a Helm {hook} hook, not a component");
                continue;
            }

            var pod = kind == "Pod" ? workload : ImportYaml.Path(workload, "spec", "template") as YamlMappingNode;
            var labels = ImportYaml.Path(pod, "metadata", "labels") as YamlMappingNode;
            var containers = (ImportYaml.Path(pod, "spec", "containers") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>().ToList() ?? [];
            if (containers.Count == 0)
            {
                continue;
            }

            var container = containers[0];
            var service = services.FirstOrDefault(s => Selects(s, labels));
            var name = service is not null ? Name(service) : Name(workload);
            var image = ImportYaml.Text(container, "image");
            var store = ImportRules.DataStore(image);
            var component = new ImportedComponent { Name = name, Origin = $"{kind} {Name(workload)}, image {image}" };
            if (containers.Count > 1)
            {
                component.Notes.Add($"{containers.Count - 1} more container(s) in the pod (sidecars) are not components");
            }

            var env = Environment(container, configMaps);
            var (servicePort, targetPort) = service is null ? (ContainerPort(container), ContainerPort(container)) : ServicePort(service);
            var local = LocalPort(servicePort ?? ImportRules.DefaultPort(store ?? string.Empty) switch { 0 => 8080, var d => d }, usedLocalPorts);
            var forward = service is not null
                ? $"kubectl port-forward svc/{name} {local}:{servicePort}"
                : $"kubectl port-forward {kind.ToLowerInvariant()}/{Name(workload)} {local}:{targetPort ?? servicePort ?? local}";
            component.Reach = forward;

            if (store == "postgres")
            {
                component.Kind = "database";
                component.Engine = "postgres";
                var (password, secret) = env.FirstOrDefault(e => e.Key == "POSTGRES_PASSWORD") is var pw && pw.Key is not null ? (pw.Value, pw.From) : (null, null);
                var variable = (password is not null ? ImportRules.ReferencedVariable(password) : null) ?? ImportRules.VariableName(name, "PASSWORD");
                var user = Value(env, "POSTGRES_USER") ?? "postgres";
                component.Connection = ImportRules.PostgresConnection(local, Value(env, "POSTGRES_DB") ?? user, user, variable);
                component.ConnectionTodo = $"export {variable}{(secret is null ? " (passwords are not copied)" : $" ({secret})")}";
            }
            else if (store is not null)
            {
                component.Unsupported = ImportRules.UnsupportedReason(store);
                component.Connection = ImportRules.Address(store, local);
            }
            else
            {
                component.Kind = ImportRules.LooksLikeFrontend(name, image) ? "frontend" : "service";
                component.Url = $"http://127.0.0.1:{local.ToString(CultureInfo.InvariantCulture)}";
                if (service is null)
                {
                    component.UrlTodo = "no Service selects it; the port-forward below reaches the workload directly";
                }

                var readiness = ImportYaml.Map(container, "readinessProbe");
                var liveness = ImportYaml.Map(container, "livenessProbe");
                if (ImportYaml.Path(readiness, "httpGet", "path") is YamlScalarNode { Value: { } path })
                {
                    component.Health = path;
                }
                else if (ImportYaml.Path(liveness, "httpGet", "path") is YamlScalarNode { Value: { } live })
                {
                    component.Health = live;
                    component.HealthTodo = "from the liveness probe: there is no HTTP readiness probe";
                }
                else
                {
                    component.HealthTodo = readiness is null ? "no readiness probe in the source" : "its readiness probe is not an HTTP GET";
                }

                foreach (var ingress in ingresses)
                {
                    foreach (var (host, route) in IngressRoutes(ingress, name))
                    {
                        component.Notes.Add($"exposed by Ingress {Name(ingress)} at {host}{route}");
                    }
                }
            }

            component.RunTodo = "the cluster runs it: start the port-forward before 'archgate run'";
            foreach (var (_, value, _) in env)
            {
                component.MentionedHosts.AddRange(ImportRules.Hosts(value));
            }

            system.Components.Add(component);
        }

        Edges.FromMentions(system);
        return system;
    }

    private static string Name(YamlMappingNode o) => (ImportYaml.Path(o, "metadata", "name") as YamlScalarNode)?.Value ?? "unnamed";

    private static int LocalPort(int port, HashSet<int> used)
    {
        var local = port >= 1024 ? port : 8000 + port;
        while (!used.Add(local))
        {
            local++;
        }

        return local;
    }

    private static bool Selects(YamlMappingNode service, YamlMappingNode? labels)
    {
        if (ImportYaml.Path(service, "spec", "selector") is not YamlMappingNode selector || selector.Children.Count == 0 || labels is null)
        {
            return false;
        }

        return selector.Children.All(p => ImportYaml.Text(labels, ((YamlScalarNode)p.Key).Value!) == (p.Value as YamlScalarNode)?.Value);
    }

    /// <summary>The Service's HTTP port: one named http, else the first.</summary>
    private static (int? Port, int? Target) ServicePort(YamlMappingNode service)
    {
        var ports = (ImportYaml.Path(service, "spec", "ports") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>().ToList() ?? [];
        var port = ports.FirstOrDefault(p => ImportYaml.Text(p, "name") is "http" or "web") ?? ports.FirstOrDefault();
        return port is null ? (null, null) : (Number(ImportYaml.Text(port, "port")), Number(ImportYaml.Text(port, "targetPort")));
    }

    private static int? ContainerPort(YamlMappingNode container) =>
        (ImportYaml.Get(container, "ports") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>().Select(p => Number(ImportYaml.Text(p, "containerPort"))).FirstOrDefault();

    private static int? Number(string? text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string? Value(List<(string Key, string Value, string? From)> env, string key) =>
        env.FirstOrDefault(e => e.Key == key && e.From is null).Value is { Length: > 0 } v ? v : null;

    /// <summary>The container's environment: literal values, ConfigMap keys (valueFrom and envFrom), and secrets named but not read.</summary>
    private static List<(string Key, string Value, string? From)> Environment(YamlMappingNode container, Dictionary<string, YamlMappingNode?> configMaps)
    {
        var result = new List<(string, string, string?)>();
        foreach (var item in (ImportYaml.Get(container, "env") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
        {
            var key = ImportYaml.Text(item, "name") ?? string.Empty;
            if (ImportYaml.Text(item, "value") is { } value)
            {
                result.Add((key, value, null));
            }
            else if (ImportYaml.Path(item, "valueFrom", "configMapKeyRef") is YamlMappingNode cm
                && configMaps.GetValueOrDefault(ImportYaml.Text(cm, "name") ?? string.Empty) is { } data && ImportYaml.Text(data, ImportYaml.Text(cm, "key") ?? string.Empty) is { } fromMap)
            {
                result.Add((key, fromMap, null));
            }
            else if (ImportYaml.Path(item, "valueFrom", "secretKeyRef") is YamlMappingNode secret)
            {
                result.Add((key, string.Empty, $"secret {ImportYaml.Text(secret, "name")}, key {ImportYaml.Text(secret, "key")}"));
            }
        }

        foreach (var from in (ImportYaml.Get(container, "envFrom") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
        {
            if (ImportYaml.Path(from, "configMapRef", "name") is YamlScalarNode { Value: { } map } && configMaps.GetValueOrDefault(map) is { } data)
            {
                result.AddRange(data.Children.Select(p => (((YamlScalarNode)p.Key).Value!, (p.Value as YamlScalarNode)?.Value ?? string.Empty, (string?)null)));
            }
        }

        return result;
    }

    private static IEnumerable<(string Host, string Path)> IngressRoutes(YamlMappingNode ingress, string service)
    {
        foreach (var rule in (ImportYaml.Path(ingress, "spec", "rules") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
        {
            var host = ImportYaml.Text(rule, "host") ?? "*";
            foreach (var path in (ImportYaml.Path(rule, "http", "paths") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
            {
                var backend = (ImportYaml.Path(path, "backend", "service", "name") as YamlScalarNode)?.Value ?? ImportYaml.Text(ImportYaml.Map(path, "backend") ?? new YamlMappingNode(), "serviceName");
                if (backend == service)
                {
                    yield return (host, ImportYaml.Text(path, "path") ?? "/");
                }
            }
        }
    }
}
