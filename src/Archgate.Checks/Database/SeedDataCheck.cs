using System.Data.Common;
using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>Step 3: every table the manifest lists under <c>expect.seed</c> holds at least the expected rows.</summary>
internal sealed class SeedDataCheck(DatabaseComponent database) : DatabaseCheck(database, "seed", "seed data is present")
{
    public override Applicability AppliesTo(SystemModel system) =>
        Database.Database.Seed.Count > 0 ? Applicability.Yes : Applicability.No("no seed expectations (expect.seed)");

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        var catalog = IsPostgres
            ? (await DatabaseAccess.QueryAsync(connection, """
                select case when n.nspname = current_schema() then c.relname::text else c.oid::regclass::text end as name
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'p', 'v', 'm') and n.nspname not in ('pg_catalog', 'information_schema')
                """, cancellationToken, limit: SchemaCatalog.MaxTables)).Select(r => DatabaseAccess.Text(r["name"])).ToList()
            : (await DatabaseAccess.QueryAsync(connection, "select name from sqlite_master where type in ('table', 'view')", cancellationToken, limit: SchemaCatalog.MaxTables))
                .Select(r => DatabaseAccess.Text(r["name"])).ToList();
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var (table, expected) in Database.Database.Seed)
        {
            context.Activity?.Report($"counting rows of {table}");
            var actual = catalog.FirstOrDefault(t => string.Equals(t, table, StringComparison.OrdinalIgnoreCase))
                ?? catalog.FirstOrDefault(t => string.Equals(DatabaseAccess.BareName(t), table, StringComparison.OrdinalIgnoreCase));
            if (actual is null)
            {
                findings.Add(Finding(DatabaseRules.SeedMissing, Severity.High, table, $"seed table {table} does not exist", null,
                    "run the migrations that create it, or fix the table name in expect.seed"));
                continue;
            }

            // Counting stops at the expected number: "at least N" never scans a large table to its end.
            var limit = expected.ToString(CultureInfo.InvariantCulture);
            var count = DatabaseAccess.Long((await DatabaseAccess.QueryAsync(connection,
                $"select count(*) as n from (select 1 from {DatabaseAccess.Quote(actual)} limit {limit}) s", cancellationToken))[0]["n"]);
            metrics.Add(Metric("db_seed_rows", count, "count", ("table", actual)));
            if (count < expected)
            {
                findings.Add(Finding(DatabaseRules.SeedMissing, Severity.High, actual, $"table {actual} holds {count} row(s), expected at least {expected}", null,
                    "run the seeding step of the service (or its seed migration) against this database"));
            }
        }

        return CheckResult.From(findings, metrics);
    }
}
