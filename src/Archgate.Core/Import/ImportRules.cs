using System.Globalization;
using System.Text.RegularExpressions;

namespace Archgate.Import;

/// <summary>The inferences every importer shares: what an image is, which hosts a value names, how a component is reached.</summary>
internal static partial class ImportRules
{
    /// <summary>What a container image is, by its repository's last segment: postgres, mysql, redis, rabbitmq, mongo, mssql, or null.</summary>
    public static string? DataStore(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return null;
        }

        var repository = image.Split('@')[0];
        var slash = repository.LastIndexOf('/');
        var colon = repository.LastIndexOf(':');
        var name = (colon > slash ? repository[..colon] : repository)[(slash + 1)..].ToLowerInvariant();
        return name switch
        {
            "postgres" or "postgresql" or "postgis" or "timescaledb" => "postgres",
            "mysql" or "mariadb" => "mysql",
            "redis" or "valkey" or "redis-stack" or "redis-stack-server" => "redis",
            "rabbitmq" => "rabbitmq",
            "mongo" or "mongodb" => "mongodb",
            "mssql-server" or "mssql" => "sqlserver",
            _ => null,
        };
    }

    /// <summary>The default port of a data store.</summary>
    public static int DefaultPort(string store) => store switch
    {
        "postgres" => 5432,
        "mysql" => 3306,
        "redis" => 6379,
        "rabbitmq" => 5672,
        "mongodb" => 27017,
        "sqlserver" => 1433,
        _ => 0,
    };

    /// <summary>Why a data store other than PostgreSQL is written commented out.</summary>
    public static string UnsupportedReason(string store) =>
        $"{store} is not a database engine Archgate checks yet (sqlite, postgres); kept here so the dependency is visible";

    /// <summary>The connection a data store other than PostgreSQL would be reached at, for the commented-out component.</summary>
    public static string Address(string store, int port) => store switch
    {
        "redis" => $"redis://127.0.0.1:{port}",
        "rabbitmq" => $"amqp://127.0.0.1:{port}",
        "mongodb" => $"mongodb://127.0.0.1:{port}",
        "mysql" => $"Server=127.0.0.1;Port={port}",
        _ => $"127.0.0.1:{port}",
    };

    /// <summary>Host names a value mentions: URL hosts, connection-string hosts, and a bare 'host:port'.</summary>
    public static IEnumerable<string> Hosts(string value)
    {
        foreach (Match m in UrlHost().Matches(value))
        {
            yield return m.Groups[1].Value;
        }

        foreach (Match m in KeyHost().Matches(value))
        {
            foreach (var host in m.Groups[1].Value.Split(','))
            {
                yield return host.Split(':')[0].Trim();
            }
        }

        if (BareHostPort().Match(value.Trim()) is { Success: true } bare)
        {
            yield return bare.Groups[1].Value;
        }
    }

    /// <summary>The component a host name names: the name itself, or the first label of a cluster DNS name (api.shop.svc.cluster.local).</summary>
    public static string? Resolve(string host, IReadOnlyCollection<string> names)
    {
        host = host.ToLowerInvariant();
        if (names.Contains(host))
        {
            return host;
        }

        var first = host.Split('.')[0];
        return host.Contains(".svc", StringComparison.Ordinal) || host.EndsWith(".cluster.local", StringComparison.Ordinal) || host.Split('.').Length == 2
            ? names.FirstOrDefault(n => n == first)
            : null;
    }

    /// <summary>The HTTP path a healthcheck or probe command calls (curl -f http://localhost:8080/health), if any.</summary>
    public static string? HealthPath(string command)
    {
        var m = HttpPath().Match(command);
        return m.Success ? (m.Groups[1].Value is { Length: > 0 } path ? path : "/") : null;
    }

    /// <summary>Key=value pairs of a connection string, keys lower case.</summary>
    public static Dictionary<string, string> ConnectionPairs(string value)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                var user = uri.UserInfo.Split(':')[0];
                if (user.Length > 0)
                {
                    pairs["username"] = Uri.UnescapeDataString(user);
                }

                var database = uri.AbsolutePath.Trim('/');
                if (database.Length > 0)
                {
                    pairs["database"] = database;
                }
            }

            return pairs;
        }

        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                var key = part[..eq].Trim().ToLowerInvariant() switch
                {
                    "user id" or "userid" or "user" or "uid" => "username",
                    "initial catalog" => "database",
                    var k => k,
                };
                pairs[key] = part[(eq + 1)..].Trim();
            }
        }

        return pairs;
    }

    /// <summary>A PostgreSQL connection on this machine; the password is left to an environment variable, never copied.</summary>
    public static string PostgresConnection(int port, string database, string user, string passwordVariable) =>
        $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Database={Literal(database)};Username={Literal(user)};Password=${{{passwordVariable}:-}}";

    /// <summary>A value copied into the manifest: '$' doubled so that the loader does not read it as a variable.</summary>
    public static string Literal(string value) => value.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>A name the manifest accepts and the shell needs no quoting for.</summary>
    public static string VariableName(string component, string suffix) =>
        NonWord().Replace(component.ToUpperInvariant(), "_") + "_" + suffix;

    /// <summary>A variable a value refers to ('${POSTGRES_PASSWORD}', '${PW:-x}', '$PW'), if it is just that.</summary>
    public static string? ReferencedVariable(string value)
    {
        var m = VariableReference().Match(value.Trim());
        return m.Success ? (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) : null;
    }

    /// <summary>Guesses a frontend by name or image: web, ui, frontend, spa, nginx.</summary>
    public static bool LooksLikeFrontend(string name, string? image)
    {
        var n = name.ToLowerInvariant();
        var i = (image ?? string.Empty).ToLowerInvariant();
        return n is "web" or "ui" or "www" or "spa" or "site" or "webapp" or "website" || n.Contains("frontend", StringComparison.Ordinal) || n.EndsWith("-web", StringComparison.Ordinal)
            || n.EndsWith("-ui", StringComparison.Ordinal) || n.StartsWith("web-", StringComparison.Ordinal)
            || i.StartsWith("nginx", StringComparison.Ordinal) || i.Contains("/nginx", StringComparison.Ordinal) || i.StartsWith("httpd", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/\s]*@)?([A-Za-z0-9_][A-Za-z0-9_.-]*)")]
    private static partial Regex UrlHost();

    [GeneratedRegex(@"(?:^|;)\s*(?:host|server|data source|address|addr)\s*=\s*([^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex KeyHost();

    [GeneratedRegex(@"^([a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*):\d{2,5}$")]
    private static partial Regex BareHostPort();

    [GeneratedRegex(@"https?://[^/\s""']+(/[^\s""']*)?")]
    private static partial Regex HttpPath();

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"^(?:\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*))$")]
    private static partial Regex VariableReference();
}
