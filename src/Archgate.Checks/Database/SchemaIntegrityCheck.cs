using System.Data.Common;
using System.Text.RegularExpressions;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3: foreign keys without an index whose leading columns cover them, tables without a primary key, duplicate
/// and invalid indexes, constraints never validated, the constraints the manifest expects, and orphaned rows (a data
/// integrity violation, critical). SQLite: the same where its pragmas can tell, plus whether the dependants'
/// connection settings enforce foreign keys.
/// </summary>
internal sealed partial class SchemaIntegrityCheck(DatabaseComponent database) : DatabaseCheck(database, "schema", "schema integrity")
{
    /// <summary>Orphans counted per foreign key, at most. <value>1000</value>.</summary>
    private const int OrphanLimit = 1000;

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        context.Activity?.Report($"reading the schema of {Database.Name}");
        var catalog = IsPostgres
            ? await SchemaCatalog.ReadPostgresAsync(connection, cancellationToken)
            : await SchemaCatalog.ReadSqliteAsync(connection, cancellationToken);
        var findings = new List<Finding>();

        foreach (var key in catalog.ForeignKeys.Where(k => !catalog.IsCovered(k)))
        {
            var statement = CreateIndexStatement(key);
            findings.Add(Finding(DatabaseRules.ForeignKeyWithoutIndex, Severity.High, $"{key.Table} ({key.Name})",
                $"foreign key {key.Name} on {key.Table} ({string.Join(", ", key.Columns)}) has no index whose leading columns cover it",
                $"table {key.Table}, constraint {key.Name}, columns ({string.Join(", ", key.Columns)}) -> {key.References}; suggested: {statement}",
                $"{statement} -- without it every delete or key update on {key.References} scans {key.Table}, and joins on the key cannot use an index"));
        }

        foreach (var table in catalog.TablesWithoutPrimaryKey)
        {
            findings.Add(Finding(DatabaseRules.NoPrimaryKey, Severity.Medium, table, $"table {table} has no primary key", null,
                $"add a primary key (ALTER TABLE {table} ADD PRIMARY KEY (...)); without one, rows cannot be addressed reliably and logical replication cannot update them"));
        }

        foreach (var group in catalog.Indexes.GroupBy(i => i.Signature).Where(g => g.Count() > 1))
        {
            var names = group.Select(i => i.Name).ToList();
            findings.Add(Finding(DatabaseRules.DuplicateIndex, Severity.Low, group.First().Table,
                $"indexes {string.Join(", ", names)} on {group.First().Table} cover the same columns ({string.Join(", ", group.First().Columns.Select(c => c ?? "(expression)"))})",
                null, $"drop all but one (keep the one backing a constraint): every extra index slows writes and takes space, e.g. DROP INDEX {names[^1]};"));
        }

        foreach (var index in catalog.Indexes.Where(i => !i.Valid))
        {
            findings.Add(Finding(DatabaseRules.InvalidIndex, Severity.High, $"{index.Table} ({index.Name})",
                $"index {index.Name} on {index.Table} is invalid: queries do not use it, writes still maintain it", null,
                $"a CREATE INDEX CONCURRENTLY failed; rebuild it: REINDEX INDEX CONCURRENTLY {index.Name}; (or drop and create it again)"));
        }

        foreach (var constraint in catalog.Unvalidated)
        {
            findings.Add(Finding(DatabaseRules.ConstraintNotValidated, Severity.Medium, $"{constraint.Table} ({constraint.Name})",
                $"{constraint.Kind} constraint {constraint.Name} on {constraint.Table} was added NOT VALID and never validated: existing rows are not checked",
                null, $"ALTER TABLE {constraint.Table} VALIDATE CONSTRAINT {constraint.Name};"));
        }

        findings.AddRange(ExpectedConstraints(catalog));
        var orphans = IsPostgres
            ? await PostgresOrphansAsync(connection, catalog, cancellationToken)
            : await SqliteOrphansAsync(connection, cancellationToken);
        findings.AddRange(orphans);
        if (!IsPostgres)
        {
            findings.AddRange(await SqliteForeignKeyEnforcementAsync(context, orphans.Count > 0, cancellationToken));
        }

