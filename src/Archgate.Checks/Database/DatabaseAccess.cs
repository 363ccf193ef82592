using System.Data.Common;
using System.Globalization;
using Archgate.Launch;
using Archgate.Model;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>A service that uses a database, with the connection settings it uses.</summary>
/// <param name="Service">The dependant component.</param>
/// <param name="Connection">Its connection string (from <c>clients</c>, else the database's).</param>
/// <param name="Instances">How many instances run, each with its own pool.</param>
/// <param name="OwnConnection">True when the connection string is the dependant's own (<c>clients.*.connection</c>), false when it is the database's.</param>
internal sealed record DatabaseClient(ServiceComponent Service, string Connection, int Instances, bool OwnConnection = false)
{
    /// <summary>Every service that depends on <paramref name="database"/>, in manifest order.</summary>
    public static IReadOnlyList<DatabaseClient> Of(SystemModel system, DatabaseComponent database) =>
        system.OfKind<ServiceComponent>()
            .Where(c => c.DependsOn.Contains(database.Name))
            .Select(c => database.Database.Clients.TryGetValue(c.Name, out var client)
                ? new DatabaseClient(c, client.Connection ?? database.Connection, client.Instances, client.Connection is not null)
                : new DatabaseClient(c, database.Connection, 1))
            .ToList();

    /// <summary>
    /// Whether Archgate knows the dependant's pool and timeouts from <see cref="Connection"/>, with the driver's
    /// defaults for what it leaves out: the manifest gives the dependant's own string (<c>clients.*.connection</c>), or
    /// the dependant is a .NET program (its run command starts <c>dotnet</c> or a <c>.dll</c>, read through wrappers such as
    /// <c>sh -c 'cd api &amp;&amp; exec dotnet Api.dll'</c> or <c>env A=1 dotnet Api.dll</c>: <see cref="RunProgram"/>) and so reads it with the
    /// .NET driver (Npgsql, Microsoft.Data.Sqlite). Any other dependant (node-postgres, HikariCP, psycopg) may not read the
    /// database's string at all: its pool is what it reports in its health JSON, else unknown.
    /// </summary>
    public bool SettingsKnown => OwnConnection || (Service.Run is { } run && RunProgram.Of(run)?.IsDotnet == true);

    /// <summary>Where the connection string comes from, for evidence: the dependant's own entry or the database's string it falls back to.</summary>
    public string Source(DatabaseComponent database) => OwnConnection
        ? $"{database.Name}'s clients.{Service.Name}.connection"
        : $"{database.Name}'s own connection (no clients.{Service.Name}.connection gives {Service.Name}'s)";
}

/// <summary>
/// Archgate's own connections: never pooled, named <c>archgate</c> in <c>pg_stat_activity</c> (so they are never
/// mistaken for a dependant's), bounded connect and command timeouts, read-only where the engine allows.
/// </summary>
internal static class DatabaseAccess
{
    /// <summary>The application name of Archgate's sessions.</summary>
    public const string ApplicationName = "archgate";

    /// <summary>Opens a connection to <paramref name="database"/> with its own connection string and the default options.</summary>
    public static Task<DbConnection> OpenAsync(DatabaseComponent database, CancellationToken cancellationToken) =>
        OpenAsync(database, new DatabaseCheckOptions(), cancellationToken);

    /// <summary>Opens a connection to <paramref name="database"/> with its own connection string.</summary>
    public static Task<DbConnection> OpenAsync(DatabaseComponent database, DatabaseCheckOptions options, CancellationToken cancellationToken) =>
        OpenAsync(database.Engine, database.Connection, options, cancellationToken);

