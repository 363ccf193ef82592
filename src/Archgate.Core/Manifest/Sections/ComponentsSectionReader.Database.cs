using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>Keys only a database component may have.</summary>
    private static readonly string[] DatabaseKeys = ["expect", "probes", "pool", "clients", "faultTests"];

    /// <summary>
    /// Migration history tables Archgate recognises: EF Core, Flyway, Liquibase, DbUp, FluentMigrator; Alembic, Django,
    /// Rails and golang-migrate (<c>schema_migrations</c>), Prisma, Knex, Sequelize, sqlx, goose, Doctrine.
    /// </summary>
    public static IReadOnlyList<string> MigrationTables { get; } =
    [
        "__EFMigrationsHistory", "flyway_schema_history", "databasechangelog", "schemaversions", "VersionInfo",
        "alembic_version", "django_migrations", "schema_migrations", "_prisma_migrations", "knex_migrations", "SequelizeMeta",
        "_sqlx_migrations", "goose_db_version", "doctrine_migration_versions",
    ];

    private static readonly string[] PoolKeys =
    [
        "minConnectTimeout", "maxConnectTimeout", "maxCommandTimeout", "maxPoolSize", "connectionBudget", "utilization",
        "idleInTransaction", "loadDuration", "loadConcurrency", "recovery", "latencySamples", "queryTimeout",
    ];

    [GeneratedRegex(@"^\s*(select|with|values|table|show)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReadOnlySqlPattern();

    [GeneratedRegex(@"^(GET|HEAD) (/\S*)$")]
    private static partial Regex HttpProbePattern();

    [GeneratedRegex(@"^-?\d{1,18}$")]
    private static partial Regex IntegerPattern();

    /// <summary>Turns a probe parameter as written in the manifest into the value sent: whole numbers as numbers, the rest as text.</summary>
    public static object ProbeParameterValue(string text) =>
        IntegerPattern().IsMatch(text) ? long.Parse(text, CultureInfo.InvariantCulture) : text;

    private sealed partial class ComponentsSectionReader
    {
        /// <summary>References from a database section to other components, checked once every component is known.</summary>
        private readonly List<(string Database, string Target, YamlNode Node, string Path, bool ServiceOnly)> _databaseReferences = [];

        private DatabaseSpec ReadDatabaseSpec(YamlMappingNode map, string path, string? name)
        {
            var expect = r.Mapping(YamlReader.Get(map, "expect"), $"{path}.expect");
            MigrationExpectation? migrations = null;
            Dictionary<string, long> seed = [];
            List<ExpectedConstraint> constraints = [];
            if (expect is not null)
            {
                r.AllowKeys(expect, $"{path}.expect", "migrations", "seed", "constraints");
                migrations = ReadMigrations(YamlReader.Get(expect, "migrations"), $"{path}.expect.migrations");
                seed = ReadSeed(YamlReader.Get(expect, "seed"), $"{path}.expect.seed");
                constraints = ReadConstraints(YamlReader.Get(expect, "constraints"), $"{path}.expect.constraints");
            }

            return new DatabaseSpec
            {
                Migrations = migrations,
                Seed = seed,
                Constraints = constraints,
                Probes = ReadProbes(YamlReader.Get(map, "probes"), $"{path}.probes", name),
                Pool = ReadPoolPolicy(YamlReader.Get(map, "pool"), $"{path}.pool"),
                Clients = ReadClients(YamlReader.Get(map, "clients"), $"{path}.clients", name),
                FaultTests = r.Bool(YamlReader.Get(map, "faultTests"), $"{path}.faultTests") ?? false,
            };
        }

        private MigrationExpectation? ReadMigrations(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "table", "latest", "folder");
            var tableNode = YamlReader.Get(map, "table");
            var table = r.String(tableNode, $"{path}.table");
            if (table is not null && !MigrationTables.Contains(table, StringComparer.OrdinalIgnoreCase))
            {
                r.Error(tableNode!, $"{path}.table", $"unknown migration history table '{table}'",
                    Suggest.DidYouMean(table, MigrationTables, "one of: "));
            }

            var latest = r.String(YamlReader.Get(map, "latest"), $"{path}.latest");
            var folderNode = YamlReader.Get(map, "folder");
            var folderText = r.String(folderNode, $"{path}.folder");
            string? folder = null;
            if (latest is not null && folderText is not null)
            {
                r.Error(map, path, "both 'latest' and 'folder' given",
                    "give either 'latest: NAME' (the newest migration) or 'folder: PATH' (its newest file is the expected latest)");
            }
            else if (folderText is not null)
            {
                folder = Path.GetFullPath(Path.Combine(baseDirectory, folderText));
                if (!Directory.Exists(folder))
                {
                    r.Error(folderNode!, $"{path}.folder", $"folder not found: {folderText}", "paths are relative to the folder of the manifest");
                    folder = null;
                }
                else if (!Directory.EnumerateFiles(folder).Any(f => !Path.GetFileName(f).StartsWith('.')))
                {
                    r.Error(folderNode!, $"{path}.folder", $"folder has no migration files: {folderText}", "name the folder that holds the migration scripts");
                    folder = null;
                }
            }
            else if (latest is null && table is null)
            {
                r.Error(map, path, "nothing expected of the migrations", "give 'latest: NAME' or 'folder: PATH', and optionally 'table'");
            }

            return new MigrationExpectation(table, latest, folder);
        }

        private Dictionary<string, long> ReadSeed(YamlNode? node, string path)
        {
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            var map = r.Mapping(node, path);
            foreach (var (keyNode, valueNode) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var table = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var count = r.Int(valueNode, $"{path}.{table}", 0, int.MaxValue);
                if (count is not null)
                {
                    result[table] = count.Value;
                }
            }

            return result;
        }

        private List<ExpectedConstraint> ReadConstraints(YamlNode? node, string path)
        {
            var result = new List<ExpectedConstraint>();
            foreach (var (map, itemPath) in r.MappingList(node, path))
            {
                r.AllowKeys(map, itemPath, "table", "unique", "notNull", "foreignKey", "references", "where");
                var table = r.String(r.Required(map, itemPath, "table", "the table the constraint is on"), $"{itemPath}.table");
                var kinds = new (string Key, ConstraintKind Kind)[] { ("unique", ConstraintKind.Unique), ("notNull", ConstraintKind.NotNull), ("foreignKey", ConstraintKind.ForeignKey) }
                    .Where(k => YamlReader.Get(map, k.Key) is not null)
                    .ToList();
                if (kinds.Count != 1)
                {
                    r.Error(map, itemPath, kinds.Count == 0 ? "no constraint given" : "more than one constraint given",
                        "give exactly one of 'unique: [columns]', 'notNull: [columns]' or 'foreignKey: [columns]' with 'references: TABLE'");
                    continue;
                }

                var (key, kind) = kinds[0];
                var columns = r.StringList(YamlReader.Get(map, key), $"{itemPath}.{key}").Select(c => c.Value).ToList();
                var referencesNode = YamlReader.Get(map, "references");
                var references = r.String(referencesNode, $"{itemPath}.references");
                if (kind == ConstraintKind.ForeignKey && references is null)
                {
                    r.Error(map, $"{itemPath}.references", "missing required field 'references'", "name the table the foreign key points at");
                }
                else if (kind != ConstraintKind.ForeignKey && referencesNode is not null)
                {
                    r.Error(referencesNode, $"{itemPath}.references", "'references' only goes with 'foreignKey'", "remove it, or write 'foreignKey: [columns]'");
                }

                var whereNode = YamlReader.Get(map, "where");
                var where = r.String(whereNode, $"{itemPath}.where");
                if (whereNode is not null && kind != ConstraintKind.Unique)
                {
                    r.Error(whereNode, $"{itemPath}.where", "'where' only goes with 'unique'", "remove it, or write 'unique: [columns]' (a partial unique index)");
                }
                else if (whereNode is YamlScalarNode && string.IsNullOrWhiteSpace(where))
                {
                    r.Error(whereNode, $"{itemPath}.where", "empty predicate", "write the partial index's predicate, e.g. where: \"returned_at is null\", or remove 'where'");
                }

                if (columns.Count == 0 && YamlReader.Get(map, key) is YamlSequenceNode)
                {
                    r.Error(YamlReader.Get(map, key)!, $"{itemPath}.{key}", "no columns given", "list at least one column");
                }
                else if (table is not null && columns.Count > 0)
                {
                    result.Add(new ExpectedConstraint(table, kind, columns, references, kind == ConstraintKind.Unique && !string.IsNullOrWhiteSpace(where) ? where.Trim() : null));
                }
            }

            return result;
        }

        private List<DatabaseProbe> ReadProbes(YamlNode? node, string path, string? database)
        {
            var result = new List<DatabaseProbe>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (map, itemPath) in r.MappingList(node, path))
            {
                r.AllowKeys(map, itemPath, "name", "sql", "params", "http", "via", "login");
                var nameNode = r.Required(map, itemPath, "name", "name the probe, for example 'name: product-by-sku'");
                var name = r.String(nameNode, $"{itemPath}.name");
                if (name is not null && !names.Add(name))
                {
                    r.Error(nameNode!, $"{itemPath}.name", $"duplicate probe '{name}'", "probe names must be unique within a database");
                }

                var sqlNode = YamlReader.Get(map, "sql");
                var httpNode = YamlReader.Get(map, "http");
                if ((sqlNode is null) == (httpNode is null))
                {
                    r.Error(map, itemPath, sqlNode is null ? "no probe given" : "both 'sql' and 'http' given",
                        "give 'sql: \"select ... where id = @id\"' with 'params', or 'http: GET /path' with 'via: SERVICE'");
                    continue;
                }

                var probe = sqlNode is not null
                    ? ReadSqlProbe(map, itemPath, sqlNode)
                    : ReadHttpProbe(map, itemPath, httpNode!, database);
                if (probe is not null && name is not null)
                {
                    result.Add(probe with { Name = name });
                }
            }

            return result;
        }

        private DatabaseProbe? ReadSqlProbe(YamlMappingNode map, string path, YamlNode sqlNode)
        {
            foreach (var key in new[] { "via", "login" })
            {
                if (YamlReader.Get(map, key) is { } extra)
                {
                    r.Error(extra, $"{path}.{key}", $"'{key}' only goes with 'http'", "a SQL probe runs on Archgate's own connection; remove it");
                }
            }

            var sql = r.String(sqlNode, $"{path}.sql");
            if (sql is not null && (!ReadOnlySqlPattern().IsMatch(sql) || sql.TrimEnd().TrimEnd(';').Contains(';', StringComparison.Ordinal)))
            {
                r.Error(sqlNode, $"{path}.sql", "a probe query must be one read-only statement",
                    "write a single SELECT (or WITH ... SELECT); pass values as @parameters in 'params', never in the text");
                sql = null;
            }

            var parameters = r.StringMap(YamlReader.Get(map, "params"), $"{path}.params");
            if (sql is not null)
            {
                foreach (var name in parameters.Keys.Where(p => !sql.Contains("@" + p, StringComparison.Ordinal)))
                {
                    r.Error(YamlReader.Get(map, "params")!, $"{path}.params.{name}", $"parameter '{name}' is not used in the query",
                        $"refer to it as @{name} in 'sql', or remove it");
                }
            }

            return sql is null ? null : new DatabaseProbe { Name = string.Empty, Sql = sql, Parameters = parameters };
        }

        private DatabaseProbe? ReadHttpProbe(YamlMappingNode map, string path, YamlNode httpNode, string? database)
        {
            if (YamlReader.Get(map, "params") is { } extra)
            {
                r.Error(extra, $"{path}.params", "'params' only goes with 'sql'", "put query values into the path of 'http'");
            }

            var http = r.String(httpNode, $"{path}.http");
            if (http is not null && !HttpProbePattern().IsMatch(http))
            {
                r.Error(httpNode, $"{path}.http", $"invalid probe request '{http}'",
                    "write 'GET /path' (or HEAD): probe requests are repeated under load, so they must not change anything");
                http = null;
            }

            var viaNode = r.Required(map, path, "via", "name the service that serves the request and uses this database");
            var via = r.String(viaNode, $"{path}.via");
            if (via is not null && database is not null)
            {
                _databaseReferences.Add((database, via, viaNode!, $"{path}.via", true));
            }

            var login = ReadProbeLogin(YamlReader.Get(map, "login"), $"{path}.login");
            return http is null || via is null ? null : new DatabaseProbe { Name = string.Empty, Http = http, Via = via, Login = login };
        }

        /// <summary>A probe's <c>login</c>: an identity's name; the old spelling <c>{ path, user, password }</c> still loads, with a warning.</summary>
        private ServiceAuth? ReadProbeLogin(YamlNode? node, string path)
        {
            if (node is not YamlMappingNode loginMap || YamlReader.Get(loginMap, "path") is null)
            {
                return node is null ? null : ReadAuthReference(node, path);
            }

            r.AllowKeys(loginMap, path, "path", "user", "password");
            var loginPath = r.String(r.Required(loginMap, path, "path", "the login endpoint, for example /auth/login"), $"{path}.path");
            var user = r.String(r.Required(loginMap, path, "user"), $"{path}.user");
            var password = r.String(r.Required(loginMap, path, "password", "use ${VAR} to keep it out of the file"), $"{path}.password");
            r.Warn(loginMap, path, "a probe's login with path, user and password is deprecated",
                $"define the identity once in the top-level 'auth' section (auth: {{ {user ?? "ann"}: {{ login: POST {loginPath ?? "/auth/login"}, user: ..., password: ... }} }}) and write 'login: {user ?? "ann"}' here");
            if (loginPath is not null && !loginPath.StartsWith('/'))
            {
                r.Error(YamlReader.Get(loginMap, "path")!, $"{path}.path", $"login path '{loginPath}' must start with '/'", $"write '/{loginPath}'");
                return null;
            }

            return loginPath is null || user is null || password is null ? null : new LoginAuth("POST", loginPath, user, password, null);
        }

        private PoolPolicy ReadPoolPolicy(YamlNode? node, string path)
        {
            var defaults = new PoolPolicy();
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return defaults;
            }

            r.AllowKeys(map, path, PoolKeys);
            TimeSpan? Duration(string key, TimeSpan max) => r.BoundedDuration(map, path, key, max);

            double? Share(string key)
            {
                var value = r.Percent(YamlReader.Get(map, key), $"{path}.{key}");
                if (value is 0)
                {
                    r.Error(YamlReader.Get(map, key)!, $"{path}.{key}", $"{key} must be above 0%", "write a share such as 80%");
                    return null;
                }

                return value;
            }

            var policy = new PoolPolicy
            {
                MinConnectTimeout = Duration("minConnectTimeout", TimeSpan.FromMinutes(5)) ?? defaults.MinConnectTimeout,
                MaxConnectTimeout = Duration("maxConnectTimeout", TimeSpan.FromMinutes(5)) ?? defaults.MaxConnectTimeout,
                MaxCommandTimeout = Duration("maxCommandTimeout", TimeSpan.FromHours(1)) ?? defaults.MaxCommandTimeout,
                MaxPoolSize = r.Int(YamlReader.Get(map, "maxPoolSize"), $"{path}.maxPoolSize", 1, 10_000) ?? defaults.MaxPoolSize,
                ConnectionBudget = Share("connectionBudget") ?? defaults.ConnectionBudget,
                Utilization = Share("utilization") ?? defaults.Utilization,
                IdleInTransaction = Duration("idleInTransaction", TimeSpan.FromMinutes(10)) ?? defaults.IdleInTransaction,
                LoadDuration = Duration("loadDuration", TimeSpan.FromSeconds(30)) ?? defaults.LoadDuration,
                LoadConcurrency = r.Int(YamlReader.Get(map, "loadConcurrency"), $"{path}.loadConcurrency", 1, 64) ?? defaults.LoadConcurrency,
                Recovery = Duration("recovery", TimeSpan.FromMinutes(2)) ?? defaults.Recovery,
                LatencySamples = r.Int(YamlReader.Get(map, "latencySamples"), $"{path}.latencySamples", 1, 10_000) ?? defaults.LatencySamples,
                QueryTimeout = Duration("queryTimeout", TimeSpan.FromMinutes(1)) ?? defaults.QueryTimeout,
            };
            if (policy.MinConnectTimeout > policy.MaxConnectTimeout)
            {
                r.Error(map, path, "minConnectTimeout is above maxConnectTimeout", "the minimum must not exceed the maximum");
            }

            return policy;
        }

        private Dictionary<string, DatabaseClient> ReadClients(YamlNode? node, string path, string? database)
        {
            var result = new Dictionary<string, DatabaseClient>(StringComparer.Ordinal);
            var map = r.Mapping(node, path);
            foreach (var (keyNode, valueNode) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var client = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var clientPath = $"{path}.{client}";
                if (database is not null)
                {
                    _databaseReferences.Add((database, client, keyNode, clientPath, false));
                }

                var settings = r.Mapping(valueNode, clientPath);
                if (settings is null)
                {
                    continue;
                }

                r.AllowKeys(settings, clientPath, "connection", "instances");
                var connection = r.String(YamlReader.Get(settings, "connection"), $"{clientPath}.connection");
                var instances = r.Int(YamlReader.Get(settings, "instances"), $"{clientPath}.instances", 1, 1000) ?? 1;
                result[client] = new DatabaseClient(connection, instances);
            }

            return result;
        }
    }
}