        var metrics = new List<Metric>
        {
            Metric("db_tables", catalog.Tables.Count, "count"),
            Metric("db_foreign_keys", catalog.ForeignKeys.Count, "count"),
            Metric("db_foreign_keys_unindexed", catalog.ForeignKeys.Count(k => !catalog.IsCovered(k)), "count"),
        };
        return CheckResult.From(findings, metrics);
    }

    private IEnumerable<Finding> ExpectedConstraints(SchemaCatalog catalog)
    {
        foreach (var expected in Database.Database.Constraints)
        {
            var table = catalog.FindTable(expected.Table);
            var what = expected.Kind switch
            {
                ConstraintKind.Unique => $"unique ({string.Join(", ", expected.Columns)}){(expected.Where is null ? string.Empty : $" where {expected.Where}")}",
                ConstraintKind.NotNull => $"not null ({string.Join(", ", expected.Columns)})",
                _ => $"foreign key ({string.Join(", ", expected.Columns)}) references {expected.References}",
            };
            if (table is null)
            {
                yield return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.High, expected.Table,
                    $"expected {what} on {expected.Table}, but the table does not exist", null, "run the migrations that create it, or fix the table name in expect.constraints");
                continue;
            }

            if (expected.Kind == ConstraintKind.Unique)
            {
                if (UniqueFinding(catalog, table, expected, what) is { } unique)
                {
                    yield return unique;
                }

                continue;
            }

            var missing = expected.Kind switch
            {
                ConstraintKind.ForeignKey => !catalog.ForeignKeys.Any(k => k.Table == table && SameColumns(k.Columns, expected.Columns) && SchemaCatalog.SameTable(k.References, expected.References!)),
                _ => false,
            };
            if (expected.Kind == ConstraintKind.NotNull)
            {
                var nullable = expected.Columns.Where(c => !catalog.Columns.Any(col => col.Table == table && string.Equals(col.Name, c, StringComparison.OrdinalIgnoreCase) && col.NotNull)).ToList();
                missing = nullable.Count > 0;
                what = $"not null ({string.Join(", ", nullable)})";
            }

            if (missing)
            {
                yield return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.High, table, $"expected {what} on {table} is missing", null,
                    expected.Kind switch
                    {
                        ConstraintKind.NotNull => $"ALTER TABLE {table} ALTER COLUMN ... SET NOT NULL; per column (first fill the NULLs)",
                        _ => $"ALTER TABLE {table} ADD FOREIGN KEY ({string.Join(", ", expected.Columns)}) REFERENCES {expected.References}; (first remove orphaned rows)",
                    });
            }
        }
    }

    /// <summary>
    /// A unique expectation against the table's valid unique indexes (a unique constraint has one). Without
    /// <c>where</c> only a full one will do; a partial one on the same columns is named as what it is. With
    /// <c>where</c>, a partial one whose predicate is the same (<see cref="PartialIndexPredicate"/>).
    /// </summary>
    private Finding? UniqueFinding(SchemaCatalog catalog, string table, ExpectedConstraint expected, string what)
    {
        var candidates = catalog.Indexes.Where(i => i.Table == table && i.Unique && i.Valid && SameColumns(i.Columns, expected.Columns)).ToList();
        var full = candidates.FirstOrDefault(i => !i.Partial);
        var partial = candidates.Where(i => i.Partial).ToList();
        var columns = string.Join(", ", expected.Columns);
        var predicates = string.Join("; ", partial.Select(i => $"{i.Name} WHERE {i.Predicate ?? "(predicate not read)"}"));
        if (expected.Where is null)
        {
            if (full is not null)
            {
                return null;
            }

            if (partial.Count > 0)
            {
                var first = partial[0].Predicate;
                return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.Medium, table,
                    $"expected {what} on {table}, but only a partial unique index exists ({predicates}): ({columns}) is unique only among the rows it selects",
                    null, first is null
                        ? $"if that is intended, add where: to the expectation with the index's predicate; if every row must be unique, replace the index with ALTER TABLE {table} ADD UNIQUE ({columns});"
                        : $"if that is intended, add where: \"{first}\" to the expectation; if every row must be unique, replace the index with ALTER TABLE {table} ADD UNIQUE ({columns});");
            }

            return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.High, table, $"expected {what} on {table} is missing", null,
                $"ALTER TABLE {table} ADD UNIQUE ({columns}); (first remove duplicate rows)");
        }

        if (partial.Any(i => PartialIndexPredicate.Same(i.Predicate, expected.Where)))
        {
            return null;
        }

        if (partial.Count > 0)
        {
            return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.High, table,
                $"expected {what} on {table}, but the partial unique index on ({columns}) has another predicate: {predicates}", null,
                $"if the index is right, write its predicate in where:; else CREATE UNIQUE INDEX ON {table} ({columns}) WHERE {expected.Where}; and drop the other (first remove duplicate rows)");
        }

        if (full is not null)
        {
            return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.Medium, table,
                $"expected {what} on {table}, but {full.Name} makes ({columns}) unique over every row, not only where {expected.Where}: rows outside it cannot repeat the values", null,
                $"if every row must be unique, remove where: from the expectation; else replace it with CREATE UNIQUE INDEX ON {table} ({columns}) WHERE {expected.Where};");
        }

        return Finding(DatabaseRules.ExpectedConstraintMissing, Severity.High, table, $"expected {what} on {table} is missing", null,
            $"CREATE UNIQUE INDEX ON {table} ({columns}) WHERE {expected.Where}; (first remove duplicate rows)");
    }

    private static bool SameColumns(IReadOnlyList<string?> actual, IReadOnlyList<string> expected) =>
        actual.Count == expected.Count && expected.All(e => actual.Any(a => string.Equals(a, e, StringComparison.OrdinalIgnoreCase)));

    private async Task<List<Finding>> PostgresOrphansAsync(DbConnection connection, SchemaCatalog catalog, CancellationToken cancellationToken)
    {
        // A validated foreign key guarantees there are none; only keys added NOT VALID can hide orphans.
        var findings = new List<Finding>();
        foreach (var key in catalog.ForeignKeys.Where(k => !k.Validated && k.Columns.Count == k.ReferencedColumns.Count))
        {
            var notNull = string.Join(" and ", key.Columns.Select(c => $"c.{DatabaseAccess.Quote(c)} is not null"));
            var join = string.Join(" and ", key.Columns.Zip(key.ReferencedColumns, (c, p) => $"p.{DatabaseAccess.Quote(p)} = c.{DatabaseAccess.Quote(c)}"));
            var sql = $"select count(*) as n from (select 1 from {key.Table} c where {notNull} and not exists (select 1 from {key.References} p where {join}) limit {OrphanLimit}) s";
            var count = DatabaseAccess.Long((await DatabaseAccess.QueryAsync(connection, sql, cancellationToken))[0]["n"]);
            if (count > 0)
            {
                findings.Add(Orphans(key.Table, key.References, key.Name, count));
            }
        }

        return findings;
    }

    private async Task<List<Finding>> SqliteOrphansAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var rows = await DatabaseAccess.QueryAsync(connection, "select * from pragma_foreign_key_check", cancellationToken, limit: OrphanLimit);
        return rows.GroupBy(r => (Table: DatabaseAccess.Text(r["table"]), Parent: DatabaseAccess.Text(r["parent"])))
            .Select(g => Orphans(g.Key.Table, g.Key.Parent, $"fk to {g.Key.Parent}", g.LongCount(),
                $"rowids {string.Join(", ", g.Take(10).Select(r => DatabaseAccess.Text(r["rowid"])))}"))
            .ToList();
    }

    private Finding Orphans(string table, string parent, string key, long count, string? sample = null) =>
        Finding(DatabaseRules.OrphanedRows, Severity.Critical, $"{table} ({key})",
            $"data integrity violation: {(count >= OrphanLimit ? $"at least {OrphanLimit}" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} row(s) of {table} reference missing rows of {parent} ({key})",
            sample,
            $"find how they were written (foreign keys disabled, a NOT VALID key, a bulk load), delete or repair the rows, then enforce the key{(IsPostgres ? $" (ALTER TABLE {table} VALIDATE CONSTRAINT ...)" : " (PRAGMA foreign_keys=ON on every connection)")}");

    private async Task<List<Finding>> SqliteForeignKeyEnforcementAsync(CheckContext context, bool orphans, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        foreach (var client in DatabaseClient.Of(context.System, Database))
        {
            await using var connection = await DatabaseAccess.OpenAsync(DatabaseEngine.Sqlite, client.Connection, context.System.Checks.Database, cancellationToken);
            var on = DatabaseAccess.Long((await DatabaseAccess.QueryAsync(connection, "pragma foreign_keys", cancellationToken))[0]["foreign_keys"]) == 1;
            if (!on)
            {
                findings.Add(Finding(DatabaseRules.ForeignKeysOff, orphans ? Severity.High : Severity.Info, client.Service.Name,
                    $"the connection settings of {client.Service.Name} do not enable foreign key enforcement; SQLite enforces foreign keys only on connections that run PRAGMA foreign_keys=ON",
                    null, "add 'Foreign Keys=True' to its connection string (or make sure the service runs PRAGMA foreign_keys=ON on every connection)"));
            }
        }

        return findings;
    }

    /// <summary>The statement that mends an unindexed foreign key, named <c>ix_table_columns</c>.</summary>
    internal string CreateIndexStatement(ForeignKeyInfo key)
    {
        var name = $"ix_{DatabaseAccess.BareName(key.Table)}_{string.Join('_', key.Columns)}";
        name = NonIdentifier().Replace(name, "_").ToLowerInvariant();
        name = name.Length > 63 ? name[..63] : name;
        var columns = string.Join(", ", key.Columns.Select(c => SimpleIdentifier().IsMatch(c) ? c : DatabaseAccess.Quote(c)));
        return IsPostgres
            ? $"CREATE INDEX CONCURRENTLY {name} ON {key.Table} ({columns});"
            : $"CREATE INDEX {name} ON {(SimpleIdentifier().IsMatch(key.Table) ? key.Table : DatabaseAccess.Quote(key.Table))} ({columns});";
    }

    [GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial Regex NonIdentifier();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SimpleIdentifier();
}
