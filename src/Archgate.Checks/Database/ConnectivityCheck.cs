using System.Data.Common;
using System.Diagnostics;
using System.Net.Sockets;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3: the database accepts a connection and answers <c>select 1</c>; connect and query latency are
/// metrics. A failure names its classified cause (refused, auth failed, unknown database, timeout, ...).
/// </summary>
internal sealed class ConnectivityCheck(DatabaseComponent database) : ICheck
{
    /// <summary>Connect timeout when the connection string sets none.</summary>

    public string Id => $"database.connect:{database.Name}";

    public int Step => 3;

    public string Title => $"{database.Name} accepts connections";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        context.Activity?.Report($"connecting to {database.Name}");
        var connectWatch = Stopwatch.StartNew();
        try
        {
            await using var connection = Open(database, context.System.Checks.Database);
            if (connection is null)
            {
                return Failure("database file not found", false,
                    "create the database (run the service's migrations) or fix 'Data Source' in the connection string");
            }

            await connection.OpenAsync(cancellationToken);
            var connectMs = connectWatch.Elapsed.TotalMilliseconds;
            var queryWatch = Stopwatch.StartNew();
            await using var command = connection.CreateCommand();
            command.CommandText = "select 1";
            await command.ExecuteScalarAsync(cancellationToken);
            var queryMs = queryWatch.Elapsed.TotalMilliseconds;
            var metrics = new List<Metric>
            {
                Metric.ForComponent("db_connect_time", database.Name, connectMs, "ms"),
                Metric.ForComponent("db_select1_time", database.Name, queryMs, "ms"),
            };
            return CheckResult.From([], metrics) with { Reachability = Reachability.Reached };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or OperationCanceledException or InvalidOperationException or ArgumentException)
        {
            var (cause, transient, hint) = Classify(ex);
            return Failure(cause, transient, hint, ex);
        }
    }

    private string EngineName => database.Engine == DatabaseEngine.Postgres ? "PostgreSQL" : "SQLite";

    private static DbConnection? Open(DatabaseComponent database, DatabaseCheckOptions options)
    {
        if (database.Engine == DatabaseEngine.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(database.Connection);

            // Npgsql's builder "contains" every keyword it knows; only the text tells whether Timeout was written.
            if (!PoolSettings.Postgres(database.Connection).Explicit.Contains("Timeout"))
            {
                builder.Timeout = (int)options.ConnectTimeout.TotalSeconds;
            }

            builder.Pooling = false;
            builder.ApplicationName = DatabaseAccess.ApplicationName;
            return new NpgsqlConnection(builder.ConnectionString);
        }

        var sqlite = new SqliteConnectionStringBuilder(database.Connection);
        if (sqlite.DataSource != ":memory:" && !File.Exists(sqlite.DataSource))
        {
            return null;
        }

        // Read-only: a probe must never create or change the database.
        sqlite.Mode = SqliteOpenMode.ReadOnly;
        sqlite.Pooling = false;
        return new SqliteConnection(sqlite.ConnectionString);
    }

    /// <summary>Classifies by SqlState and error codes, never by message text.</summary>
    internal static (string Cause, bool Transient, string Hint) Classify(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
            ("authentication failed", false, "check the user name and password in the connection string and the server's pg_hba.conf"),
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
            ("unknown database", false, "create the database or fix 'Database' in the connection string"),
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections } p =>
            ($"server not accepting connections ({p.SqlState})", true, "the server is starting up or out of connection slots; check max_connections and pool sizes"),
        PostgresException p => ($"server error {p.SqlState}", p.IsTransient, "see the PostgreSQL error code reference"),
        NpgsqlException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } or SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            ("connection refused", true, "is the database server running, and listening on the host and port of the connection string?"),
        NpgsqlException { InnerException: TimeoutException } or TimeoutException or OperationCanceledException =>
            ("timeout", true, "the server did not answer in time; check that it is reachable and not overloaded"),
        NpgsqlException { InnerException: SocketException s } =>
            ($"network error ({s.SocketErrorCode})", true, "check the host and port of the connection string"),
        NpgsqlException n => ("connection failed", n.IsTransient, "check the connection string and that the server is running"),
        SqliteException { SqliteErrorCode: 26 } => ("not a database", false, "the file exists but is not a SQLite database; check 'Data Source'"),
        SqliteException { SqliteErrorCode: 14 } => ("cannot open the database file", false, "check the path and its permissions"),
        SqliteException { SqliteErrorCode: 5 or 6 } => ("database is locked", true, "another process holds a write lock; check for long transactions"),
        SqliteException s => ($"SQLite error {s.SqliteErrorCode}", false, "see the SQLite result code reference"),
        ArgumentException => ("invalid connection string", false, "check the keys of the connection string against the driver's documentation"),
        _ => (ex.GetType().Name, false, "see the evidence"),
    };

    private CheckResult Failure(string cause, bool transient, string hint, Exception? ex = null)
    {
        var finding = Findings.Create(DatabaseRules.Unreachable, database.Critical ? Severity.Critical : Severity.High, database.Name, Redact.ConnectionString(database.Connection),
            $"{database.Name} ({EngineName}) is not reachable: {cause}", ex is null ? null : Redact.Text(ex.Message), hint);
        return new CheckResult
        {
            Status = CheckStatus.Fail,
            Findings = [finding],
            TransientCause = transient ? cause : null,
            Reachability = Reachability.Unreachable,
        };
    }
}
