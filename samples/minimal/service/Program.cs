// The minimal sample service: items in a SQLite database, a readiness endpoint that checks the database.
// MINIMAL_DB_PATH: the database file (created with its schema on start).
// MINIMAL_UNHEALTHY=1: the readiness endpoint answers 503, so tests can watch Archgate say NO-GO.
using Microsoft.Data.Sqlite;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// Bodiless errors (a 404 for /items/abc, a 405) answer as RFC 7807 problems, as openapi.yaml documents.
builder.Services.AddProblemDetails();
var app = builder.Build();
app.UseStatusCodePages();

var dbPath = Environment.GetEnvironmentVariable("MINIMAL_DB_PATH") ?? Path.Combine(".data", "minimal.db");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dbPath))!);
var connectionString = new SqliteConnectionStringBuilder { DataSource = dbPath }.ToString();
await Migrate(connectionString);
var unhealthy = Environment.GetEnvironmentVariable("MINIMAL_UNHEALTHY") == "1";

app.MapGet("/health", async () =>
{
    if (unhealthy)
    {
        return Results.Json(new { status = "unhealthy", reason = "MINIMAL_UNHEALTHY is set" }, statusCode: 503);
    }

    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "select count(*) from items";
    var count = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    return Results.Json(new { status = "healthy", items = count });
});

app.MapGet("/items", async () =>
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "select id, name from items order by id";
    var items = new List<object>();
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        items.Add(new { id = reader.GetInt64(0), name = reader.GetString(1) });
    }

    return Results.Json(items);
});

app.MapGet("/items/{id:long}", async (long id) =>
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "select id, name from items where id = $id";
    command.Parameters.AddWithValue("$id", id);
    await using var reader = await command.ExecuteReaderAsync();
    return await reader.ReadAsync()
        ? Results.Json(new { id = reader.GetInt64(0), name = reader.GetString(1) })
        : Results.Problem(statusCode: 404, title: "item not found");
});

Console.WriteLine("minimal service ready");
await app.RunAsync();

static async Task Migrate(string connectionString)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = """
        create table if not exists items (id integer primary key, name text not null);
        insert into items (id, name) select 1, 'first' where not exists (select 1 from items where id = 1);
        insert into items (id, name) select 2, 'second' where not exists (select 1 from items where id = 2);
        """;
    await command.ExecuteNonQueryAsync();
}
