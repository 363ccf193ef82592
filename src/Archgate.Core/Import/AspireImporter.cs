using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.Import;

/// <summary>
/// An Aspire manifest (aspire-manifest.json, as 'dotnet run --publisher manifest' writes it): projects and containers as
/// components, references in their environment ('{cache.connectionString}', '{api.bindings.http.url}') as edges,
/// bindings as urls, PostgreSQL servers and their databases ('value.v0' children) with connection strings.
/// </summary>
internal static partial class AspireImporter
{
    private const int FirstProjectPort = 5101;

    /// <summary>Reads an Aspire manifest's text.</summary>
    /// <param name="json">The manifest.</param>
    /// <param name="sourceFolder">The manifest's folder as the archgate manifest names it ('.', '../AppHost'): project paths are relative to it.</param>
    /// <param name="fallbackName">The system's name.</param>
    public static ImportedSystem Read(string json, string sourceFolder, string fallbackName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ImportException($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}: {ex.Message}");
        }

        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Object)
        {
            throw new ImportException("not an Aspire manifest: no 'resources' object");
        }

        var system = new ImportedSystem { Name = fallbackName, Source = "an Aspire manifest" };
        var all = resources.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        string TypeOf(string name) => all.TryGetValue(name, out var r) && r.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty;

        // Databases of a server: 'value.v0' whose connection string extends a server's, or the older 'postgres.database.v0' with a parent.
        var parents = new Dictionary<string, (string Server, string Database)>(StringComparer.Ordinal);
        foreach (var (name, resource) in all)
        {
            var type = TypeOf(name);
            if (type.EndsWith(".database.v0", StringComparison.Ordinal) && Str(resource, "parent") is { } parent)
            {
                parents[name] = (parent, Str(resource, "databaseName") ?? name);
            }
            else if (type == "value.v0" && Str(resource, "connectionString") is { } cs && ServerReference().Match(cs) is { Success: true } m)
            {
                parents[name] = (m.Groups[1].Value, ImportRules.ConnectionPairs(cs).GetValueOrDefault("database") ?? name);
            }
        }

        var nextPort = FirstProjectPort;
        var stores = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, resource) in all)
        {
            var type = TypeOf(name);
            var image = Str(resource, "image");
            switch (type)
            {
                case "parameter.v0":
                    continue;
                case "project.v0" or "project.v1":
                    {
                        var port = BindingPort(resource, "http", "port") ?? nextPort++;
                        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
                        var path = Str(resource, "path") ?? $"{name}.csproj";
                        var component = new ImportedComponent
                        {
                            Name = name,
                            Kind = ImportRules.LooksLikeFrontend(name, null) ? "frontend" : "service",
                            Origin = $"project {path}",
                            Url = url,
                            Health = "/health",
                            HealthTodo = "a guess: Aspire's ServiceDefaults map /health, in Development only; the manifest does not say",
                        };
                        component.Notes.Add("Aspire picks its port at run time; the run section below pins it with --urls");
                        var (env, notes) = RunEnvironment(name, resource, all, parents);
                        component.Run = new ImportedRun($"dotnet run --project {Join(sourceFolder, path)} --urls {url}")
                        {
                            ReadyHttp = "/health",
                            Env = [("ASPNETCORE_ENVIRONMENT", "Development"), .. env],
                            Notes = notes,
                        };
                        system.Components.Add(component);
                        AddReferences(component, resource, parents, all);
                        break;
                    }

                case "container.v0" or "container.v1" or "dockerfile.v0" or "executable.v0":
                    {
                        var store = ImportRules.DataStore(image);
                        var target = BindingPort(resource, null, "targetPort");
                        var hostPort = BindingPort(resource, null, "port");
                        var origin = image is not null ? $"container {image}" : $"{type} {Str(resource, "path") ?? Str(resource, "command") ?? name}";
                        var component = new ImportedComponent { Name = name, Origin = origin };
                        if (store == "postgres")
                        {
                            stores[name] = store;
                            if (parents.Values.Any(p => p.Server == name))
                            {
                                continue; // written as its databases
                            }

                            component.Kind = "database";
                            component.Engine = "postgres";
                        }
                        else if (store is not null)
                        {
                            stores[name] = store;
                            component.Unsupported = ImportRules.UnsupportedReason(store);
                            component.Connection = ImportRules.Address(store, hostPort ?? ImportRules.DefaultPort(store));
                        }
                        else
                        {
                            component.Kind = ImportRules.LooksLikeFrontend(name, image) ? "frontend" : "service";
                            var port = hostPort ?? target ?? nextPort++;
                            component.Url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
                            if (hostPort is null)
                            {
                                component.UrlTodo = "Aspire picks the host port at run time: pin it (WithHttpEndpoint(port: ...)) or give the address";
                            }

                            component.HealthTodo = "the Aspire manifest does not carry health checks";
                        }

                        component.RunTodo = "Aspire starts containers and executables itself: run the app host, or give the command that starts it";
                        system.Components.Add(component);
                        AddReferences(component, resource, parents, all);
                        break;
                    }

                case "value.v0" or "postgres.database.v0" when parents.TryGetValue(name, out var parent) && ImportRules.DataStore(Str(all.GetValueOrDefault(parent.Server), "image")) == "postgres":
                    system.Components.Add(new ImportedComponent { Name = name, Kind = "database", Engine = "postgres", Origin = $"database {parent.Database} on {parent.Server}" });
                    break;
                default:
                    system.Notes.Add($"{name}: resource type {type}, not a component Archgate checks");
                    break;
            }
        }

        foreach (var component in system.Components.Where(c => c.Engine == "postgres"))
        {
            var (connection, todo) = PostgresConnection(component.Name, all, parents);
            component.Connection = connection;
            component.ConnectionTodo = todo;
        }

        return system;
    }

    /// <summary>The connection of a PostgreSQL server or one of its databases, its password left to the variable of the server's password parameter.</summary>
    private static (string Connection, string Todo) PostgresConnection(string name, Dictionary<string, JsonElement> all, Dictionary<string, (string Server, string Database)> parents)
    {
        var (server, database) = parents.TryGetValue(name, out var p) ? p : (name, "postgres");
        var resource = all.GetValueOrDefault(server);
        var env = resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("env", out var e) ? e : default;
        string? EnvValue(string key) => env.ValueKind == JsonValueKind.Object && env.TryGetProperty(key, out var v) ? v.GetString() : null;
        var user = EnvValue("POSTGRES_USER") ?? "postgres";
        var passwordParameter = EnvValue("POSTGRES_PASSWORD") is { } pw && ParameterReference().Match(pw) is { Success: true } m ? m.Groups[1].Value : $"{server}-password";
        var variable = ImportRules.VariableName(passwordParameter, string.Empty).TrimEnd('_');
        var port = BindingPort(resource, "tcp", "port");
        var todo = port is null
            ? $"Aspire picks the host port at run time: pin it (WithHostPort(5432)) or give the port; export {variable} (the {passwordParameter} parameter)"
            : $"export {variable} (the {passwordParameter} parameter)";
        return (ImportRules.PostgresConnection(port ?? 5432, database, user, variable), todo);
    }

    /// <summary>Edges from every '{resource.…}' reference of the environment and connection string.</summary>
    private static void AddReferences(ImportedComponent component, JsonElement resource, Dictionary<string, (string Server, string Database)> parents, Dictionary<string, JsonElement> all)
    {
        foreach (var value in Values(resource))
        {
            foreach (Match m in Reference().Matches(value))
            {
                var target = m.Groups[1].Value;
                if (all.TryGetValue(target, out var r) && Str(r, "type") is not "parameter.v0" && target != component.Name)
                {
                    component.DependOn(target, null);
                }
            }
        }
    }

    /// <summary>The run environment of a project: references turned into what Archgate knows (connection strings, ${url:NAME}), the rest named in notes.</summary>
    private static (List<(string Key, string Value)> Env, List<string> Notes) RunEnvironment(string self, JsonElement resource, Dictionary<string, JsonElement> all, Dictionary<string, (string Server, string Database)> parents)
    {
        var env = new List<(string, string)>();
        var skipped = new List<string>();
        if (!resource.TryGetProperty("env", out var e) || e.ValueKind != JsonValueKind.Object)
        {
            return (env, []);
        }

        foreach (var property in e.EnumerateObject())
        {
            var value = property.Value.GetString() ?? string.Empty;
            // Telemetry settings, and ports of the project itself (HTTP_PORTS): --urls pins those.
            if (property.Name.StartsWith("OTEL_", StringComparison.Ordinal) || Reference().Matches(value).All(m => m.Groups[1].Value == self) && value.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            if (!value.Contains('{', StringComparison.Ordinal))
            {
                env.Add((property.Name, ImportRules.Literal(value)));
            }
            else if (UrlReference().Match(value) is { Success: true } url && url.Value == value)
            {
                env.Add((property.Name, $"${{url:{url.Groups[1].Value}}}"));
            }
            else if (ConnectionReference().Match(value) is { Success: true } cs && cs.Value == value && all.ContainsKey(cs.Groups[1].Value))
            {
                var target = cs.Groups[1].Value;
                var store = ImportRules.DataStore(Str(all[parents.TryGetValue(target, out var p) ? p.Server : target], "image"));
                if (store == "postgres")
                {
                    env.Add((property.Name, PostgresConnection(target, all, parents).Connection));
                }
                else if (store is not null)
                {
                    env.Add((property.Name, store == "redis" ? $"127.0.0.1:{ImportRules.DefaultPort(store).ToString(CultureInfo.InvariantCulture)}" : ImportRules.Address(store, ImportRules.DefaultPort(store))));
                }
                else
                {
                    skipped.Add(property.Name);
                }
            }
            else
            {
                skipped.Add(property.Name);
            }
        }

        return (env, skipped.Count == 0 ? [] : [$"TODO: set {string.Join(", ", skipped)}: Aspire fills them in at run time from other resources"]);
    }

    private static IEnumerable<string> Values(JsonElement resource)
    {
        if (Str(resource, "connectionString") is { } cs)
        {
            yield return cs;
        }

        if (resource.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in env.EnumerateObject())
            {
                yield return p.Value.GetString() ?? string.Empty;
            }
        }

        if (resource.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in args.EnumerateArray())
            {
                yield return a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty;
            }
        }
    }

    /// <summary>A port of the binding named <paramref name="binding"/> (or the first binding).</summary>
    private static int? BindingPort(JsonElement resource, string? binding, string property)
    {
        if (resource.ValueKind != JsonValueKind.Object || !resource.TryGetProperty("bindings", out var bindings) || bindings.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var b in bindings.EnumerateObject())
        {
            if ((binding is null || b.Name == binding) && b.Value.TryGetProperty(property, out var port) && port.TryGetInt32(out var n))
            {
                return n;
            }
        }

        return null;
    }

    private static string? Str(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Join(string folder, string path) =>
        (folder is "" or "." ? path : $"{folder.TrimEnd('/')}/{path}").Replace('\\', '/');

    [GeneratedRegex(@"\{([A-Za-z0-9_-]+)\.")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\{([A-Za-z0-9_-]+)\.connectionString\}")]
    private static partial Regex ServerReference();

    [GeneratedRegex(@"\{([A-Za-z0-9_-]+)\.bindings\.https?\.url\}")]
    private static partial Regex UrlReference();

    [GeneratedRegex(@"\{([A-Za-z0-9_-]+)\.connectionString\}")]
    private static partial Regex ConnectionReference();

    [GeneratedRegex(@"^\{([A-Za-z0-9_-]+)\.value\}$")]
    private static partial Regex ParameterReference();
}
