using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Archgate.Import;

/// <summary>
/// A docker-compose file (the Compose specification: services with image or build, ports, environment, healthcheck,
/// depends_on) as components: data-store images become databases, published ports urls on 127.0.0.1, HTTP healthchecks
/// health paths, depends_on and environment values that name another service edges.
/// </summary>
internal static class ComposeImporter
{
    /// <summary>Reads a compose file's text.</summary>
    /// <param name="yaml">The compose file.</param>
    /// <param name="composePath">The compose file as the manifest's run commands name it (relative to the manifest).</param>
    /// <param name="fallbackName">The system's name when the file has no top-level 'name'.</param>
    /// <param name="docker">Whether 'docker' runs on this machine: then each component gets a run section.</param>
    public static ImportedSystem Read(string yaml, string composePath, string fallbackName, bool docker)
    {
        var root = ImportYaml.Documents(yaml).FirstOrDefault() as YamlMappingNode
            ?? throw new ImportException("the compose file is empty or not a mapping");
        var services = ImportYaml.Map(root, "services")
            ?? throw new ImportException("the compose file has no 'services' mapping");
        var system = new ImportedSystem
        {
            Name = ImportYaml.Text(root, "name") ?? fallbackName,
            Source = $"{Path.GetFileName(composePath)} (Docker Compose)",
        };

        // Services others wait for with service_completed_successfully are one-shot jobs (migrations, seeders), not components.
        var jobs = services.Children
            .SelectMany(s => s.Value is YamlMappingNode m && ImportYaml.Map(m, "depends_on") is { } d ? d.Children : Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            .Where(d => d.Value is YamlMappingNode m && ImportYaml.Text(m, "condition") == "service_completed_successfully")
            .Select(d => ((YamlScalarNode)d.Key).Value!)
            .ToHashSet(StringComparer.Ordinal);

        var placeholder = 18080;
        var databases = new Dictionary<string, PostgresSettings>(StringComparer.Ordinal);
        var environments = new Dictionary<string, List<(string Key, string Value)>>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in services.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value!;
            if (valueNode is not YamlMappingNode service)
            {
                continue;
            }

            if (jobs.Contains(name))
            {
                system.Notes.Add($"{name}: a one-shot job (others wait for it to complete), not a component; 'archgate up' does not run it");
                continue;
            }

            var image = ImportYaml.Text(service, "image");
            var env = Environment(service);
            environments[name] = env;
            var ports = Ports(service);
            var store = ImportRules.DataStore(image);
            var component = new ImportedComponent { Name = name, Origin = image is not null ? $"image {image}" : BuildOrigin(service) };
            var healthcheck = Healthcheck(service);

            if (store == "postgres")
            {
                var port = ports.FirstOrDefault(p => p.Target == 5432).Published ?? ports.FirstOrDefault().Published;
                var settings = new PostgresSettings(
                    port ?? 5432,
                    Value(env, "POSTGRES_DB") ?? Value(env, "POSTGRES_USER") ?? "postgres",
                    Value(env, "POSTGRES_USER") ?? "postgres",
                    (Value(env, "POSTGRES_PASSWORD") is { } pw ? ImportRules.ReferencedVariable(pw) : null) ?? ImportRules.VariableName(name, "PASSWORD"),
                    port is null);
                databases[name] = settings;
                component.Kind = "database";
                component.Engine = "postgres";
            }
            else if (store is not null)
            {
                var port = ports.FirstOrDefault().Published ?? ImportRules.DefaultPort(store);
                component.Unsupported = ImportRules.UnsupportedReason(store);
                component.Connection = ImportRules.Address(store, port);
            }
            else
            {
                component.Kind = ImportRules.LooksLikeFrontend(name, image) ? "frontend" : "service";
                var published = ports.FirstOrDefault(p => p.Published is not null);
                if (published.Published is { } hostPort)
                {
                    component.Url = $"http://127.0.0.1:{hostPort.ToString(CultureInfo.InvariantCulture)}";
                }
                else if ((ports.FirstOrDefault().Target ?? Expose(service)) is { } target)
                {
                    component.Url = $"http://127.0.0.1:{target.ToString(CultureInfo.InvariantCulture)}";
                    component.UrlTodo = $"no port is published to the host: add 'ports: [\"{target}:{target}\"]' to {name} in the compose file, or give the address Archgate reaches it at";
                }
                else
                {
                    component.Url = $"http://127.0.0.1:{placeholder++.ToString(CultureInfo.InvariantCulture)}";
                    component.UrlTodo = "it publishes and exposes no port (a background worker?): give the address Archgate reaches it at, if any";
                }

                if (healthcheck is not null && ImportRules.HealthPath(healthcheck) is { } health)
                {
                    component.Health = health;
                }
                else
                {
                    component.HealthTodo = healthcheck is null ? "the compose file has no healthcheck for it" : "its healthcheck is not an HTTP call";
                }
            }

            foreach (var (dependency, condition) in DependsOn(service))
            {
                if (!jobs.Contains(dependency))
                {
                    component.DependOn(dependency, condition switch
                    {
                        "service_healthy" => $"compose waits until {dependency} is healthy",
                        _ => null,
                    });
                }
            }

            foreach (var (_, value) in env)
            {
                component.MentionedHosts.AddRange(ImportRules.Hosts(value));
            }

            if (component.Kind is not null)
            {
                if (docker)
                {
                    // Readiness through a port only when the port is published; else from compose's own output.
                    var reachable = component.Kind == "database" ? !databases[name].PortTodo : component.UrlTodo is null;
                    var http = component.Kind == "database" || !reachable ? null : component.Health;
                    component.Run = new ImportedRun($"docker compose -f {composePath} up --no-deps {name}")
                    {
                        ReadyHttp = http,
                        ReadyTcp = http is null && reachable ? (component.Kind == "database" ? databases[name].Port : UrlPort(component.Url)) : null,
                        ReadyLog = reachable ? null : component.Kind == "database" ? "ready to accept connections" : "Attaching to",
                    };
                }
                else
                {
                    component.RunTodo = $"docker was not found on this machine; with it, 'docker compose -f {composePath} up --no-deps {name}'";
                }
            }

            system.Components.Add(component);
        }

        // The applications' own connection strings say which database and user they use: prefer those to the image's defaults.
        var names = system.Components.Select(c => c.Name).ToList();
        foreach (var (_, env) in environments)
        {
            foreach (var (_, value) in env)
            {
                foreach (var host in ImportRules.Hosts(value))
                {
                    if (ImportRules.Resolve(host, names) is { } target && databases.TryGetValue(target, out var db))
                    {
                        var pairs = ImportRules.ConnectionPairs(value);
                        databases[target] = db with
                        {
                            Database = pairs.GetValueOrDefault("database") ?? db.Database,
                            User = pairs.GetValueOrDefault("username") ?? db.User,
                        };
                    }
                }
            }
        }

        foreach (var component in system.Components)
        {
            if (databases.TryGetValue(component.Name, out var db))
            {
                component.Connection = ImportRules.PostgresConnection(db.Port, db.Database, db.User, db.PasswordVariable);
                component.ConnectionTodo = db.PortTodo
                    ? $"port 5432 is not published to the host: add 'ports: [\"5432:5432\"]' to {component.Name}; export {db.PasswordVariable} (passwords are not copied)"
                    : $"export {db.PasswordVariable} (passwords are not copied from the source)";
            }
        }

        Edges.FromMentions(system);
        return system;
    }

