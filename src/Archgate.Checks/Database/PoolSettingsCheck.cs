using System.Data.Common;
using System.Globalization;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>The pool and timeout settings of one dependant's connection string, as the driver will apply them.</summary>
/// <param name="Explicit">Keys the connection string sets itself (the rest are driver defaults).</param>
internal sealed record PoolSettings(
    bool Pooling, int MinPoolSize, int MaxPoolSize, int ConnectTimeoutSeconds, int CommandTimeoutSeconds, int IdleLifetimeSeconds,
    string? ApplicationName, string? Username, string? Database, IReadOnlySet<string> Explicit)
{
    /// <summary>Parses a PostgreSQL connection string with Npgsql's own builder (its defaults included).</summary>
    public static PoolSettings Postgres(string connection)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);

        // Npgsql's builder answers ContainsKey for every keyword it knows; only the raw text tells what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connection }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet();
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, spellings) in new[]
                 {
                     ("Timeout", new[] { "TIMEOUT" }),
                     ("Command Timeout", ["COMMANDTIMEOUT"]),
                     ("Maximum Pool Size", ["MAXIMUMPOOLSIZE", "MAXPOOLSIZE"]),
                     ("Minimum Pool Size", ["MINIMUMPOOLSIZE", "MINPOOLSIZE"]),
                     ("Connection Idle Lifetime", ["CONNECTIONIDLELIFETIME"]),
                 })
        {
            if (spellings.Any(written.Contains))
            {
                set.Add(key);
            }
        }

        return new PoolSettings(b.Pooling, b.MinPoolSize, b.MaxPoolSize, b.Timeout, b.CommandTimeout, b.ConnectionIdleLifetime,
            string.IsNullOrEmpty(b.ApplicationName) ? null : b.ApplicationName, b.Username, b.Database, set);
    }

    /// <summary>
    /// These settings with what the service reports in its health JSON in place of the connection string's: a
    /// service that fills in its own pool size and timeouts when the connection string has none sets them explicitly.
    /// </summary>
    public PoolSettings With(ReportedPool? reported)
    {
        if (reported is null)
        {
            return this;
        }

        var set = new HashSet<string>(Explicit, StringComparer.OrdinalIgnoreCase);
        if (reported.ConnectTimeoutSeconds is not null)
        {
            set.Add("Timeout");
        }

        if (reported.CommandTimeoutSeconds is not null)
        {
            set.Add("Command Timeout");
        }

        return this with
        {
            MaxPoolSize = reported.PoolSize ?? MaxPoolSize,
            ConnectTimeoutSeconds = reported.ConnectTimeoutSeconds ?? ConnectTimeoutSeconds,
            CommandTimeoutSeconds = reported.CommandTimeoutSeconds ?? CommandTimeoutSeconds,
            Explicit = set,
        };
    }
}

