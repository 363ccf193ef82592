using System.Data.Common;

namespace Archgate.Checks.Database;

/// <summary>A foreign key: on <paramref name="Table"/>, over <paramref name="Columns"/> (in key order), pointing at <paramref name="References"/>.</summary>
internal sealed record ForeignKeyInfo(string Table, string Name, IReadOnlyList<string> Columns, string References, IReadOnlyList<string> ReferencedColumns, bool Validated);

/// <summary>An index; a null column is an expression. <paramref name="Predicate"/>: a partial index's WHERE, as the database gives it back.</summary>
internal sealed record IndexInfo(string Table, string Name, IReadOnlyList<string?> Columns, bool Unique, bool Primary, bool Valid, bool Partial, string Signature, string? Predicate = null);

/// <summary>A column and whether it admits NULL.</summary>
internal sealed record ColumnInfo(string Table, string Name, bool NotNull);

/// <summary>A constraint that was never validated (PostgreSQL <c>NOT VALID</c>).</summary>
internal sealed record UnvalidatedConstraint(string Table, string Name, string Kind);

/// <summary>What step 3 reads of a schema, the same shape for PostgreSQL and SQLite.</summary>
internal sealed record SchemaCatalog(
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> TablesWithoutPrimaryKey,
    IReadOnlyList<ForeignKeyInfo> ForeignKeys,
    IReadOnlyList<IndexInfo> Indexes,
    IReadOnlyList<ColumnInfo> Columns,
    IReadOnlyList<UnvalidatedConstraint> Unvalidated)
{
    /// <summary>At most this many tables are read; larger schemas are checked in part (and say so).</summary>
    public const int MaxTables = 2000;

    /// <summary>Reads the catalog of a PostgreSQL database (every schema but the system ones).</summary>
    public static async Task<SchemaCatalog> ReadPostgresAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string SystemSchemas = "('pg_catalog', 'information_schema', 'pg_toast')";
        var tables = await DatabaseAccess.QueryAsync(connection, $"""
            select c.oid::regclass::text as name,
                   exists (select 1 from pg_constraint p where p.conrelid = c.oid and p.contype = 'p') as has_pk
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and n.nspname not in {SystemSchemas} and n.nspname not like 'pg_temp%'
              and not c.relispartition
            order by 1
            """, cancellationToken, limit: MaxTables);
        var foreignKeys = await DatabaseAccess.QueryAsync(connection, $"""
            select c.conrelid::regclass::text as tbl, c.conname as name, c.confrelid::regclass::text as refs, c.convalidated as validated,
                   array(select a.attname::text from unnest(c.conkey) with ordinality k(num, ord)
                         join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.num order by k.ord) as cols,
                   array(select a.attname::text from unnest(c.confkey) with ordinality k(num, ord)
                         join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.num order by k.ord) as refcols
            from pg_constraint c join pg_namespace n on n.oid = c.connamespace
            where c.contype = 'f' and n.nspname not in {SystemSchemas}
            order by 1, 2
            """, cancellationToken);
        var indexes = await DatabaseAccess.QueryAsync(connection, $"""
            select i.indrelid::regclass::text as tbl, x.relname as name, i.indisunique as uniq, i.indisprimary as pk, i.indisvalid as valid,
                   i.indpred is not null as partial, pg_get_expr(i.indpred, i.indrelid) as pred,
                   array(select case when k.num = 0 then null else a.attname::text end
                         from unnest(i.indkey::int2[]) with ordinality k(num, ord)
                         left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.num
                         where k.ord <= i.indnkeyatts order by k.ord) as cols,
                   i.indrelid::text || '|' || i.indkey::text || '|' || i.indclass::text || '|' || coalesce(pg_get_expr(i.indexprs, i.indrelid), '')
                     || '|' || coalesce(pg_get_expr(i.indpred, i.indrelid), '') as signature
            from pg_index i join pg_class x on x.oid = i.indexrelid join pg_namespace n on n.oid = x.relnamespace
            where n.nspname not in {SystemSchemas}
            order by 1, 2
            """, cancellationToken);
        var columns = await DatabaseAccess.QueryAsync(connection, $"""
            select c.oid::regclass::text as tbl, a.attname::text as name, a.attnotnull as notnull
            from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and n.nspname not in {SystemSchemas}
            """, cancellationToken, limit: 100_000);
        var unvalidated = await DatabaseAccess.QueryAsync(connection, $"""
            select c.conrelid::regclass::text as tbl, c.conname as name, c.contype::text as kind
            from pg_constraint c join pg_namespace n on n.oid = c.connamespace
            where not c.convalidated and n.nspname not in {SystemSchemas}
            order by 1, 2
            """, cancellationToken);

        static IReadOnlyList<string> Names(object? value) => value is string[] a ? a : value is Array arr ? arr.Cast<object?>().Select(DatabaseAccess.Text).ToList() : [];
        static IReadOnlyList<string?> NullableNames(object? value) => value is Array arr ? arr.Cast<object?>().Select(o => o is null or DBNull ? null : DatabaseAccess.Text(o)).ToList() : [];

        return new SchemaCatalog(
            tables.Select(t => DatabaseAccess.Text(t["name"])).ToList(),
            tables.Where(t => t["has_pk"] is false).Select(t => DatabaseAccess.Text(t["name"])).ToList(),
            foreignKeys.Select(f => new ForeignKeyInfo(DatabaseAccess.Text(f["tbl"]), DatabaseAccess.Text(f["name"]), Names(f["cols"]),
                DatabaseAccess.Text(f["refs"]), Names(f["refcols"]), f["validated"] is true)).ToList(),
            indexes.Select(i => new IndexInfo(DatabaseAccess.Text(i["tbl"]), DatabaseAccess.Text(i["name"]), NullableNames(i["cols"]),
                i["uniq"] is true, i["pk"] is true, i["valid"] is true, i["partial"] is true, DatabaseAccess.Text(i["signature"]),
                i["pred"] is null ? null : DatabaseAccess.Text(i["pred"]))).ToList(),
            columns.Select(c => new ColumnInfo(DatabaseAccess.Text(c["tbl"]), DatabaseAccess.Text(c["name"]), c["notnull"] is true)).ToList(),
            unvalidated.Select(u => new UnvalidatedConstraint(DatabaseAccess.Text(u["tbl"]), DatabaseAccess.Text(u["name"]),
                DatabaseAccess.Text(u["kind"]) switch { "f" => "foreign key", "c" => "check", _ => DatabaseAccess.Text(u["kind"]) })).ToList());
    }

    /// <summary>Reads the catalog of a SQLite database through its pragmas.</summary>
    public static async Task<SchemaCatalog> ReadSqliteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var tables = (await DatabaseAccess.QueryAsync(connection,
                "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name", cancellationToken, limit: MaxTables))
            .Select(r => DatabaseAccess.Text(r["name"])).ToList();
        var withoutPk = new List<string>();
        var foreignKeys = new List<ForeignKeyInfo>();
        var indexes = new List<IndexInfo>();
        var columns = new List<ColumnInfo>();
        foreach (var table in tables)
        {
            var quoted = DatabaseAccess.Quote(table);
            var info = await DatabaseAccess.QueryAsync(connection, $"select * from pragma_table_info({Literal(table)})", cancellationToken);
            var pkColumns = info.Where(c => DatabaseAccess.Long(c["pk"]) > 0).OrderBy(c => DatabaseAccess.Long(c["pk"])).Select(c => DatabaseAccess.Text(c["name"])).ToList();
            if (pkColumns.Count == 0)
            {
                withoutPk.Add(table);
            }

            columns.AddRange(info.Select(c => new ColumnInfo(table, DatabaseAccess.Text(c["name"]), DatabaseAccess.Long(c["notnull"]) == 1 || DatabaseAccess.Long(c["pk"]) > 0)));
            var rowidAlias = pkColumns.Count == 1 && info.Any(c => DatabaseAccess.Text(c["name"]) == pkColumns[0] && DatabaseAccess.Text(c["type"]).Equals("INTEGER", StringComparison.OrdinalIgnoreCase));
            if (rowidAlias)
            {
                // An INTEGER PRIMARY KEY is the rowid itself: indexed, though no index is listed.
                indexes.Add(new IndexInfo(table, $"{table} rowid", [pkColumns[0]], true, true, true, false, $"{table}|rowid"));
            }

            foreach (var fk in (await DatabaseAccess.QueryAsync(connection, $"select * from pragma_foreign_key_list({Literal(table)})", cancellationToken))
                         .GroupBy(r => DatabaseAccess.Long(r["id"])))
            {
                var ordered = fk.OrderBy(r => DatabaseAccess.Long(r["seq"])).ToList();
                var cols = ordered.Select(r => DatabaseAccess.Text(r["from"])).ToList();
                foreignKeys.Add(new ForeignKeyInfo(table, $"fk_{table}_{string.Join('_', cols)}", cols, DatabaseAccess.Text(ordered[0]["table"]),
                    ordered.Select(r => DatabaseAccess.Text(r["to"])).ToList(), true));
            }

            foreach (var index in await DatabaseAccess.QueryAsync(connection, $"select * from pragma_index_list({Literal(table)})", cancellationToken))
            {
                var name = DatabaseAccess.Text(index["name"]);
                var cols = (await DatabaseAccess.QueryAsync(connection, $"select * from pragma_index_info({Literal(name)})", cancellationToken))
                    .OrderBy(r => DatabaseAccess.Long(r["seqno"]))
                    .Select(r => r["name"] is null ? null : DatabaseAccess.Text(r["name"]))
                    .ToList();
                var partial = DatabaseAccess.Long(index["partial"]) == 1;
                var predicate = partial ? PartialIndexPredicate.FromSql(await IndexSqlAsync(connection, name, cancellationToken)) : null;
                indexes.Add(new IndexInfo(table, name, cols, DatabaseAccess.Long(index["unique"]) == 1, DatabaseAccess.Text(index["origin"]) == "pk", true, partial,
                    $"{quoted}|{string.Join(',', cols.Select(c => c ?? "(expr)"))}|{(partial ? name : string.Empty)}", predicate));
            }
        }

        return new SchemaCatalog(tables, withoutPk, foreignKeys, indexes, columns, []);
    }

    /// <summary>The CREATE INDEX statement SQLite keeps for an index (null for the automatic ones of UNIQUE and PRIMARY KEY).</summary>
    private static async Task<string?> IndexSqlAsync(DbConnection connection, string name, CancellationToken cancellationToken)
    {
        var rows = await DatabaseAccess.QueryAsync(connection, $"select sql from sqlite_master where type = 'index' and name = {Literal(name)}", cancellationToken);
        return rows.Count == 0 || rows[0]["sql"] is null ? null : DatabaseAccess.Text(rows[0]["sql"]);
    }

    /// <summary>A SQL string literal (for pragma table-valued functions, which take no parameters).</summary>
    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The table called <paramref name="name"/> (bare or schema-qualified, case-insensitive), or null.</summary>
    public string? FindTable(string name) =>
        Tables.FirstOrDefault(t => string.Equals(t, name, StringComparison.OrdinalIgnoreCase))
        ?? Tables.FirstOrDefault(t => string.Equals(DatabaseAccess.BareName(t), DatabaseAccess.BareName(name), StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the names are the same table.</summary>
    public static bool SameTable(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || string.Equals(DatabaseAccess.BareName(a), DatabaseAccess.BareName(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when an index on the key's table has the key's columns as its leading columns (in any order), is valid
    /// and not partial: then lookups by the key (deletes and updates of the referenced row, joins) use it.
    /// </summary>
    public bool IsCovered(ForeignKeyInfo key) =>
        Indexes.Any(i => i.Table == key.Table && i.Valid && !i.Partial && i.Columns.Count >= key.Columns.Count
            && i.Columns.Take(key.Columns.Count).All(c => c is not null && key.Columns.Contains(c, StringComparer.Ordinal))
            && key.Columns.All(c => i.Columns.Take(key.Columns.Count).Contains(c, StringComparer.Ordinal)));
}