    private sealed record PostgresSettings(int Port, string Database, string User, string PasswordVariable, bool PortTodo);

    private static string? Value(List<(string Key, string Value)> env, string key) =>
        env.FirstOrDefault(e => e.Key == key).Value is { Length: > 0 } v ? v : null;

    private static int? UrlPort(string? url) => url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Port : null;

    private static string BuildOrigin(YamlMappingNode service) =>
        BuildContext(service, "build") is { } build ? $"built from {build}" : "no image or build";

    private static string? BuildContext(YamlMappingNode service, string key) => ImportYaml.Get(service, key) switch
    {
        YamlScalarNode s => s.Value,
        YamlMappingNode m => ImportYaml.Text(m, "context") ?? ".",
        _ => null,
    };

    private static List<(string Key, string Value)> Environment(YamlMappingNode service)
    {
        var result = new List<(string, string)>();
        switch (ImportYaml.Get(service, "environment"))
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    result.Add((((YamlScalarNode)k).Value!, (v as YamlScalarNode)?.Value ?? string.Empty));
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.OfType<YamlScalarNode>())
                {
                    var text = item.Value ?? string.Empty;
                    var eq = text.IndexOf('=', StringComparison.Ordinal);
                    result.Add(eq < 0 ? (text, string.Empty) : (text[..eq], text[(eq + 1)..]));
                }

                break;
        }

        return result;
    }

    /// <summary>Port mappings: short ('8080:80', '127.0.0.1:8080:80/tcp', '80') and long ({ target, published }) syntax.</summary>
    private static List<(int? Published, int? Target)> Ports(YamlMappingNode service)
    {
        var result = new List<(int?, int?)>();
        foreach (var item in (ImportYaml.Get(service, "ports") as YamlSequenceNode)?.Children ?? [])
        {
            switch (item)
            {
                case YamlScalarNode { Value: { } text }:
                    {
                        var parts = text.Split('/')[0].Split(':');
                        var target = Number(parts[^1]);
                        var published = parts.Length >= 2 ? Number(parts[^2]) : null;
                        result.Add((published, target));
                        break;
                    }

                case YamlMappingNode map:
                    result.Add((Number(ImportYaml.Text(map, "published")), Number(ImportYaml.Text(map, "target"))));
                    break;
            }
        }

        return result;
    }

    private static int? Expose(YamlMappingNode service) =>
        (ImportYaml.Get(service, "expose") as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Select(s => Number(s.Value?.Split('/')[0])).FirstOrDefault(p => p is not null);

    /// <summary>A single port; a range ('8000-8010') counts as its first.</summary>
    private static int? Number(string? text) =>
        int.TryParse(text?.Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536 ? n : null;

    private static string? Healthcheck(YamlMappingNode service)
    {
        if (ImportYaml.Map(service, "healthcheck") is not { } check || ImportYaml.Text(check, "disable") == "true")
        {
            return null;
        }

        return ImportYaml.Get(check, "test") switch
        {
            YamlScalarNode s => s.Value,
            YamlSequenceNode list => string.Join(' ', list.Children.OfType<YamlScalarNode>().Select(s => s.Value)),
            _ => null,
        };
    }

    private static IEnumerable<(string Name, string? Condition)> DependsOn(YamlMappingNode service) => ImportYaml.Get(service, "depends_on") switch
    {
        YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(s => (s.Value!, (string?)null)),
        YamlMappingNode map => map.Children.Select(p => (((YamlScalarNode)p.Key).Value!, p.Value is YamlMappingNode m ? ImportYaml.Text(m, "condition") : null)),
        _ => [],
    };
}
