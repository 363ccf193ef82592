using System.Reflection;
using Shop.Common;

namespace Shop.Api.Data;

/// <summary>
/// Applies the embedded versioned scripts (<c>Migrations/NNNN_name.sql</c>) in order, each in its own
/// transaction, and records each in a DbUp-style journal <c>schemaversions(schemaversionsid, scriptname, applied)</c>.
/// </summary>
internal sealed partial class Migrator(ShopDb db, FaultSwitches faults, TimeProvider time, ILogger<Migrator> logger)
{
    private const string FaultMarker = "-- fault:" + FaultSwitches.MissingFkIndex;

    public static IReadOnlyList<string> Scripts { get; } =
    [
        .. typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n["Migrations/".Length..])
            .Order(StringComparer.Ordinal),
    ];

    public async Task<string?> MigrateAsync(CancellationToken ct)
    {
        await using (var lease = await db.OpenAsync(ct))
        {
            await lease.ExecuteAsync(db.Engine == DbEngine.Postgres
                ? """
                  CREATE TABLE IF NOT EXISTS schemaversions (
                      schemaversionsid SERIAL NOT NULL CONSTRAINT pk_schemaversions_id PRIMARY KEY,
                      scriptname VARCHAR(255) NOT NULL,
                      applied TIMESTAMP NOT NULL)
                  """
                : """
                  CREATE TABLE IF NOT EXISTS schemaversions (
                      schemaversionsid INTEGER CONSTRAINT pk_schemaversions_id PRIMARY KEY AUTOINCREMENT,
                      scriptname TEXT NOT NULL,
                      applied DATETIME NOT NULL)
                  """, [], ct);
            if (db.Engine == DbEngine.Sqlite)
            {
                // Readers do not block the writer: the api and its worker share one file.
                await lease.ExecuteAsync("PRAGMA journal_mode=WAL", [], ct);
            }
        }

        var applied = await AppliedAsync(ct);
        foreach (var script in Scripts.Where(s => !applied.Contains(s)))
        {
            await ApplyAsync(script, ct);
        }

        return Scripts.Count > 0 ? Scripts[^1] : null;
    }

    public async Task<HashSet<string>> AppliedAsync(CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var names = await lease.QueryAsync("SELECT scriptname FROM schemaversions", [], r => r.GetString(0), ct);
        return [.. names];
    }

    private async Task ApplyAsync(string script, CancellationToken ct)
    {
        await using var stream = typeof(Migrator).Assembly.GetManifestResourceStream("Migrations/" + script)!;
        using var reader = new StreamReader(stream);
        var text = db.Expand(await reader.ReadToEndAsync(ct));
        if (faults.IsOn(FaultSwitches.MissingFkIndex))
        {
            text = string.Join('\n', text.Split('\n').Where(line => !line.Contains(FaultMarker, StringComparison.Ordinal)));
        }

        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        await lease.ExecuteAsync(text, [], ct);
        await lease.ExecuteAsync(
            "INSERT INTO schemaversions (scriptname, applied) VALUES (@name, @applied)",
            [("name", script), ("applied", time.GetUtcNow().UtcDateTime)], ct);
        await lease.CommitAsync(ct);
        LogApplied(script);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Script}")]
    private partial void LogApplied(string script);
}
