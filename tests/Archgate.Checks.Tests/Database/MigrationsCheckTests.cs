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

    /// <summary>A fresh folder holding <paramref name="names"/> (empty scripts).</summary>
    private static string Folder(params string[] names)
    {
        var folder = Directory.CreateTempSubdirectory("archgate-migrations-").FullName;
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(folder, name), "-- sql");
        }

        return folder;
    }

    /// <summary>golang-migrate's folder: an up and a down file for each of 000001_init … 000006_librarians.</summary>
    private static readonly string[] GolangMigrateFiles =
        [.. new[] { "000001_init", "000002_books", "000003_members", "000004_loans_draft", "000005_authors", "000006_librarians" }
            .SelectMany(m => new[] { $"{m}.up.sql", $"{m}.down.sql" })];

    private static string GolangMigrateTable(long version, bool dirty) =>
        $"create table schema_migrations (version bigint not null primary key, dirty boolean not null); insert into schema_migrations values ({version}, {(dirty ? "true" : "false")});";

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

    [Fact]
    public async Task A_golang_migrate_version_at_the_newest_up_file_passes_and_its_down_files_are_not_expected()
    {
        var db = await server.CreateDatabaseAsync("mig", GolangMigrateTable(6, dirty: false));
        var folder = Folder(GolangMigrateFiles);

        var result = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.DoesNotContain(result.Findings, f => f.Rule == DatabaseRules.MigrationsPending);
        Assert.Contains("latest applied: 6", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6, false, 6)]
    [InlineData(5, false, 5)]
    [InlineData(6, true, 5)] // dirty: version 6 failed half-way, the five below it are applied
    public async Task A_golang_migrate_version_counts_the_up_files_up_to_it_as_applied_not_the_one_row(long version, bool dirty, int applied)
    {
        var db = await server.CreateDatabaseAsync("mig", GolangMigrateTable(version, dirty));
        var folder = Folder(GolangMigrateFiles);

        var result = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        var metric = Assert.Single(result.Metrics, m => m.Name == "db_migrations_applied");
        Assert.Equal(applied, metric.Value);
        Assert.Equal("files", metric.Tags["counted"]);
    }

    [Fact]
    public async Task Without_the_files_a_golang_migrate_history_counts_its_row_and_says_so()
    {
        var db = await server.CreateDatabaseAsync("mig", GolangMigrateTable(6, dirty: false));

        var result = await RunAsync("postgres", db, "    expect: { migrations: { latest: 000006_librarians.up.sql } }");

        var metric = Assert.Single(result.Metrics, m => m.Name == "db_migrations_applied");
        Assert.Equal((1, "rows"), (metric.Value, metric.Tags["counted"]));
    }

    [Fact]
    public async Task A_golang_migrate_version_behind_the_folder_names_the_up_file_not_applied_and_only_it()
    {
        var db = await server.CreateDatabaseAsync("mig", GolangMigrateTable(5, dirty: false));
        var folder = Folder(GolangMigrateFiles);

        var result = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.MigrationsPending, CheckStatus.Fail), (finding.Rule, result.Status));
        Assert.Contains("000006_librarians.up.sql is not applied; the latest applied is 5", finding.Message, StringComparison.Ordinal);
        Assert.Equal("not applied: 000006_librarians.up.sql", finding.Evidence);
    }

    [Fact]
    public async Task A_golang_migrate_timestamp_version_counts_every_older_file_as_applied_and_a_newer_expected_one_as_pending()
    {
        var file = DatabaseTestKit.SqliteFile(GolangMigrateTable(20240301120000, dirty: false).Replace("true", "1").Replace("false", "0"));
        var folder = Folder("20240101120000_init.up.sql", "20240101120000_init.down.sql", "20240301120000_loans.up.sql", "20240301120000_loans.down.sql");

        var current = await RunAsync("sqlite", $"Data Source={file}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");
        var ahead = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { latest: 20240101120000_init.up.sql } }");
        var behind = await RunAsync("sqlite", $"Data Source={file}", "    expect: { migrations: { latest: 20240401000000_fines.up.sql } }");

        Assert.True(current.Status == CheckStatus.Pass, DatabaseTestKit.Describe(current));
        Assert.Equal(DatabaseRules.MigrationsAhead, Assert.Single(ahead.Findings).Rule);
        Assert.Contains("20240401000000_fines.up.sql is not applied; the latest applied is 20240301120000", Assert.Single(behind.Findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dirty_golang_migrate_version_is_a_failed_migration_and_the_versions_below_it_stay_applied()
    {
        var db = await server.CreateDatabaseAsync("mig", GolangMigrateTable(6, dirty: true));
        var folder = Folder(GolangMigrateFiles);

        var result = await RunAsync("postgres", db, $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        var failed = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.MigrationFailed);
        Assert.Contains("migration 6 ", failed.Message, StringComparison.Ordinal);
        Assert.Contains("dirty", failed.Evidence, StringComparison.Ordinal);
        var pending = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.MigrationsPending);
        Assert.Equal("not applied: 000006_librarians.up.sql", pending.Evidence);
    }

    [Fact]
    public async Task A_Rails_history_is_matched_to_its_files_by_version_and_a_missing_older_one_is_pending()
    {
        var all = DatabaseTestKit.SqliteFile("create table schema_migrations (version varchar not null primary key); insert into schema_migrations values ('20240101120000'), ('20240215093000'), ('20240301170000');");
        var gap = DatabaseTestKit.SqliteFile("create table schema_migrations (version varchar not null primary key); insert into schema_migrations values ('20240101120000'), ('20240301170000');");
        var folder = Folder("20240101120000_create_books.rb", "20240215093000_create_members.rb", "20240301170000_create_loans.rb");

        var current = await RunAsync("sqlite", $"Data Source={all}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");
        var missing = await RunAsync("sqlite", $"Data Source={gap}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        Assert.True(current.Status == CheckStatus.Pass, DatabaseTestKit.Describe(current));
        var finding = Assert.Single(missing.Findings);
        Assert.Equal(DatabaseRules.MigrationsPending, finding.Rule);
        Assert.Contains("20240215093000_create_members.rb is not applied", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flyway_undo_and_repeatable_files_are_never_pending_and_versions_order_as_numbers()
    {
        var file = DatabaseTestKit.SqliteFile("""
            create table flyway_schema_history (installed_rank int primary key, version text, description text, type text, script text, success boolean);
            insert into flyway_schema_history values (1, '1', 'init', 'SQL', 'V1__init.sql', 1), (2, '2', 'books', 'SQL', 'V2__books.sql', 1),
                                                     (3, '10', 'loans', 'SQL', 'V10__loans.sql', 1), (4, null, 'views', 'SQL', 'R__views.sql', 1);
            """);
        var folder = Folder("V1__init.sql", "V2__books.sql", "V10__loans.sql", "U10__loans.sql", "R__views.sql");

        var result = await RunAsync("sqlite", $"Data Source={file}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
    }

    [Fact]
    public async Task An_Alembic_database_at_the_head_of_its_chain_passes_and_one_a_revision_behind_is_pending()
    {
        var head = DatabaseTestKit.SqliteFile("create table alembic_version (version_num varchar(32) not null primary key); insert into alembic_version values ('c3d4');");
        var behind = DatabaseTestKit.SqliteFile("create table alembic_version (version_num varchar(32) not null primary key); insert into alembic_version values ('f1a2');");
        var folder = Directory.CreateTempSubdirectory("archgate-alembic-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "__init__.py"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(folder, "f1a2_init.py"), "revision = 'f1a2'\ndown_revision = None\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "09ab_books.py"), "revision: str = \"09ab\"\ndown_revision: Union[str, None] = \"f1a2\"\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "c3d4_loans.py"), "revision = 'c3d4'\ndown_revision = '09ab'\n");

        var current = await RunAsync("sqlite", $"Data Source={head}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");
        var pending = await RunAsync("sqlite", $"Data Source={behind}", $"    expect: {{ migrations: {{ folder: {folder} }} }}");

        Assert.True(current.Status == CheckStatus.Pass, DatabaseTestKit.Describe(current));
        Assert.Equal("not applied: 09ab_books.py, c3d4_loans.py", Assert.Single(pending.Findings).Evidence);
    }

    [Fact]
    public async Task Prismas_migration_folders_are_its_migrations_and_DbUps_embedded_script_names_match_their_files()
    {
        var prisma = DatabaseTestKit.SqliteFile("""
            create table _prisma_migrations (id text primary key, checksum text, finished_at datetime, migration_name text, logs text,
                rolled_back_at datetime, started_at datetime, applied_steps_count int);
            insert into _prisma_migrations values ('a', 'x', '2024-01-01 00:00:01', '20240101000000_init', null, null, '2024-01-01 00:00:00', 1);
            """);
        var prismaFolder = Folder("migration_lock.toml");
        Directory.CreateDirectory(Path.Combine(prismaFolder, "20240101000000_init"));
        await File.WriteAllTextAsync(Path.Combine(prismaFolder, "20240101000000_init", "migration.sql"), "-- sql");
        var dbUp = DatabaseTestKit.SqliteFile("""
            create table schemaversions (schemaversionsid integer primary key autoincrement, scriptname text not null, applied datetime not null);
            insert into schemaversions (scriptname, applied) values ('Shop.Api.Migrations.0001_products.sql', 'now'), ('Shop.Api.Migrations.0002_users.sql', 'now');
            """);

        var prismaResult = await RunAsync("sqlite", $"Data Source={prisma}", $"    expect: {{ migrations: {{ folder: {prismaFolder} }} }}");
        var dbUpResult = await RunAsync("sqlite", $"Data Source={dbUp}", $"    expect: {{ migrations: {{ folder: {Folder("0001_products.sql", "0002_users.sql")} }} }}");

        Assert.True(prismaResult.Status == CheckStatus.Pass, DatabaseTestKit.Describe(prismaResult));
        Assert.True(dbUpResult.Status == CheckStatus.Pass, DatabaseTestKit.Describe(dbUpResult));
    }
}
