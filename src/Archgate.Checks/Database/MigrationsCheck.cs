using System.Data.Common;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>One applied (or failed) migration as its tool records it.</summary>
/// <param name="Names">Every name it may be known by: id, version, script, description.</param>
/// <param name="Failed">True when the tool records it as failed.</param>
internal sealed record AppliedMigration(IReadOnlyList<string> Names, bool Failed)
{
    public string Display => Names.FirstOrDefault(n => n.Length > 0) ?? "?";

    /// <summary>True when <paramref name="expected"/> names this migration (case-insensitive, with or without a file extension).</summary>
    public bool Matches(string expected) =>
        Names.Any(n => n.Length > 0 && (string.Equals(n, expected, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(n), Path.GetFileNameWithoutExtension(expected), StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileName(n), expected, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>
/// Step 3: finds the migration history of EF Core, Flyway, Liquibase, DbUp, FluentMigrator, Alembic, Django, Rails,
/// golang-migrate, Prisma, Knex, Sequelize, sqlx, goose or Doctrine and compares the latest
/// applied migration with the expected one (from the manifest, or the newest file of a migrations folder). Pending
/// and failed migrations and a held Liquibase lock are findings.
/// </summary>
internal sealed class MigrationsCheck(DatabaseComponent database) : DatabaseCheck(database, "migrations", "migrations are up to date")
{
    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        context.Activity?.Report($"reading the migration history of {Database.Name}");
        var expectation = Database.Database.Migrations;
        var tables = await FindHistoryTablesAsync(connection, cancellationToken);
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        var table = expectation?.Table is { } wanted
            ? tables.FirstOrDefault(t => string.Equals(DatabaseAccess.BareName(t), wanted, StringComparison.OrdinalIgnoreCase))
            : tables.FirstOrDefault();
        if (table is null)
        {
            var expectedName = expectation?.Table ?? string.Join(", ", ManifestLoader.MigrationTables);
            findings.Add(Finding(DatabaseRules.MigrationTableMissing, expectation is null ? Severity.Info : Severity.High, expectation?.Table,
                $"no migration history table found ({expectedName})",
                tables.Count > 0 ? $"found instead: {string.Join(", ", tables)}" : null,
                "run the service's migrations against this database, or name the history table in expect.migrations.table"));
            return CheckResult.From(findings);
        }

        var tool = DatabaseAccess.BareName(table).ToUpperInvariant();
        var applied = await ReadHistoryAsync(connection, table, tool, cancellationToken);
        metrics.Add(Metric("db_migrations_applied", applied.Count(m => !m.Failed), "count", ("table", table)));
        foreach (var failed in applied.Where(m => m.Failed))
        {
            findings.Add(Finding(DatabaseRules.MigrationFailed, HighOrCritical, table, $"migration {failed.Display} is recorded as failed in {table}",
                string.Join(" | ", failed.Names.Where(n => n.Length > 0)),
                "repair the migration (for Flyway: fix it, then 'flyway repair' and migrate again; for Liquibase: roll back the change set)"));
        }

        if (tool == "DATABASECHANGELOG")
        {
            findings.AddRange(await LiquibaseLockAsync(connection, table, cancellationToken));
        }

        var succeeded = applied.Where(m => !m.Failed).ToList();
        var latest = succeeded.LastOrDefault();
        var expected = ExpectedLatest(expectation);
        if (expected is not null)
        {
            CompareWithExpected(findings, table, succeeded, latest, expected.Value);
        }

        return CheckResult.From(findings, metrics) with { Reason = latest is null ? null : $"latest applied: {latest.Display} ({table})" };
    }

    private void CompareWithExpected(List<Finding> findings, string table, List<AppliedMigration> succeeded, AppliedMigration? latest, (string Name, IReadOnlyList<string> All) expected)
    {
        if (latest is not null && latest.Matches(expected.Name))
        {
            return;
        }

        var index = succeeded.FindIndex(m => m.Matches(expected.Name));
        if (index >= 0)
        {
            var newer = succeeded.Skip(index + 1).Select(m => m.Display).ToList();
            findings.Add(Finding(DatabaseRules.MigrationsAhead, Severity.Medium, table,
                $"the database has {newer.Count} migration(s) newer than the expected latest {expected.Name}",
                $"newer: {string.Join(", ", newer.Take(10))}",
                "deploy the service version that ships these migrations, or update the expected latest migration"));
            return;
        }

        var pending = expected.All.Where(file => !succeeded.Any(m => m.Matches(file))).ToList();
        findings.Add(Finding(DatabaseRules.MigrationsPending, HighOrCritical, table,
            $"migrations are pending: the latest applied is {latest?.Display ?? "none"}, expected {expected.Name}",
            pending.Count > 0 ? $"not applied: {string.Join(", ", pending.Take(20))}" : null,
            "run the service's migrations (or let it migrate at start-up) before it takes traffic"));
    }

    /// <summary>The expected latest migration and, for a folder, every migration file in name order.</summary>
    private static (string Name, IReadOnlyList<string> All)? ExpectedLatest(MigrationExpectation? expectation)
    {
        if (expectation?.Latest is { } latest)
        {
            return (latest, [latest]);
        }

        if (expectation?.Folder is { } folder && Directory.Exists(folder))
        {
            var files = Directory.EnumerateFiles(folder)
                .Select(Path.GetFileName)
                .Where(f => f is not null && !f.StartsWith('.'))
                .Select(f => f!)
                .Order(StringComparer.Ordinal)
                .ToList();
            return files.Count == 0 ? null : (files[^1], files);
        }

        return null;
    }

    private async Task<List<string>> FindHistoryTablesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sql = IsPostgres
            ? """
              select case when table_schema = current_schema() then table_name else table_schema || '.' || table_name end as name
              from information_schema.tables
              where table_schema not in ('pg_catalog', 'information_schema') and lower(table_name) = any(@names)
              order by table_schema = current_schema() desc, table_name
              """
            : "select name from sqlite_master where type = 'table' and lower(name) in (select value from json_each(@names))";
        var names = ManifestLoader.MigrationTables.Select(t => t.ToLowerInvariant()).ToArray();
        object parameter = IsPostgres ? names : System.Text.Json.JsonSerializer.Serialize(names);
        var rows = await DatabaseAccess.QueryAsync(connection, sql, cancellationToken, new Dictionary<string, object> { ["names"] = parameter });
        return rows.Select(r => DatabaseAccess.Text(r["name"])).ToList();
    }

    private static async Task<List<AppliedMigration>> ReadHistoryAsync(DbConnection connection, string table, string tool, CancellationToken cancellationToken)
    {
        var rows = await DatabaseAccess.QueryAsync(connection, $"select * from {DatabaseAccess.Quote(table)}", cancellationToken);
        string Col(Dictionary<string, object?> row, string name) => row.TryGetValue(name, out var v) ? DatabaseAccess.Text(v) : string.Empty;
        long Num(Dictionary<string, object?> row, string name) => row.TryGetValue(name, out var v) && v is not null ? DatabaseAccess.Long(v) : 0;

        return tool switch
        {
            "__EFMIGRATIONSHISTORY" => rows.OrderBy(r => Col(r, "MigrationId"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "MigrationId")], false)).ToList(),
            "FLYWAY_SCHEMA_HISTORY" => rows
                .Where(r => Col(r, "version").Length > 0 || !Col(r, "success").Equals("true", StringComparison.OrdinalIgnoreCase))
                .OrderBy(r => Num(r, "installed_rank"))
                .Select(r => new AppliedMigration(
                    [Col(r, "script"), Col(r, "version"), $"V{Col(r, "version")}__{Col(r, "description").Replace(' ', '_')}", Col(r, "description")],
                    !(Col(r, "success").Equals("true", StringComparison.OrdinalIgnoreCase) || Col(r, "success") == "1")))
                .ToList(),
            "DATABASECHANGELOG" => rows.OrderBy(r => Num(r, "orderexecuted"))
                .Select(r => new AppliedMigration([Col(r, "id"), Col(r, "filename")], Col(r, "exectype").Equals("FAILED", StringComparison.OrdinalIgnoreCase)))
                .ToList(),
            "VERSIONINFO" => rows.OrderBy(r => Num(r, "Version"))
                .Select(r => new AppliedMigration([Col(r, "Version"), Col(r, "Description")], false)).ToList(),
            // Alembic keeps only the revision(s) the database is at, not a history.
            "ALEMBIC_VERSION" => rows.Select(r => new AppliedMigration([Col(r, "version_num")], false)).ToList(),
            "DJANGO_MIGRATIONS" => rows.OrderBy(r => Num(r, "id"))
                .Select(r => new AppliedMigration([$"{Col(r, "app")}.{Col(r, "name")}", Col(r, "name")], false)).ToList(),
            // Rails: one version per row; golang-migrate: the current version and a dirty flag (a migration that failed
            // half-way, which blocks every later one until forced).
            "SCHEMA_MIGRATIONS" => rows.OrderBy(r => Col(r, "version"), Comparer<string>.Create(CompareVersions))
                .Select(r => new AppliedMigration([Col(r, "version")], Truthy(Col(r, "dirty")))).ToList(),
            // Prisma: a migration started and neither finished nor rolled back failed; rolled-back ones are not applied.
            "_PRISMA_MIGRATIONS" => rows.Where(r => Col(r, "rolled_back_at").Length == 0)
                .OrderBy(r => Col(r, "started_at"), StringComparer.Ordinal).ThenBy(r => Col(r, "migration_name"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "migration_name")], Col(r, "finished_at").Length == 0)).ToList(),
            "KNEX_MIGRATIONS" => rows.OrderBy(r => Num(r, "id"))
                .Select(r => new AppliedMigration([Col(r, "name")], false)).ToList(),
            "SEQUELIZEMETA" => rows.OrderBy(r => Col(r, "name"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "name")], false)).ToList(),
            "_SQLX_MIGRATIONS" => rows.OrderBy(r => Num(r, "version"))
                .Select(r => new AppliedMigration([Col(r, "version"), $"{Col(r, "version")}_{Col(r, "description").Replace(' ', '_')}", Col(r, "description")],
                    !Truthy(Col(r, "success")))).ToList(),
            // goose: a row per up or down; version 0 is its own start row.
            "GOOSE_DB_VERSION" => GooseApplied(rows.OrderBy(r => Num(r, "id")).Select(r => (Num(r, "version_id"), Truthy(Col(r, "is_applied"))))),
            "DOCTRINE_MIGRATION_VERSIONS" => rows.OrderBy(r => Col(r, "executed_at"), StringComparer.Ordinal).ThenBy(r => Col(r, "version"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "version"), Col(r, "version").Split('\\')[^1]], false)).ToList(),
            _ => rows.OrderBy(r => Num(r, "schemaversionsid")).ThenBy(r => Col(r, "applied"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "scriptname")], false)).ToList(),
        };
    }

    private static bool Truthy(string value) => value is "1" or "t" || value.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Numeric versions (Rails' and golang-migrate's timestamps) in numeric order, others by text.</summary>
    private static int CompareVersions(string? a, string? b) =>
        long.TryParse(a, out var x) && long.TryParse(b, out var y) ? x.CompareTo(y) : string.CompareOrdinal(a, b);

    /// <summary>goose's log of ups and downs as the versions applied now, in the order they were applied.</summary>
    private static List<AppliedMigration> GooseApplied(IEnumerable<(long Version, bool Up)> log)
    {
        var applied = new List<long>();
        foreach (var (version, up) in log.Where(e => e.Version != 0))
        {
            applied.Remove(version);
            if (up)
            {
                applied.Add(version);
            }
        }

        return [.. applied.Select(v => new AppliedMigration([v.ToString(System.Globalization.CultureInfo.InvariantCulture)], false))];
    }

    private async Task<List<Finding>> LiquibaseLockAsync(DbConnection connection, string changelog, CancellationToken cancellationToken)
    {
        var lockTable = changelog + "lock";
        try
        {
            var rows = await DatabaseAccess.QueryAsync(connection, $"select * from {DatabaseAccess.Quote(lockTable)}", cancellationToken);
            return rows.Where(r => DatabaseAccess.Text(r.GetValueOrDefault("locked")) is "1" or "True" or "true")
                .Select(r => Finding(DatabaseRules.MigrationLockHeld, Severity.Medium, lockTable,
                    $"the Liquibase change log lock is held (by {DatabaseAccess.Text(r.GetValueOrDefault("lockedby"))} since {DatabaseAccess.Text(r.GetValueOrDefault("lockgranted"))})",
                    null, "if no migration is running, release it with 'liquibase release-locks'; a held lock blocks every deployment"))
                .ToList();
        }
        catch (DbException)
        {
            return []; // No lock table: Liquibase creates it on first use.
        }
    }
}
