using System.Text.Json.Nodes;
using Archgate.Checks.Database;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>The stored row against the API's read, with the values Npgsql really returns for PostgreSQL's types.</summary>
[Collection(PostgresServer.Collection)]
public sealed class ConsistencyProbePostgresTests(PostgresServer server)
{
    private static readonly ResourceMapping Bookings = new("/v1/bookings/{id}", "db", "bookings", "id");

    private async Task<IReadOnlyDictionary<string, object?>> RowAsync()
    {
        var connection = await server.CreateDatabaseAsync("consistency", """
            create table bookings (id int primary key, check_in date, check_out date, arrives time, stay interval, ref uuid,
                                   tags text[], total numeric(10, 2), created timestamptz);
            insert into bookings values (2, '2028-06-01', '2028-06-04', '15:30', '3 days', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                                         '{quiet,late}', 120.50, '2026-12-06T20:58:51.25Z');
            """);
        var system = DatabaseTestKit.System("postgres", connection);
        var row = await ConsistencyProbe.RowAsync(system.Db(), Bookings, "2", CancellationToken.None);
        Assert.Null(row.Problem);
        return row.Values!;
    }

    [Fact]
    public async Task A_date_column_holding_the_APIs_ISO_dates_is_the_same_whatever_the_culture()
    {
        // ex13's AG7010: "checkIn is 2028-06-01 in the API, check_in is 06/01/2028 in bookings" for the very same date.
        var row = await RowAsync();
        var api = JsonNode.Parse("""
            {"id":2,"checkIn":"2028-06-01","checkOut":"2028-06-04T00:00:00.000Z","arrives":"15:30","stay":"P3D",
             "ref":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11","total":120.5,"created":"2026-12-06T20:58:51.250Z"}
            """)!.AsObject();

        Assert.Empty(ConsistencyProbe.Differences(Bookings, api, row));
        Assert.Equal(("2028-06-01", "15:30:00", "3.00:00:00", "[quiet, late]"),
            (DatabaseAccess.Text(row["check_in"]), DatabaseAccess.Text(row["arrives"]), DatabaseAccess.Text(row["stay"]), DatabaseAccess.Text(row["tags"])));
    }

    [Fact]
    public async Task A_date_the_API_shifted_by_its_time_zone_or_changed_differs_and_is_shown_in_ISO_form()
    {
        var row = await RowAsync();
        var api = JsonNode.Parse("""{"checkIn":"2028-05-31T22:00:00.000Z","checkOut":"2028-06-05","arrives":"15:31"}""")!.AsObject();

        var differences = ConsistencyProbe.Differences(Bookings, api, row);

        Assert.Equal(
            [
                "checkIn is 2028-05-31T22:00:00.000Z in the API, check_in is 2028-06-01 in bookings",
                "checkOut is 2028-06-05 in the API, check_out is 2028-06-04 in bookings",
                "arrives is 15:31 in the API, arrives is 15:30:00 in bookings",
            ],
            differences);
    }
}