/// <summary>
/// Step 3: each dependant's pool and timeout settings (minimum and maximum pool size, connect and command timeout,
/// idle lifetime) against the policy, and all pools together against the server's <c>max_connections</c>. Where a
/// dependant reports its pool size or timeouts in its health JSON, those values are judged instead of its connection string's.
/// </summary>
internal sealed class PoolSettingsCheck(DatabaseComponent database) : DatabaseCheck(database, "pool", "pool and timeout settings")
{
    public override Applicability AppliesTo(SystemModel system) =>
        DatabaseClient.Of(system, Database).Count > 0 ? Applicability.Yes : Applicability.No("no service depends on this database");

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken) =>
        IsPostgres ? await PostgresAsync(context, connection, cancellationToken) : Sqlite(context);

    private async Task<CheckResult> PostgresAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        var policy = Database.Database.Pool;
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        var claimed = 0;
        var sizes = new List<string>();
        var unknown = new List<string>();
        foreach (var client in DatabaseClient.Of(context.System, Database))
        {
            // What a running service reports beats the driver defaults its connection string would imply.
            var reported = ProbeRequests.IsLoopback(client.Service)
                ? await ProbeRequests.ReportedPoolAsync(context.Http, client.Service, cancellationToken)
                : null;
            var who = client.Service.Name;
            if (!client.SettingsKnown)
            {
                Unknown(findings, metrics, client, reported, policy, ref claimed, sizes, unknown);
                continue;
            }

            var s = PoolSettings.Postgres(client.Connection).With(reported);
            (string, string)[] tags = [("client", who)];
            metrics.Add(Metric("db_pool_max", s.MaxPoolSize, "connections", tags));
            metrics.Add(Metric("db_pool_min", s.MinPoolSize, "connections", tags));
            metrics.Add(Metric("db_connect_timeout", s.ConnectTimeoutSeconds, "s", tags));
            metrics.Add(Metric("db_command_timeout", s.CommandTimeoutSeconds, "s", tags));
            metrics.Add(Metric("db_pool_idle_lifetime", s.IdleLifetimeSeconds, "s", tags));
            if (!s.Pooling)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, "Pooling", "false", false, $"{who} opens a new connection for every use (Pooling=false)",
                    "enable pooling (the default) unless an external pooler such as PgBouncer sits in between"));
                continue;
            }

            claimed += s.MaxPoolSize * client.Instances;
            sizes.Add($"{who} {s.MaxPoolSize} x {client.Instances}{(reported?.PoolSize is not null ? $" (pool size reported by {who}'s health endpoint)" : string.Empty)}");
            Timeout(findings, client, "Timeout", "connect timeout", s.ConnectTimeoutSeconds, s.Explicit.Contains("Timeout"), reported?.ConnectTimeoutSeconds is not null, policy.MinConnectTimeout, policy.MaxConnectTimeout);
            Timeout(findings, client, "Command Timeout", "command timeout", s.CommandTimeoutSeconds, s.Explicit.Contains("Command Timeout"), reported?.CommandTimeoutSeconds is not null, TimeSpan.FromSeconds(1), policy.MaxCommandTimeout);
            if (s.MaxPoolSize > policy.MaxPoolSize)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, "Maximum Pool Size", Text(s.MaxPoolSize), reported?.PoolSize is not null,
                    $"{who}'s maximum pool size {s.MaxPoolSize} is above the policy's {policy.MaxPoolSize}",
                    "a pool that large usually hides slow queries or leaked connections; lower 'Maximum Pool Size' (or raise pool.maxPoolSize)"));
            }

            if (s.MinPoolSize > s.MaxPoolSize)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.High, client, "Minimum Pool Size", Text(s.MinPoolSize), false,
                    $"{who}'s minimum pool size {s.MinPoolSize} is above its maximum {s.MaxPoolSize}", "set 'Minimum Pool Size' at or below 'Maximum Pool Size'"));
            }

            if (s.IdleLifetimeSeconds <= 0)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Low, client, "Connection Idle Lifetime", Text(s.IdleLifetimeSeconds), false,
                    $"{who}'s idle connections are never closed (Connection Idle Lifetime={s.IdleLifetimeSeconds})",
                    "keep the default of 300 s, so that idle connections go back to the server"));
            }
        }

        var rows = await DatabaseAccess.QueryAsync(connection,
            "select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved",
            cancellationToken);
        var max = (int)DatabaseAccess.Long(rows[0]["max"]);
        metrics.Add(Metric("db_max_connections", max, "connections"));
        // What the pools claim and what they may claim are two metrics: a table row that reads "budget" must be the budget.
        var budget = policy.ConnectionBudget * max;
        metrics.Add(Metric("db_pool_claimed", claimed, "connections"));
        metrics.Add(Metric("db_connection_budget", Math.Floor(budget), "connections"));
        if (claimed > budget)
        {
            var list = string.Join(", ", sizes) + (unknown.Count > 0 ? $"; not counted, pool unknown: {string.Join(", ", unknown)}" : string.Empty);
            var finding = Finding(DatabaseRules.ConnectionBudget, Severity.High, "max_connections",
                $"the pools of {Database.Name}'s dependants may open {claimed} connections, more than {policy.ConnectionBudget:P0} of the server's max_connections {max}",
                $"{list} (maximum pool size x instances); max_connections {max}, of which {DatabaseAccess.Long(rows[0]["reserved"])} reserved for superusers",
                "lower 'Maximum Pool Size' per instance, put a pooler (PgBouncer) in front, or raise max_connections on the server");
            findings.Add(finding);
        }

        return CheckResult.From(findings, metrics);
    }

    /// <summary>
    /// A dependant whose driver Archgate does not know (<see cref="DatabaseClient.SettingsKnown"/>): only what its health
    /// JSON reports is judged; no driver's defaults are applied, and one info line says what is unknown and how to declare it.
    /// </summary>
    private void Unknown(List<Finding> findings, List<Metric> metrics, DatabaseClient client, ReportedPool? reported, PoolPolicy policy, ref int claimed, List<string> sizes, List<string> unknown)
    {
        var who = client.Service.Name;
        (string, string)[] tags = [("client", who)];
        var missing = new List<string>();
        if (reported?.PoolSize is { } size)
        {
            metrics.Add(Metric("db_pool_max", size, "connections", tags));
            claimed += size * client.Instances;
            sizes.Add($"{who} {size} x {client.Instances} (pool size reported by {who}'s health endpoint)");
            if (size > policy.MaxPoolSize)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, "Maximum Pool Size", Text(size), true,
                    $"{who}'s maximum pool size {size} is above the policy's {policy.MaxPoolSize}",
                    "a pool that large usually hides slow queries or leaked connections; lower its pool size (or raise pool.maxPoolSize)"));
            }
        }
        else
        {
            missing.Add("pool size");
            unknown.Add(who);
        }

        if (reported?.ConnectTimeoutSeconds is { } connect)
        {
            metrics.Add(Metric("db_connect_timeout", connect, "s", tags));
            Timeout(findings, client, "Timeout", "connect timeout", connect, true, true, policy.MinConnectTimeout, policy.MaxConnectTimeout);
        }
        else
        {
            missing.Add("connect timeout");
        }

        if (reported?.CommandTimeoutSeconds is { } command)
        {
            metrics.Add(Metric("db_command_timeout", command, "s", tags));
            Timeout(findings, client, "Command Timeout", "command timeout", command, true, true, TimeSpan.FromSeconds(1), policy.MaxCommandTimeout);
        }
        else
        {
            missing.Add("command timeout");
        }

        if (missing.Count > 0)
        {
            findings.Add(Findings.Create(DatabaseRules.TimeoutMissing, Severity.Info, who, $"connection to {Database.Name}: pool",
                $"{who}'s {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} unknown, so not judged{(missing.Contains("pool size") ? " and its pool is left out of the connection budget" : string.Empty)}: "
                + $"no clients.{who}.connection gives its connection and it is not a .NET program, so {Database.Name}'s connection string and the .NET driver's defaults may not be what it uses",
                $"{who}'s health JSON {(reported is null ? "reports no pool settings (poolSize, connectTimeoutSeconds, commandTimeoutSeconds)" : "reports only some pool settings")}; database {Database.Name}",
                $"declare it: clients.{who}.connection in {Database.Name} with its pool size and timeouts (e.g. ';Maximum Pool Size=5;Timeout=5;Command Timeout=10'), or report poolSize, connectTimeoutSeconds and commandTimeoutSeconds in its health JSON"));
        }
    }

    private void Timeout(List<Finding> findings, DatabaseClient client, string key, string what, int seconds, bool isExplicit, bool reported, TimeSpan min, TimeSpan max)
    {
        var who = client.Service.Name;
        var text = Text(seconds);
        if (!isExplicit)
        {
            findings.Add(ClientFinding(DatabaseRules.TimeoutMissing, Severity.Low, client, key, null, false,
                $"{who} sets no {what}: the driver's default of {text} s applies silently",
                $"set '{key}' explicitly in the connection string ({ValueParsers.FormatDuration(min)} to {ValueParsers.FormatDuration(max)} by the policy)"));
        }
        else if (seconds == 0)
        {
            findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, key, text, reported,
                $"{who}'s {what} is infinite ({key}=0): a stuck server blocks its callers forever",
                $"set '{key}' to at most {ValueParsers.FormatDuration(max)}"));
        }
        else if (TimeSpan.FromSeconds(seconds) > max || TimeSpan.FromSeconds(seconds) < min)
        {
            findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, key, text, reported,
                $"{who}'s {what} of {text} s is outside the policy ({ValueParsers.FormatDuration(min)} to {ValueParsers.FormatDuration(max)})",
                $"set '{key}' within the policy, or change the policy under pool:"));
        }
    }

    /// <summary>
    /// A finding about one dependant's setting: the setting is changed in that service's configuration, so the
    /// component is the service and the location its connection to this database and the key; the evidence says where
    /// the value was read (the connection string, which one, or the service's health endpoint).
    /// </summary>
    private Finding ClientFinding(string rule, Severity severity, DatabaseClient client, string key, string? value, bool reported, string message, string hint)
    {
        var read = value is null ? $"{key} not set" : reported ? $"{key} {value} as reported by {client.Service.Name}'s health endpoint" : $"{key}={value}";
        return Findings.Create(rule, severity, client.Service.Name, $"connection to {Database.Name}: {key}", message,
            Redact.Text($"{read}; database {Database.Name}; connection string from {client.Source(Database)}: {Redact.ConnectionString(client.Connection)}"), hint);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private CheckResult Sqlite(CheckContext context)
    {
        // SQLite has no server-side connection limit; its one timeout is the busy timeout.
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var client in DatabaseClient.Of(context.System, Database))
        {
            var b = new SqliteConnectionStringBuilder(client.Connection);
            metrics.Add(Metric("db_command_timeout", b.DefaultTimeout, "s", ("client", client.Service.Name)));
            if (b.DefaultTimeout == 0)
            {
                findings.Add(ClientFinding(DatabaseRules.SettingUnreasonable, Severity.Medium, client, "Default Timeout", "0", false,
                    $"{client.Service.Name} does not wait for a locked SQLite database (Default Timeout=0): concurrent writes fail at once with 'database is locked'",
                    "set 'Default Timeout' to a few seconds"));
            }
        }

        return CheckResult.From(findings, metrics);
    }
}
