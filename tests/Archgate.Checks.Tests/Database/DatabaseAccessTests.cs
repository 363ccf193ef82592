using Archgate.Checks.Database;
using Archgate.Model;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Archgate.Checks.Tests.Database;

/// <summary>Archgate's own connections take their timeouts from the manifest's <c>checks.database</c>.</summary>
public sealed class DatabaseAccessTests
{
    private static readonly DatabaseCheckOptions Options = new() { ConnectTimeout = TimeSpan.FromSeconds(2), CommandTimeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public void A_postgres_connection_takes_the_options_timeouts_unless_its_string_sets_a_connect_timeout()
    {
        using var plain = DatabaseAccess.Create(DatabaseEngine.Postgres, "Host=127.0.0.1;Database=shop;Username=u;Password=p", Options);
        using var own = DatabaseAccess.Create(DatabaseEngine.Postgres, "Host=127.0.0.1;Database=shop;Username=u;Password=p;Timeout=9", Options);
        using var defaults = DatabaseAccess.Create(DatabaseEngine.Postgres, "Host=127.0.0.1;Database=shop;Username=u;Password=p", new DatabaseCheckOptions());

        var builder = new NpgsqlConnectionStringBuilder(plain.ConnectionString);
        Assert.Equal((2, 30, false, "archgate"), (builder.Timeout, builder.CommandTimeout, builder.Pooling, builder.ApplicationName));
        Assert.Equal((9, 30), (new NpgsqlConnectionStringBuilder(own.ConnectionString).Timeout, new NpgsqlConnectionStringBuilder(own.ConnectionString).CommandTimeout));
        Assert.Equal((5, 10), (new NpgsqlConnectionStringBuilder(defaults.ConnectionString).Timeout, new NpgsqlConnectionStringBuilder(defaults.ConnectionString).CommandTimeout));
    }

    [Fact]
    public void A_stored_time_reads_as_ISO_8601_with_its_fraction_as_the_APIs_beside_it_print_times()
    {
        // ex10's AG7010 set "2026-12-06T12:14:37.511Z in the API" beside "12/06/2026 12:19:07 in items".
        Assert.Equal("2026-12-06T12:19:07.511Z", DatabaseAccess.Text(new DateTime(2026, 12, 6, 12, 19, 7, 511, DateTimeKind.Utc)));
        Assert.Equal("2026-12-06T12:19:07", DatabaseAccess.Text(new DateTime(2026, 12, 6, 12, 19, 7, DateTimeKind.Unspecified)));
        Assert.Equal("2026-12-06T12:19:07.5+01:00", DatabaseAccess.Text(new DateTimeOffset(2026, 12, 6, 12, 19, 7, 500, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void Dates_times_intervals_arrays_and_bytes_read_the_same_on_every_machine()
    {
        // ex13's AG7010 set "check_in is 06/01/2028" (a PostgreSQL date, read by Npgsql as DateOnly) beside the API's "2028-06-01".
        Assert.Equal("2028-06-01", DatabaseAccess.Text(new DateOnly(2028, 6, 1)));
        Assert.Equal(("15:30:00", "15:30:00.25"), (DatabaseAccess.Text(new TimeOnly(15, 30)), DatabaseAccess.Text(new TimeOnly(15, 30, 0, 250))));
        Assert.Equal("1.02:00:00", DatabaseAccess.Text(new TimeSpan(1, 2, 0, 0)));
        Assert.Equal(("[1, null, 3]", "[2028-06-01]"), (DatabaseAccess.Text(new int?[] { 1, null, 3 }), DatabaseAccess.Text(new[] { new DateOnly(2028, 6, 1) })));
        Assert.Equal("\\x0aff", DatabaseAccess.Text(new byte[] { 0x0a, 0xff }));
    }

    [Fact]
    public void A_sqlite_connection_is_read_only_with_the_options_command_timeout()
    {
        using var connection = DatabaseAccess.Create(DatabaseEngine.Sqlite, "Data Source=/tmp/shop.db", Options);

        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        Assert.Equal((SqliteOpenMode.ReadOnly, 30), (builder.Mode, builder.DefaultTimeout));
    }

    [Theory]
    [InlineData("dotnet Api.dll", true)]
    [InlineData("sh -c 'cd claims && exec dotnet bin/out/claims.dll'", true)]
    [InlineData("env DOTNET_gcServer=0 dotnet bin/Api.dll", true)]
    [InlineData("bash -lc \"cd api; dotnet run --no-build\"", true)]
    [InlineData("node server.js", false)]
    [InlineData("sh -c 'cd payouts && exec node server.js'", false)]
    public void A_dotnet_program_is_told_through_a_wrapper_so_its_pool_settings_are_known(string command, bool dotnet)
    {
        // ex12's claims-api runs as sh -c 'cd claims && exec dotnet ...' (its content root is claims/): it reads the
        // database's string with Npgsql, so its pool is judged and counted in the budget.
        var system = DatabaseTestKit.System("postgres", "Host=127.0.0.1;Port=1;Database=d;Username=u;Password=p", serviceUrl: "http://127.0.0.1:9",
            serviceExtra: $"    run: {{ command: \"{command.Replace("\"", "\\\"", StringComparison.Ordinal)}\", workdir: ., ready: {{ tcp: 9 }} }}");

        var client = Assert.Single(Archgate.Checks.Database.DatabaseClient.Of(system, system.Db()));

        Assert.Equal(dotnet, client.SettingsKnown);
    }
}
