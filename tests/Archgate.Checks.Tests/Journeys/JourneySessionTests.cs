using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>
/// Journeys with 'login:' steps of several identities against a cookie session whose login ends the session it is sent
/// with (session.regenerate, as AG5008 asks): ex13 row 3.
/// </summary>
public sealed class JourneySessionTests
{
    [Fact]
    public async Task Sign_in_steps_of_other_identities_do_not_end_the_setups_session_so_every_run_and_the_consistency_read_pass()
    {
        // ex13: each run started from the setup's cookie, which the journey's own login (sent with it) had ended on the
        // server: run 2 on got 401 (AG7001 critical) and the read after the write too (AG7012 high, "without a JSON object").
        using var api = new RegeneratingSessionApi();
        var result = await RunAsync(api, """
            journeys:
              - name: a guest cannot read another's task
                critical: true
                runs: 3
                setup: [ { login: ann } ]
                steps:
                  - { request: POST /tasks, json: { title: x }, capture: { task: $.id }, expect: { status: 201 } }
                  - login: gus
                  - { request: "GET /tasks/{task}", expect: { status: 404 } }
                  - login: ann
                  - { request: "GET /tasks/{task}", expect: { status: 200 } }
            """);

        var messages = string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Message}"));
        Assert.True(result.Status == CheckStatus.Pass, messages);
        Assert.Contains(result.Findings, f => f.Message == "'a guest cannot read another's task': 3 of 3 runs succeeded (100 %)");
        Assert.Contains(result.Findings, f => f.Location == "consistency" && f.Message.Contains("agree for /tasks/1 (tasks)", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Rule is JourneyRules.CriticalJourneyFailed or JourneyRules.ReadDiffers);

        // The sign-ins went without the session cookie they would have ended.
        Assert.All(api.Requests.Where(r => r.PathAndQuery == "/auth/login"), r => Assert.DoesNotContain("sid=", r.Headers.GetValueOrDefault("Cookie") ?? string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_read_after_a_write_uses_the_jars_cookies_when_a_later_sign_out_and_sign_in_ended_the_writes_session()
    {
        using var api = new RegeneratingSessionApi();
        var result = await RunAsync(api, """
            journeys:
              - name: sign out and in again
                runs: 1
                setup: [ { login: ann } ]
                steps:
                  - { request: POST /tasks, json: { title: x }, expect: { status: 201 } }
                  - { request: POST /auth/logout, expect: { status: 204 } }
                  - login: ann
            """);

        var messages = string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Message}"));
        Assert.True(result.Status == CheckStatus.Pass, messages);
        Assert.Contains(result.Findings, f => f.Location == "consistency" && f.Message.Contains("agree for /tasks/1 (tasks)", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.ReadDiffers);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    public async Task A_read_after_a_write_that_is_refused_is_not_checked_info_naming_the_status_not_a_difference(int status)
    {
        using var api = new RegeneratingSessionApi(readStatus: status);
        var result = await RunAsync(api, """
            journeys:
              - name: write only
                runs: 1
                setup: [ { login: ann } ]
                steps:
                  - { request: POST /tasks, json: { title: x }, expect: { status: 201 } }
            """);

        var messages = string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Message}"));
        Assert.True(result.Status == CheckStatus.Pass, messages);
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.ReadDiffers);
        var notChecked = Assert.Single(result.Findings, f => f.Rule == JourneyRules.ConsistencyNotChecked);
        Assert.Equal(Severity.Info, notChecked.Severity);
        Assert.Equal($"after POST /tasks the API's read of /tasks/1 answered {status} with the journey's credentials: consistency not checked", notChecked.Message);
    }

    private static async Task<CheckResult> RunAsync(RegeneratingSessionApi api, string journeys)
    {
        var folder = AuthFlowCheckTests.Folder();
        var file = Path.Combine(folder, "tasks.db");
        await using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO tasks VALUES (1, 'x'), (2, 'x'), (3, 'x');";
            await command.ExecuteNonQueryAsync();
        }

        var system = TestSystems.Load($$"""
            version: 1
            system: { name: tasks }
            auth:
              ann: { login: POST /auth/login, user: ann, password: demo }
              gus: { login: POST /auth/login, user: gus, password: demo }
            components:
              - { name: db, kind: database, connection: "Data Source={{file}}" }
              - name: api
                kind: service
                url: "{{api.Url}}"
                auth: ann
                dependsOn: [db]
                resources: { "/tasks/{id}": { database: db, table: tasks } }
            {{journeys}}
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    /// <summary>
    /// A cookie session as express-session with <c>req.session.regenerate</c>: a login ends the session whose cookie it
    /// arrives with and starts a new one; a task is read by its owner only (others get 404), or by nobody
    /// (<c>readStatus</c>).
    /// </summary>
    private sealed class RegeneratingSessionApi : IDisposable
    {
        private readonly ConcurrentDictionary<string, string> _sessions = new();
        private readonly ConcurrentDictionary<int, string> _owners = new();
        private readonly ScriptedHttpServer _server;
        private int _tasks;

        public RegeneratingSessionApi(int? readStatus = null) => _server = new ScriptedHttpServer(r => Answer(r, readStatus));

        public Uri Url => _server.Url;

        public ConcurrentQueue<Received> Requests => _server.Requests;

        public void Dispose() => _server.Dispose();

        private static Reply Problem(int status) => new(status, $$"""{"title":"refused","status":{{status}}}""", "application/problem+json");

        private Reply Answer(Received r, int? readStatus)
        {
            var sid = (r.Headers.GetValueOrDefault("Cookie") ?? string.Empty).Split(';', StringSplitOptions.TrimEntries)
                .Select(c => c.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "sid").Select(p => p[1]).FirstOrDefault();
            if (r is { Method: "POST", PathAndQuery: "/auth/login" })
            {
                if (sid is not null)
                {
                    _sessions.TryRemove(sid, out _); // regenerate: the session the login arrived with ends
                }

                var user = JsonNode.Parse(r.Body)?["username"]?.ToString();
                if (user is not ("ann" or "gus"))
                {
                    return Problem(401);
                }

                var fresh = Guid.NewGuid().ToString("N");
                _sessions[fresh] = user;
                return new Reply(200, $$"""{"name":"{{user}}"}""", Headers: new Dictionary<string, string> { ["Set-Cookie"] = $"sid={fresh}; Path=/; HttpOnly; SameSite=Lax" });
            }

            if (sid is null || !_sessions.TryGetValue(sid, out var who))
            {
                return Problem(401);
            }

            if (r is { Method: "POST", PathAndQuery: "/auth/logout" })
            {
                _sessions.TryRemove(sid, out _);
                return new Reply(204, Headers: new Dictionary<string, string> { ["Set-Cookie"] = "sid=; Path=/; Max-Age=0" });
            }

            if (r is { Method: "POST", PathAndQuery: "/tasks" })
            {
                var id = Interlocked.Increment(ref _tasks);
                _owners[id] = who;
                return new Reply(201, $$"""{"id":{{id}},"title":"x"}""");
            }

            if (r.Method == "GET" && r.PathAndQuery.StartsWith("/tasks/", StringComparison.Ordinal)
                && int.TryParse(r.PathAndQuery["/tasks/".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var task))
            {
                return readStatus is { } refused ? Problem(refused)
                    : _owners.GetValueOrDefault(task) == who ? new Reply(200, $$"""{"id":{{task}},"title":"x"}""") : Problem(404);
            }

            return Problem(404);
        }
    }
}
