using System.Globalization;
using System.Net;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Journeys;

public sealed class RealtimeConsistencyCheckTests
{
    /// <summary>
    /// A loopback API over a SQLite table: POST /things stores a thing 'new' and a worker moves it to 'done' 200 ms later,
    /// each change published on the SSE stream; GET /things/{id} reads the row. With <c>staleEvents</c> each event carries
    /// the status the thing had before the change (the defect).
    /// </summary>
    private sealed class ThingsApi : IDisposable
    {
        private readonly EventStreamServer _server;
        private readonly string _connection;
        private readonly bool _staleEvents;
        private readonly bool _aboutOthers;

        /// <param name="aboutOthers">Each event is about something else than the thing (its shelf, id 100 + the thing's).</param>
        public ThingsApi(string file, bool staleEvents, bool aboutOthers = false)
        {
            (_connection, _staleEvents, _aboutOthers) = ($"Data Source={file}", staleEvents, aboutOthers);
            Execute("CREATE TABLE things (id INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL, version INTEGER NOT NULL)");
            _server = new EventStreamServer(HandleAsync);
        }

        public int Port => _server.Port;

        public void Dispose() => _server.Dispose();

        private long Execute(string sql)
        {
            using var connection = new SqliteConnection(_connection);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
        }

        private void Publish(long id, string status, int version) =>
            _server.Publish($"event: thing-status\ndata: {{\"{(_aboutOthers ? "shelfId" : "thingId")}\":{(_aboutOthers ? 100 + id : id)},\"status\":\"{status}\",\"version\":{version}}}\n\n");

        private async Task<bool> HandleAsync(HttpListenerContext context)
        {
            var path = context.Request.Url!.AbsolutePath;
            if (!EventStreamServer.SignedIn(context.Request))
            {
                return false;
            }

            if (path == "/things" && context.Request.HttpMethod == "POST")
            {
                var id = Execute("INSERT INTO things (status, version) VALUES ('new', 1); SELECT last_insert_rowid();");
                Publish(id, "new", 1);
                _ = Task.Run(async () =>
                {
                    await Task.Delay(200);
                    Execute($"UPDATE things SET status = 'done', version = 2 WHERE id = {id}");
                    Publish(id, _staleEvents ? "new" : "done", 2);
                });
                await EventStreamServer.WriteAsync(context.Response, 201, $"{{\"id\":{id},\"status\":\"new\",\"version\":1}}");
                return true;
            }

            if (path.StartsWith("/things/", StringComparison.Ordinal))
            {
                var id = long.Parse(path["/things/".Length..], CultureInfo.InvariantCulture);
                using var connection = new SqliteConnection(_connection);
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT status, version FROM things WHERE id = {id}";
                using var reader = command.ExecuteReader();
                reader.Read();
                await EventStreamServer.WriteAsync(context.Response, 200, $"{{\"id\":{id},\"status\":\"{reader.GetString(0)}\",\"version\":{reader.GetInt64(1)}}}");
                return true;
            }

            return false;
        }
    }

    private static async Task<CheckResult> RunAsync(bool staleEvents, bool aboutOthers = false)
    {
        var folder = AuthFlowCheckTests.Folder();
        var file = Path.Combine(folder, "things.db");
        using var api = new ThingsApi(file, staleEvents, aboutOthers);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source={{file}}" }
              - name: api
                kind: service
                url: "http://127.0.0.1:{{api.Port}}"
                dependsOn: [db]
                auth: { login: POST /auth/login, user: ann, password: demo }
                realtime:
                  - { sse: /events, tokenQuery: access_token, event: thing-status, within: 5s, trigger: { request: POST /things, json: { name: x } } }
                resources: { "/things/{id}": { database: db, table: things } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var service = system.Find<ServiceComponent>("api")!;
        var check = new RealtimeConsistencyCheck(service, service.Realtime[0], new JourneyCheckOptions { EventSettle = TimeSpan.FromSeconds(2) });
        Assert.True(check.AppliesTo(system).Applies);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await check.RunAsync(TestSystems.Context(system, http), cancel.Token);
    }

    [Fact]
    public async Task The_last_event_about_the_written_thing_matches_its_row_and_the_APIs_read()
    {
        var result = await RunAsync(staleEvents: false);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")) + result.Reason);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.EventSummary, summary.Rule);
        Assert.Contains("2 event(s) about /things/1 after POST /things; the last one's status, version match the row of things and the API's read", summary.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST /books", true)]
    [InlineData("PATCH /books/7", true)]
    [InlineData("POST /books/7/reviews", false)] // a sub-resource: another resource than /books/{bookId}
    [InlineData("POST /bookstores", false)]
    public void The_check_applies_to_a_trigger_that_writes_a_mapped_collection_or_its_item_not_a_sub_resource(string trigger, bool applies)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source={{Path.Combine(folder, "x.db")}}" }
              - name: api
                kind: service
                url: "http://127.0.0.1:9"
                dependsOn: [db]
                realtime:
                  - { sse: /events, trigger: { request: {{trigger}} } }
                resources: { "/books/{bookId}": { database: db, table: books } }
            """, folder);
        var service = system.Find<ServiceComponent>("api")!;

        var applicability = new RealtimeConsistencyCheck(service, service.Realtime[0], new JourneyCheckOptions()).AppliesTo(system);

        Assert.Equal(applies, applicability.Applies);
    }

    [Theory]
    [InlineData("{\"thingId\":7,\"status\":\"done\"}")]
    [InlineData("{\"type\":\"thing-status\",\"id\":\"7-2\",\"data\":{\"thingId\":7,\"status\":\"done\"}}")] // a WebSocket message's envelope
    public void An_event_is_about_the_resource_whose_key_is_its_id_property_and_its_payload_is_compared(string data)
    {
        var payload = Archgate.Checks.Frontend.EventSubject.About(new Archgate.Checks.Frontend.ServerSentEvent("thing-status", data, null), "7");

        Assert.Equal("done", (string?)payload?["status"]);
        Assert.Null(Archgate.Checks.Frontend.EventSubject.About(new Archgate.Checks.Frontend.ServerSentEvent("thing-status", data, null), "8"));
    }

    [Fact]
    public async Task An_event_that_carries_the_old_status_fails_AG7045_with_the_event_and_the_row()
    {
        var result = await RunAsync(staleEvents: true);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.EventDiffers, finding.Rule);
        Assert.Contains("status is new in the event, status is done in things", finding.Message, StringComparison.Ordinal);
        Assert.Contains("status is new in the event, done in the API's read", finding.Message, StringComparison.Ordinal);
        Assert.Contains("event {\"thingId\":1,\"status\":\"new\",\"version\":2}; row of things: id=1, status=done, version=2", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_of_the_declared_type_about_other_things_are_not_compared_and_not_AG7046()
    {
        // ex11: /live carries per-event seat availability after POST /holds; "no 'seat-availability' event about /holds/95" was high.
        var result = await RunAsync(staleEvents: false, aboutOthers: true);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var finding = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.EventSummary, finding.Rule);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("the stream's 'thing-status' events are about other things (ids 101), so they cannot be compared with /things/1", finding.Message, StringComparison.Ordinal);
    }
}
