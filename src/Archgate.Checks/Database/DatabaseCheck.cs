using System.Data.Common;
using System.Net.Sockets;
using Archgate.Model;
using Archgate.Protocol;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>
/// What the step 3 checks of one database share: their identity, the database's connection, and how a failure to
/// connect becomes a skipped result (the connectivity check reports it; the others must not repeat it).
/// </summary>
internal abstract class DatabaseCheck(DatabaseComponent database, string kind, string title) : ICheck
{
    protected DatabaseComponent Database => database;

    protected DatabaseEngine Engine => database.Engine;

    protected bool IsPostgres => Engine == DatabaseEngine.Postgres;

    public string Id => $"database.{kind}:{database.Name}";

    public int Step => 3;

    public string Title => $"{database.Name}: {title}";

    public virtual Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            if (!IsPostgres && DatabaseAccess.SqliteFile(database.Connection) is { } file && !File.Exists(file))
            {
                return CheckResult.Skipped($"{database.Name} is not reachable: database file not found (see database.connect:{database.Name})");
            }

            connection = await DatabaseAccess.OpenAsync(database, context.System.Checks.Database, cancellationToken);
        }
        catch (Exception ex) when (IsConnectFailure(ex, cancellationToken))
        {
            var (cause, transient, _) = ConnectivityCheck.Classify(ex);
            return CheckResult.Skipped($"{database.Name} is not reachable: {cause} (see database.connect:{database.Name})") with
            {
                TransientCause = transient ? cause : null,
            };
        }

        await using (connection)
        {
            return await RunAsync(context, connection, cancellationToken);
        }
    }

    /// <summary>Runs the check over an open connection of Archgate's own.</summary>
    protected abstract Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken);

    /// <summary>True for the exceptions a connection attempt may end with (not cancellation of the run).</summary>
    public static bool IsConnectFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is DbException or SocketException or TimeoutException or OperationCanceledException or InvalidOperationException or ArgumentException;

    /// <summary>A finding about this database (<see cref="Findings.Create(string, Severity, string?, string?, string, string?, string?)"/>), its evidence redacted (it may quote connection strings).</summary>
    protected Finding Finding(string rule, Severity severity, string? location, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, database.Name, location, message, evidence is null ? null : Redact.Text(evidence), hint);

    /// <summary>High, or critical when the database is declared critical.</summary>
    protected Severity HighOrCritical => database.Critical ? Severity.Critical : Severity.High;

    /// <summary>A metric tagged with this database.</summary>
    protected Metric Metric(string name, double value, string unit, params (string Key, string Value)[] tags)
    {
        var all = new Dictionary<string, string> { ["component"] = database.Name };
        foreach (var (key, v) in tags)
        {
            all[key] = v;
        }

        return new Metric(name, all, value, unit);
    }

    /// <summary>The PostgreSQL SqlState of an exception, if it carries one.</summary>
    protected static string? SqlState(Exception ex) => (ex as PostgresException)?.SqlState;
}
