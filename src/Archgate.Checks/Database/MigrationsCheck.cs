using System.Data.Common;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>One applied (or failed) migration as its tool records it.</summary>
/// <param name="Names">Every name it may be known by: id, version, script, description.</param>
/// <param name="Failed">True when the tool records it as failed.</param>
/// <param name="Version">
/// The version when the tool records one (Flyway, Rails, golang-migrate, goose, sqlx, FluentMigrator): a file is this
/// migration when its name starts with the same version, whatever title follows (Rails and golang-migrate record no title).
/// </param>
internal sealed record AppliedMigration(IReadOnlyList<string> Names, bool Failed, string? Version = null)
{
    public string Display => Names.FirstOrDefault(n => n.Length > 0) ?? "?";

    /// <summary>True when <paramref name="expected"/> names this migration (case-insensitive, with or without a file extension or namespace) or starts with its version.</summary>
    public bool Matches(string expected) =>
        Names.Any(n => n.Length > 0 && (string.Equals(n, expected, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(n), Path.GetFileNameWithoutExtension(expected), StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileName(n), expected, StringComparison.OrdinalIgnoreCase)
            || n.EndsWith("." + expected, StringComparison.OrdinalIgnoreCase))) // DbUp's embedded scripts: Shop.Api.Migrations.0001_products.sql
        || MigrationFiles.SameVersion(Version, expected);
}

/// <summary>What a history table says is applied.</summary>
/// <param name="Migrations">The applied and the failed migrations, in the order they ran.</param>
/// <param name="Through">
/// For a tool that records where the database is rather than each migration it ran (golang-migrate's single version,
/// Flyway's baseline): every version up to this one counts as applied, since these tools apply in version order.
/// </param>
/// <param name="ThroughFailed">golang-migrate's dirty flag: <paramref name="Through"/> failed half-way, so only the versions below it are applied.</param>
internal sealed record MigrationHistory(IReadOnlyList<AppliedMigration> Migrations, string? Through = null, bool ThroughFailed = false)
{
    public List<AppliedMigration> Succeeded { get; } = [.. Migrations.Where(m => !m.Failed)];

    /// <summary>The latest applied migration as a user knows it; for a dirty golang-migrate version, the one before it.</summary>
    public string Latest => Succeeded.LastOrDefault()?.Display ?? (Through is null ? "none" : ThroughFailed ? $"the one before {Through}" : Through);

    /// <summary>True when the history shows <paramref name="migration"/> (a file or a name from the manifest) as applied.</summary>
    public bool IsApplied(string migration)
    {
        if (Succeeded.Any(m => m.Matches(migration)))
        {
            return true;
        }

        if (Through is null || MigrationFiles.Version(migration) is not { } version)
        {
            return false;
        }

        var order = MigrationFiles.CompareVersions(version, Through);
        return order < 0 || (order == 0 && !ThroughFailed);
    }

    /// <summary>The applied migrations newer than <paramref name="expected"/>, which is applied.</summary>
    public List<string> NewerThan(string expected)
    {
        var index = Succeeded.FindLastIndex(m => m.Matches(expected));
        if (index >= 0)
        {
            return [.. Succeeded.Skip(index + 1).Select(m => m.Display)];
        }

        // Covered by a golang-migrate version or a Flyway baseline rather than recorded: newer is what has a higher version.
        return MigrationFiles.Version(expected) is { } version
            ? [.. Succeeded.Where(m => m.Version is { } v && MigrationFiles.CompareVersions(v, version) > 0).Select(m => m.Display)]
            : [];
    }
}

