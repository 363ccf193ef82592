using System.Diagnostics;
using Archgate.Model;
using Archgate.Protocol;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3: a dependant reaches its database with the connection settings it uses (from the manifest). For
/// PostgreSQL also the server version, and, through the database's own connection, whether the database and role
/// the dependant names exist.
/// </summary>
internal sealed class ClientConnectivityCheck(DatabaseComponent database, ServiceComponent service) : ICheck
{
    /// <summary>Oldest PostgreSQL major version still supported by the PostgreSQL project. <value>13</value>.</summary>
    public const int MinimumPostgresMajor = 13;

    public string Id => $"database.client:{database.Name}/{service.Name}";

    public int Step => 3;

    public string Title => $"{service.Name} reaches {database.Name} with its own settings";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var client = DatabaseClient.Of(context.System, database).First(c => c.Service.Name == service.Name);
        var engine = database.Engine;
        context.Activity?.Report($"connecting to {database.Name} as {service.Name}");
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        var watch = Stopwatch.StartNew();
        try
        {
            if (engine == DatabaseEngine.Sqlite && DatabaseAccess.SqliteFile(client.Connection) is { } file && !File.Exists(file))
            {
                return Fail(client.Connection, "database file not found", false, "the service's Data Source names a file that does not exist; fix the path or run the service's migrations", null);
            }

            await using var connection = await DatabaseAccess.OpenAsync(engine, client.Connection, context.System.Checks.Database, cancellationToken);
            metrics.Add(Metric.ForComponent("db_client_connect_time", service.Name, watch.Elapsed.TotalMilliseconds, "ms") with
            {
                Tags = new Dictionary<string, string> { ["component"] = service.Name, ["database"] = database.Name },
            });
            if (engine == DatabaseEngine.Postgres && connection is NpgsqlConnection pg)
            {
                var major = pg.PostgreSqlVersion.Major;
                metrics.Add(new Metric("db_server_version", new Dictionary<string, string> { ["component"] = database.Name }, major + (pg.PostgreSqlVersion.Minor / 100.0), "version"));
                if (major < MinimumPostgresMajor)
                {
                    findings.Add(Findings.Create(DatabaseRules.ServerVersion, Severity.Medium, service.Name, $"PostgreSQL {pg.ServerVersion}",
                        $"{database.Name} runs PostgreSQL {pg.ServerVersion}, older than the oldest supported major version {MinimumPostgresMajor}",
                        hint: "plan an upgrade: unsupported versions receive no security fixes"));
                }
            }

            return CheckResult.From(findings, metrics);
        }
        catch (Exception ex) when (DatabaseCheck.IsConnectFailure(ex, cancellationToken))
        {
            var (cause, transient, hint) = ConnectivityCheck.Classify(ex);
            if (engine == DatabaseEngine.Postgres && !transient)
            {
                var missing = await MissingTargetsAsync(client.Connection, context.System.Checks.Database, cancellationToken);
                if (missing.Count > 0)
                {
                    return new CheckResult
                    {
                        Status = CheckStatus.Fail,
                        Findings = missing.Select(m => Findings.Create(DatabaseRules.ClientTargetMissing, HighOrCritical, service.Name, Redact.ConnectionString(client.Connection), m.Message, hint: m.Hint)).ToList(),
                    };
                }
            }

            return Fail(client.Connection, cause, transient, hint, ex);
        }
    }

    private Severity HighOrCritical => database.Critical || service.Critical ? Severity.Critical : Severity.High;

    /// <summary>Through the database's own connection: does the dependant's database and role exist?</summary>
    private async Task<List<(string Message, string Hint)>> MissingTargetsAsync(string clientConnection, DatabaseCheckOptions options, CancellationToken cancellationToken)
    {
        var wanted = new NpgsqlConnectionStringBuilder(clientConnection);
        var result = new List<(string, string)>();
        try
        {
            await using var admin = await DatabaseAccess.OpenAsync(database, options, cancellationToken);
            var rows = await DatabaseAccess.QueryAsync(admin, """
                select exists (select 1 from pg_database where datname = @db) as db_exists,
                       exists (select 1 from pg_roles where rolname = @role) as role_exists,
                       exists (select 1 from pg_roles where rolname = @role and rolcanlogin) as role_login
                """, cancellationToken, new Dictionary<string, object> { ["db"] = wanted.Database ?? wanted.Username ?? string.Empty, ["role"] = wanted.Username ?? string.Empty });
            if (rows[0]["db_exists"] is false)
            {
                result.Add(($"database '{wanted.Database}' that {service.Name} connects to does not exist on the server",
                    $"create it (CREATE DATABASE {wanted.Database} OWNER {wanted.Username};) or fix 'Database' in the service's connection string"));
            }

            if (rows[0]["role_exists"] is false)
            {
                result.Add(($"role '{wanted.Username}' that {service.Name} connects as does not exist on the server",
                    $"create it (CREATE ROLE {wanted.Username} LOGIN PASSWORD '...';) or fix 'Username' in the service's connection string"));
            }
            else if (rows[0]["role_login"] is false)
            {
                result.Add(($"role '{wanted.Username}' that {service.Name} connects as may not log in",
                    $"ALTER ROLE {wanted.Username} LOGIN; or use a login role"));
            }
        }
        catch (Exception ex) when (DatabaseCheck.IsConnectFailure(ex, cancellationToken))
        {
            // The database's own connection fails too: the connectivity check reports that.
        }

        return result;
    }

    private CheckResult Fail(string connection, string cause, bool transient, string hint, Exception? ex) => new()
    {
        Status = CheckStatus.Fail,
        TransientCause = transient ? cause : null,
        Findings =
        [
            Findings.Create(DatabaseRules.ClientUnreachable, HighOrCritical, service.Name, Redact.ConnectionString(connection),
                $"{service.Name} cannot reach {database.Name} with the connection settings it uses: {cause}", ex is null ? null : Redact.Text(ex.Message), hint),
        ],
    };
}