    /// <summary>Opens a connection with <paramref name="connection"/>, made safe for probing.</summary>
    public static async Task<DbConnection> OpenAsync(DatabaseEngine engine, string connection, DatabaseCheckOptions options, CancellationToken cancellationToken)
    {
        var result = Create(engine, connection, options);
        try
        {
            await result.OpenAsync(cancellationToken);
            if (engine == DatabaseEngine.Postgres)
            {
                // A probe never writes, whatever SQL it was given.
                await ExecuteAsync(result, "set session characteristics as transaction read only", cancellationToken);
            }

            return result;
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A connection object (not open) for probing: <paramref name="options"/>' connect timeout where the connection
    /// string sets none, its command timeout always.
    /// </summary>
    public static DbConnection Create(DatabaseEngine engine, string connection, DatabaseCheckOptions options)
    {
        var commandSeconds = (int)options.CommandTimeout.TotalSeconds;
        if (engine == DatabaseEngine.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(connection);
            if (!PoolSettings.Postgres(connection).Explicit.Contains("Timeout"))
            {
                builder.Timeout = (int)options.ConnectTimeout.TotalSeconds;
            }

            builder.Pooling = false;
            builder.ApplicationName = ApplicationName;
            builder.CommandTimeout = commandSeconds;
            return new NpgsqlConnection(builder.ConnectionString);
        }

        var sqlite = new SqliteConnectionStringBuilder(connection)
        {
            // Read-only: a probe must never create or change the database.
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = commandSeconds,
        };
        return new SqliteConnection(sqlite.ConnectionString);
    }

    /// <summary>The SQLite file a connection string names, or null for an in-memory database.</summary>
    public static string? SqliteFile(string connection)
    {
        var source = new SqliteConnectionStringBuilder(connection).DataSource;
        return source is ":memory:" or "" ? null : source;
    }

    /// <summary>Runs a statement and ignores its result.</summary>
    public static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only constant catalog SQL of Archgate and identifiers quoted by Quote() reach here.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Reads every row (at most <paramref name="limit"/>) as column name to value, names compared case-insensitively.</summary>
    public static async Task<List<Dictionary<string, object?>>> QueryAsync(
        DbConnection connection, string sql, CancellationToken cancellationToken, IReadOnlyDictionary<string, object>? parameters = null, int limit = 10_000)
    {
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only constant catalog SQL of Archgate and identifiers quoted by Quote() reach here; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>())
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<Dictionary<string, object?>>();
        while (rows.Count < limit && await reader.ReadAsync(cancellationToken))
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Quotes an identifier (table, column) for PostgreSQL and SQLite alike; <c>schema.table</c> is quoted part by part.</summary>
    public static string Quote(string identifier) =>
        string.Join('.', identifier.Split('.').Select(part => "\"" + part.Trim('"').Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <summary>The table part of <c>schema.table</c>, unquoted.</summary>
    public static string BareName(string name) => name.Split('.')[^1].Trim('"');

    /// <summary>Reads a numeric column as a long, whatever the driver returned.</summary>
    public static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>Reads a numeric column as a double, whatever the driver returned.</summary>
    public static double Double(object? value) => value is null ? 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a column as text, the same on every machine: dates and times in ISO 8601 as APIs print them (a PostgreSQL
    /// <c>date</c> arrives as <see cref="DateOnly"/>, <c>time</c> as <see cref="TimeOnly"/>, and their default
    /// <c>ToString</c> follows the culture: <c>06/01/2028</c>), an array as <c>[a, b]</c>, <c>bytea</c> as PostgreSQL
    /// prints it (<c>\x0a1b</c>).
    /// </summary>
    public static string Text(object? value) => value switch
    {
        null or DBNull => string.Empty,
        string s => s,
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture), // ISO 8601, as APIs print times
        DateTimeOffset t => t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString(DateFormat, CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture), // an interval: [-][d.]hh:mm:ss[.fffffff]
        byte[] bytes => "\\x" + Convert.ToHexStringLower(bytes),
        Array array => "[" + string.Join(", ", array.Cast<object?>().Select(e => e is null or DBNull ? "null" : Text(e))) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>The ISO 8601 calendar date, as <see cref="Text"/> prints a <see cref="DateOnly"/>.</summary>
    public const string DateFormat = "yyyy-MM-dd";
}