/// <summary>
/// Step 3: finds the migration history of EF Core, Flyway, Liquibase, DbUp, FluentMigrator, Alembic, Django, Rails,
/// golang-migrate, Prisma, Knex, Sequelize, sqlx, goose or Doctrine and compares it with the expected migrations: the
/// latest from the manifest, or every migration of a folder as its tool would run them (undo files are never expected).
/// Files match the history by name or, for tools that record only versions (Rails, golang-migrate), by version. Pending
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
        var history = await ReadHistoryAsync(connection, table, tool, cancellationToken);
        var expected = ExpectedLatest(expectation);
        if (tool == "ALEMBIC_VERSION" && expectation?.Folder is { } folder && Directory.Exists(folder)
            && MigrationFiles.AlembicChain(folder) is { Count: > 0 } chain)
        {
            (history, var head) = AlembicHistory(history, chain);
            expected = expectation.Latest is null ? (head, chain.Select(s => s.File).ToList()) : expected;
        }

        var (applied, counted) = AppliedCount(history, expectation, expected);
        metrics.Add(Metric("db_migrations_applied", applied, "count", ("table", table), ("counted", counted)));
        foreach (var failed in history.Migrations.Where(m => m.Failed))
        {
            findings.Add(Finding(DatabaseRules.MigrationFailed, HighOrCritical, table, $"migration {failed.Display} is recorded as failed in {table}",
                history.ThroughFailed
                    ? $"{table}.dirty = true at version {history.Through}: it failed half-way, and golang-migrate refuses every later migration until forced"
                    : string.Join(" | ", failed.Names.Where(n => n.Length > 0)),
                FailedRemedy(history)));
        }

        if (tool == "DATABASECHANGELOG")
        {
            findings.AddRange(await LiquibaseLockAsync(connection, table, cancellationToken));
        }

        if (expected is not null)
        {
            CompareWithExpected(findings, table, history, expected.Value);
        }

        return CheckResult.From(findings, metrics) with { Reason = history.Succeeded.Count == 0 && history.Through is null ? null : $"latest applied: {history.Latest} ({table})" };
    }

    /// <summary>
    /// How many migrations are applied, and what was counted: <c>files</c> when the history records where the database
    /// is rather than each migration (golang-migrate's one row, a Flyway baseline) and the folder's files are known:
    /// the files up to that version, plus any recorded migration no file matches; else <c>rows</c>, the history's
    /// succeeded entries (golang-migrate without a folder: 1, whatever its version).
    /// </summary>
    private static (int Count, string Counted) AppliedCount(
        MigrationHistory history, MigrationExpectation? expectation, (string Name, IReadOnlyList<string> All)? expected)
    {
        if (history.Through is null || expectation?.Latest is not null || expected is not { All: var files })
        {
            return (history.Succeeded.Count, "rows");
        }

        return (files.Count(history.IsApplied) + history.Succeeded.Count(m => !files.Any(m.Matches)), "files");
    }

    private static string FailedRemedy(MigrationHistory history) => history.ThroughFailed
        ? "undo what the failed migration changed (or finish it by hand), then 'migrate force' to the last version that is complete and migrate again"
        : "repair the migration (for Flyway: fix it, then 'flyway repair' and migrate again; for Liquibase: roll back the change set)";

    private void CompareWithExpected(List<Finding> findings, string table, MigrationHistory history, (string Name, IReadOnlyList<string> All) expected)
    {
        // Every expected migration counts, not only the newest: Rails, DbUp, Knex and the like run an older file a merge
        // brought in as readily as a new one, so an older file missing from the history is pending too.
        var pending = expected.All.Where(file => !history.IsApplied(file)).ToList();
        if (pending.Count > 0)
        {
            var what = pending.Count == 1 ? $"{pending[0]} is not applied" : $"{pending.Count} migrations are not applied ({string.Join(", ", pending.Take(3))}{(pending.Count > 3 ? ", …" : string.Empty)})";
            findings.Add(Finding(DatabaseRules.MigrationsPending, HighOrCritical, table,
                $"migrations are pending: {what}; the latest applied is {history.Latest}, expected {expected.Name}",
                $"not applied: {string.Join(", ", pending.Take(20))}",
                "run the service's migrations (or let it migrate at start-up) before it takes traffic"));
            return;
        }

        var newer = history.NewerThan(expected.Name);
        if (newer.Count > 0)
        {
            findings.Add(Finding(DatabaseRules.MigrationsAhead, Severity.Medium, table,
                history.Through is not null && newer is [var at] && at == history.Through
                    ? $"the database is at version {at}, newer than the expected latest {expected.Name}"
                    : $"the database has {newer.Count} migration(s) newer than the expected latest {expected.Name}",
                $"newer: {string.Join(", ", newer.Take(10))}",
                "deploy the service version that ships these migrations, or update the expected latest migration"));
        }
    }

    /// <summary>
    /// The expected latest migration and every migration expected with it: from <c>latest</c> that one, from a folder every
    /// migration it ships in the order they run (undo files left out: they never run going forward).
    /// </summary>
    private static (string Name, IReadOnlyList<string> All)? ExpectedLatest(MigrationExpectation? expectation)
    {
        if (expectation?.Latest is { } latest)
        {
            return (latest, [latest]);
        }

        if (expectation?.Folder is { } folder && Directory.Exists(folder) && MigrationFiles.Forward(folder) is { Count: > 0 } files)
        {
            return (files[^1], files);
        }

        return null;
    }

    /// <summary>
    /// Alembic's table holds only the head(s) the database is at; with the scripts' chain every revision below them is
    /// applied too. Returns the history that says so and the newest head script of the chain.
    /// </summary>
    private static (MigrationHistory History, string Head) AlembicHistory(
        MigrationHistory table, IReadOnlyList<(string Revision, string File, IReadOnlyList<string> Parents)> chain)
    {
        var current = table.Succeeded.Select(m => m.Display).ToList();
        var below = MigrationFiles.AlembicAncestors(current, chain);
        var known = chain.Select(s => s.Revision).ToHashSet(StringComparer.Ordinal);
        var applied = chain.Where(s => below.Contains(s.Revision)).Select(s => new AppliedMigration([s.Revision, s.File], false))
            .Concat(current.Where(r => !known.Contains(r)).Select(r => new AppliedMigration([r], false)));
        var parents = chain.SelectMany(s => s.Parents).ToHashSet(StringComparer.Ordinal);
        var head = chain.LastOrDefault(s => !parents.Contains(s.Revision)).File ?? chain[^1].File;
        return (new MigrationHistory([.. applied]), head);
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

    private static string Col(Dictionary<string, object?> row, string name) => row.TryGetValue(name, out var v) ? DatabaseAccess.Text(v) : string.Empty;

    private static long Num(Dictionary<string, object?> row, string name) => row.TryGetValue(name, out var v) && v is not null ? DatabaseAccess.Long(v) : 0;

    private static async Task<MigrationHistory> ReadHistoryAsync(DbConnection connection, string table, string tool, CancellationToken cancellationToken)
    {
        var rows = await DatabaseAccess.QueryAsync(connection, $"select * from {DatabaseAccess.Quote(table)}", cancellationToken);

        return tool switch
        {
            "__EFMIGRATIONSHISTORY" => new(rows.OrderBy(r => Col(r, "MigrationId"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "MigrationId")], false)).ToList()),
            "FLYWAY_SCHEMA_HISTORY" => FlywayHistory(rows),
            "DATABASECHANGELOG" => new(rows.OrderBy(r => Num(r, "orderexecuted"))
                .Select(r => new AppliedMigration([Col(r, "id"), Col(r, "filename")], Col(r, "exectype").Equals("FAILED", StringComparison.OrdinalIgnoreCase)))
                .ToList()),
            "VERSIONINFO" => new(rows.OrderBy(r => Num(r, "Version"))
                .Select(r => new AppliedMigration([Col(r, "Version"), Col(r, "Description")], false, Col(r, "Version"))).ToList()),
            // Alembic keeps only the revision(s) the database is at, not a history; the scripts' chain fills it in.
            "ALEMBIC_VERSION" => new(rows.Select(r => new AppliedMigration([Col(r, "version_num")], false)).ToList()),
            "DJANGO_MIGRATIONS" => new(rows.OrderBy(r => Num(r, "id"))
                .Select(r => new AppliedMigration([$"{Col(r, "app")}.{Col(r, "name")}", Col(r, "name")], false)).ToList()),
            "SCHEMA_MIGRATIONS" when rows.Count > 0 && rows[0].ContainsKey("dirty") => GolangMigrateHistory(rows),
            // Rails: one row per applied version, and no title: a file is applied when its version is there.
            "SCHEMA_MIGRATIONS" => new(rows.OrderBy(r => Col(r, "version"), Comparer<string>.Create(MigrationFiles.CompareVersions))
                .Select(r => new AppliedMigration([Col(r, "version")], false, Col(r, "version"))).ToList()),
            // Prisma: a migration started and neither finished nor rolled back failed; rolled-back ones are not applied.
            "_PRISMA_MIGRATIONS" => new(rows.Where(r => Col(r, "rolled_back_at").Length == 0)
                .OrderBy(r => Col(r, "started_at"), StringComparer.Ordinal).ThenBy(r => Col(r, "migration_name"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "migration_name")], Col(r, "finished_at").Length == 0)).ToList()),
            "KNEX_MIGRATIONS" => new(rows.OrderBy(r => Num(r, "id"))
                .Select(r => new AppliedMigration([Col(r, "name")], false)).ToList()),
            "SEQUELIZEMETA" => new(rows.OrderBy(r => Col(r, "name"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "name")], false)).ToList()),
            "_SQLX_MIGRATIONS" => new(rows.OrderBy(r => Num(r, "version"))
                .Select(r => new AppliedMigration([Col(r, "version"), $"{Col(r, "version")}_{Col(r, "description").Replace(' ', '_')}", Col(r, "description")],
                    !Truthy(Col(r, "success")), Col(r, "version"))).ToList()),
            // goose: a row per up or down; version 0 is its own start row.
            "GOOSE_DB_VERSION" => new(GooseApplied(rows.OrderBy(r => Num(r, "id")).Select(r => (Num(r, "version_id"), Truthy(Col(r, "is_applied")))))),
            "DOCTRINE_MIGRATION_VERSIONS" => new(rows.OrderBy(r => Col(r, "executed_at"), StringComparer.Ordinal).ThenBy(r => Col(r, "version"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "version"), Col(r, "version").Split('\\')[^1]], false)).ToList()),
            _ => new(rows.OrderBy(r => Num(r, "schemaversionsid")).ThenBy(r => Col(r, "applied"), StringComparer.Ordinal)
                .Select(r => new AppliedMigration([Col(r, "scriptname")], false)).ToList()),
        };
    }

    /// <summary>
    /// golang-migrate keeps one row: the version the database is at and a dirty flag (that migration failed half-way, which
    /// blocks every later one until forced). It applies in version order, so every version below it ran.
    /// </summary>
    private static MigrationHistory GolangMigrateHistory(IEnumerable<Dictionary<string, object?>> rows)
    {
        var (version, dirty) = rows.Select(r => (Version: Col(r, "version"), Dirty: Truthy(Col(r, "dirty"))))
            .MaxBy(r => r.Version, Comparer<string>.Create(MigrationFiles.CompareVersions));
        return new([new AppliedMigration([version], dirty, version)], version, dirty);
    }

    /// <summary>
    /// Flyway's history in the order installed. An undo (Teams) or a repair's delete row takes its version back; a
    /// baseline row stands for every version up to it; repeatable migrations (no version) are neither latest nor pending.
    /// </summary>
    private static MigrationHistory FlywayHistory(IEnumerable<Dictionary<string, object?>> rows)
    {
        var migrations = new List<AppliedMigration>();
        string? baseline = null;
        foreach (var row in rows.OrderBy(r => Num(r, "installed_rank")))
        {
            var (type, version, success) = (Col(row, "type").ToUpperInvariant(), Col(row, "version"), Truthy(Col(row, "success")));
            if (type == "SCHEMA" || (success && version.Length == 0))
            {
                continue;
            }

            if (success && (type.StartsWith("UNDO", StringComparison.Ordinal) || type == "DELETE"))
            {
                migrations.RemoveAll(m => !m.Failed && m.Version is { } v && MigrationFiles.CompareVersions(v, version) == 0);
                continue;
            }

            if (success && type == "BASELINE")
            {
                baseline = version;
            }

            migrations.Add(new AppliedMigration(
                [Col(row, "script"), version, $"V{version}__{Col(row, "description").Replace(' ', '_')}", Col(row, "description")],
                !success, version.Length > 0 ? version : null));
        }

        return new(migrations, baseline);
    }

    private static bool Truthy(string value) => value is "1" or "t" || value.Equals("true", StringComparison.OrdinalIgnoreCase);

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

        return [.. applied.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).Select(v => new AppliedMigration([v], false, v))];
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
