using Archgate.Checks.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Database;

[Collection(PostgresServer.Collection)]
public sealed class MigrationsCheckTests(PostgresServer server)
{
    private const string DbUpHistory = """
        create table schemaversions (schemaversionsid serial primary key, scriptname varchar(255) not null, applied timestamp not null);
        insert into schemaversions (scriptname, applied) values ('0001_products.sql', now()), ('0002_users.sql', now()), ('0003_orders.sql', now());
        """;

    private static async Task<CheckResult> RunAsync(string engine, string connection, string expect)
    {
        var system = DatabaseTestKit.System(engine, connection, expect);
        return await DatabaseTestKit.RunAsync(new MigrationsCheck(system.Db()), system);
    }

    [Fact]
    public async Task A_DbUp_journal_behind_the_expected_latest_is_pending_and_names_what_is_missing()
    {
        var db = await server.CreateDatabaseAsync("mig", DbUpHistory);

        var result = await RunAsync("postgres", db, "    expect: { migrations: { table: schemaversions, latest: 0004_orders_status.sql } }");

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.MigrationsPending, Severity.High, CheckStatus.Fail), (finding.Rule, finding.Severity, result.Status));
        Assert.Contains("latest applied is 0003_orders.sql, expected 0004_orders_status.sql", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_DbUp_journal_at_the_newest_file_of_the_migrations_folder_passes()
    {
        var db = await server.CreateDatabaseAsync("mig", DbUpHistory);
        var folder = Directory.CreateTempSubdirectory("archgate-migrations-").FullName;
        foreach (var name in new[] { "0001_products.sql", "0002_users.sql", "0003_orders.sql" })
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), "-- sql");
        }

        var result = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains("0003_orders.sql", result.Reason, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(folder, "0004_orders_status.sql"), "-- sql");
        var behind = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");
        Assert.Contains("not applied: 0004_orders_status.sql", Assert.Single(behind.Findings).Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_Flyway_migration_is_a_finding_and_is_not_the_latest()
    {
        var db = await server.CreateDatabaseAsync("mig", """
            create table flyway_schema_history (installed_rank int primary key, version varchar(50), description varchar(200) not null,
                type varchar(20) not null, script varchar(1000) not null, checksum int, installed_by varchar(100) not null,
                installed_on timestamp not null default now(), execution_time int not null, success boolean not null);
            insert into flyway_schema_history values (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'me', now(), 5, true),
                                                     (2, '2', 'add orders', 'SQL', 'V2__add_orders.sql', 1, 'me', now(), 5, false);
            """);

        var result = await RunAsync("postgres", db, "    expect: { migrations: { latest: V2__add_orders.sql } }");

        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.MigrationFailed && f.Message.Contains("V2__add_orders.sql", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.MigrationsPending && f.Message.Contains("latest applied is V1__init.sql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_held_Liquibase_lock_is_a_finding_and_EF_Core_history_is_read_by_migration_id()
    {
        var liquibase = await server.CreateDatabaseAsync("mig", """
            create table databasechangelog (id varchar(255) not null, author varchar(255) not null, filename varchar(255) not null,
                dateexecuted timestamp not null, orderexecuted int not null, exectype varchar(10) not null);
            insert into databasechangelog values ('1', 'me', 'db/changelog.xml', now(), 1, 'EXECUTED');
            create table databasechangeloglock (id int primary key, locked boolean not null, lockgranted timestamp, lockedby varchar(255));
            insert into databasechangeloglock values (1, true, now(), 'deploy-7');
            """);
        var ef = await server.CreateDatabaseAsync("mig", """
            create table "__EFMigrationsHistory" ("MigrationId" varchar(150) primary key, "ProductVersion" varchar(32) not null);
            insert into "__EFMigrationsHistory" values ('20240101000000_Init', '9.0.0'), ('20240201000000_Orders', '9.0.0');
            """);

        var locked = await RunAsync("postgres", liquibase, "    expect: { migrations: { latest: \"1\" } }");
        var efResult = await RunAsync("postgres", ef, "    expect: { migrations: { table: __EFMigrationsHistory, latest: 20240201000000_Orders } }");

        Assert.Equal(DatabaseRules.MigrationLockHeld, Assert.Single(locked.Findings).Rule);
        Assert.Contains("deploy-7", locked.Findings[0].Message, StringComparison.Ordinal);
        Assert.True(efResult.Status == CheckStatus.Pass, DatabaseTestKit.Describe(efResult));
    }

    [Fact]
    public async Task A_missing_expected_history_table_is_high_and_FluentMigrator_is_found_when_detecting()
    {
        var fluent = await server.CreateDatabaseAsync("mig", """
            create table "VersionInfo" ("Version" bigint not null, "AppliedOn" timestamp, "Description" varchar(1024));
            insert into "VersionInfo" values (1, now(), 'Init'), (2, now(), 'Orders');
            """);

        var missing = await RunAsync("postgres", fluent, "    expect: { migrations: { table: flyway_schema_history, latest: \"2\" } }");
        var detected = await RunAsync("postgres", fluent, "    expect: { migrations: { latest: \"2\" } }");

        var finding = Assert.Single(missing.Findings);
        Assert.Equal((DatabaseRules.MigrationTableMissing, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("VersionInfo", finding.Evidence, StringComparison.Ordinal);
        Assert.True(detected.Status == CheckStatus.Pass, DatabaseTestKit.Describe(detected));
    }

    [Fact]
    public async Task SQLite_DbUp_journal_is_compared_too()
    {
        var file = DatabaseTestKit.SqliteFile("""
            create table schemaversions (schemaversionsid integer primary key autoincrement, scriptname text not null, applied datetime not null);
            insert into schemaversions (scriptname, applied) values ('0001_a.sql', 'now'), ('0002_b.sql', 'now');
            """);

        var current = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { table: schemaversions, latest: 0002_b.sql } }");
        var ahead = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { table: schemaversions, latest: 0001_a } }");

        Assert.True(current.Status == CheckStatus.Pass, DatabaseTestKit.Describe(current));
        Assert.Equal(DatabaseRules.MigrationsAhead, Assert.Single(ahead.Findings).Rule);
    }

    [Theory]
    [InlineData("alembic", "create table alembic_version (version_num varchar(32) not null primary key); insert into alembic_version values ('ae1027a6acf');", "ae1027a6acf")]
    [InlineData("django", "create table django_migrations (id integer primary key, app text, name text, applied datetime); insert into django_migrations (app, name, applied) values ('orders', '0001_initial', 'now'), ('orders', '0002_add_status', 'now');", "orders.0002_add_status")]
    [InlineData("rails", "create table schema_migrations (version varchar primary key); insert into schema_migrations values ('9'), ('20240215000000'), ('20240101000000');", "20240215000000")]
    [InlineData("knex", "create table knex_migrations (id integer primary key, name text, batch int, migration_time datetime); insert into knex_migrations (name, batch) values ('20240101_init.js', 1), ('20240301_orders.js', 2);", "20240301_orders")]
    [InlineData("sequelize", "create table SequelizeMeta (name varchar primary key); insert into SequelizeMeta values ('20240301-orders.js'), ('20240101-init.js');", "20240301-orders.js")]
    [InlineData("doctrine", "create table doctrine_migration_versions (version varchar primary key, executed_at datetime); insert into doctrine_migration_versions values ('DoctrineMigrations\\Version20240101000000', '2024-01-01 00:00:00'), ('DoctrineMigrations\\Version20240301000000', '2024-03-01 00:00:00');", "Version20240301000000.php")]
    public async Task The_history_of_other_ecosystems_migration_tools_is_read_and_compared(string tool, string history, string latest)
    {
        var file = DatabaseTestKit.SqliteFile(history);

        var current = await RunAsync("sqlite", $"Data Source={file}", $"    expect: {{ migrations: {{ latest: \"{latest}\" }} }}");
        var behind = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { latest: \"99999999999999_not_yet\" } }");

        Assert.True(current.Status == CheckStatus.Pass, $"{tool}: {DatabaseTestKit.Describe(current)}");
        Assert.Equal(DatabaseRules.MigrationsPending, Assert.Single(behind.Findings).Rule);
    }

    [Fact]
    public async Task A_dirty_golang_migrate_version_a_failed_Prisma_migration_and_a_failed_sqlx_one_are_findings()
    {
        var migrate = DatabaseTestKit.SqliteFile("create table schema_migrations (version bigint not null primary key, dirty boolean not null); insert into schema_migrations values (20240301000000, 1);");
        var prisma = DatabaseTestKit.SqliteFile("""
            create table _prisma_migrations (id text primary key, checksum text, finished_at datetime, migration_name text, logs text,
                rolled_back_at datetime, started_at datetime, applied_steps_count int);
            insert into _prisma_migrations values ('a', 'x', '2024-01-01 00:00:01', '20240101_init', null, null, '2024-01-01 00:00:00', 1),
                                                  ('b', 'x', null, '20240201_orders', 'error', '2024-02-02 00:00:00', '2024-02-01 00:00:00', 0),
                                                  ('c', 'x', null, '20240301_status', 'error', null, '2024-03-01 00:00:00', 0);
            """);
        var sqlx = DatabaseTestKit.SqliteFile("""
            create table _sqlx_migrations (version bigint primary key, description text, installed_on datetime, success boolean, checksum blob, execution_time bigint);
            insert into _sqlx_migrations values (1, 'init', 'now', 1, x'00', 1), (2, 'add orders', 'now', 0, x'00', 1);
            """);

        var dirty = await RunAsync("sqlite", $"Data Source={migrate}", "    expect: { migrations: { latest: \"20240301000000\" } }");
        var failed = await RunAsync("sqlite", $"Data Source={prisma}", "    expect: { migrations: { latest: 20240301_status } }");
        var sqlxFailed = await RunAsync("sqlite", $"Data Source={sqlx}", "    expect: { migrations: { latest: \"2\" } }");

        Assert.Contains(dirty.Findings, f => f.Rule == DatabaseRules.MigrationFailed && f.Message.Contains("20240301000000", StringComparison.Ordinal));
        Assert.Contains(failed.Findings, f => f.Rule == DatabaseRules.MigrationFailed && f.Message.Contains("20240301_status", StringComparison.Ordinal));
        Assert.Contains(failed.Findings, f => f.Rule == DatabaseRules.MigrationsPending && f.Message.Contains("latest applied is 20240101_init", StringComparison.Ordinal));
        Assert.Contains(sqlxFailed.Findings, f => f.Rule == DatabaseRules.MigrationFailed && f.Message.Contains("migration 2 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Goose_counts_a_version_migrated_down_as_not_applied()
    {
        var file = DatabaseTestKit.SqliteFile("""
            create table goose_db_version (id integer primary key autoincrement, version_id bigint not null, is_applied boolean not null, tstamp datetime);
            insert into goose_db_version (version_id, is_applied) values (0, 1), (1, 1), (2, 1), (2, 0);
            """);

        var at1 = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { latest: \"1\" } }");
        var at2 = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { latest: \"2\" } }");

        Assert.True(at1.Status == CheckStatus.Pass, DatabaseTestKit.Describe(at1));
        Assert.Contains("latest applied is 1, expected 2", Assert.Single(at2.Findings).Message, StringComparison.Ordinal);
    }
}
