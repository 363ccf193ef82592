using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Journeys;

public sealed class JourneyCheckTests
{
    private const string Journey = """
        journeys:
          - name: add a note
            critical: true
            runs: 5
            setup:
              - request: POST /auth/login
                json: { username: ann, password: demo }
                capture: { token: $.accessToken }
            steps:
              - request: POST /notes
                headers: { Authorization: "Bearer {token}" }
                json: { title: "note {run}" }
                expect: { status: 201, $.title: "note {run}", headers: { ETag: '"1"' } }
                capture: { id: $.id, where: "header: Location" }
              - request: GET /notes/{id}
                headers: { Authorization: "Bearer {token}" }
                expect: { status: [200], $.title: { matches: "^note [0-9]+$" }, $.id: "{id}", duration: 5s }
        """;

    private static async Task<CheckResult> RunAsync(FakeShopApi api, string journeys, string? services = null)
    {
        var folder = AuthFlowCheckTests.Folder();
        var manifest = api.Manifest(folder, journeys);
        if (services is not null)
        {
            manifest = manifest.Replace("    openapi: fake.yaml\n", "    openapi: fake.yaml\n" + services, StringComparison.Ordinal);
        }

        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    /// <summary>
    /// Runs the first of <paramref name="journeys"/> against <paramref name="api"/>, whose notes are declared kept in the
    /// SQLite table <c>notes</c> (<c>resources</c>); the table holds <paramref name="rows"/> (SQL values), the rows the
    /// API's writes are compared with.
    /// </summary>
    private static async Task<CheckResult> RunWithNotesTableAsync(FakeShopApi api, string rows, string journeys)
    {
        var folder = AuthFlowCheckTests.Folder();
        var file = Path.Combine(folder, "notes.db");
        await using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO notes VALUES {rows};";
            await command.ExecuteNonQueryAsync();
        }

        var manifest = api.Manifest(folder, $"  - {{ name: db, kind: database, connection: \"Data Source={file}\" }}\n{journeys}")
            .Replace("    openapi: fake.yaml\n", "    openapi: fake.yaml\n    dependsOn: [db]\n    resources: { \"/notes/{id}\": { database: db, table: notes } }\n", StringComparison.Ordinal);
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_critical_journey_runs_its_setup_once_and_its_steps_each_run_with_captures_and_passes_at_100_percent()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api, Journey);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(100, result.Metrics.Single(m => m.Name == "journey_success_rate").Value);
        Assert.Contains("5 of 5 runs succeeded (100 %)", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
        Assert.Single(api.Requests, r => r.PathAndQuery == "/auth/login");
        Assert.Equal(5, api.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/notes"));
        Assert.Contains(api.Requests, r => r.Body == "{\"title\":\"note 4\"}");
    }

    [Fact]
    public async Task Uuid_is_one_value_per_run_so_what_each_run_creates_is_unique_and_the_setup_has_its_own()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api, Journey.Replace("runs: 5", "runs: 3", StringComparison.Ordinal)
            .Replace("capture: { token: $.accessToken }", "capture: { token: $.accessToken }\n        headers: { X-Setup: \"{uuid}\" }", StringComparison.Ordinal)
            .Replace("note {run}", "note {uuid}", StringComparison.Ordinal).Replace("^note [0-9]+$", "^note [0-9a-f-]{36}$", StringComparison.Ordinal));

        Assert.Equal(CheckStatus.Pass, result.Status);
        var titles = api.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/notes").Select(r => r.Body).ToList();
        Assert.Equal(3, titles.Distinct().Count());
        Assert.All(titles, t => Assert.Matches("^\\{\"title\":\"note [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"\\}$", t));
        var setup = Assert.Single(api.Requests, r => r.PathAndQuery == "/auth/login").Headers["X-Setup"];
        Assert.Matches("^[0-9a-f-]{36}$", setup);
        Assert.DoesNotContain(titles, t => t.Contains(setup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_critical_journey_below_95_percent_fails_AG7001_with_the_first_failures_step_and_answer()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api, Journey.Replace("$.title: \"note {run}\"", "$.title: \"note 1\"", StringComparison.Ordinal));

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(20, result.Metrics.Single(m => m.Name == "journey_success_rate").Value);
        var finding = Assert.Single(result.Findings, f => f.Rule == JourneyRules.CriticalJourneyFailed);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("1 of 5 runs succeeded (20 %)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("first failure in run 2 at step 1 (POST /notes): $.title equals note 1 failed: found note 2", finding.Message, StringComparison.Ordinal);
        Assert.Contains("-> 201", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_setup_fails_AG7003_without_running_the_steps()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api, Journey.Replace("password: demo }", "password: nope }", StringComparison.Ordinal));

        Assert.Equal(JourneyRules.SetupFailed, Assert.Single(result.Findings).Rule);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery == "/notes");
    }

    [Fact]
    public async Task After_a_write_the_stored_row_is_compared_with_the_APIs_read_and_a_difference_fails_AG7010()
    {
        var journeys = """
            journeys:
              - name: add two notes
                runs: 1
                setup:
                  - request: POST /auth/login
                    json: { username: ann, password: demo }
                    capture: { token: accessToken }
                steps:
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: "note 1" }
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: "note 2" }
            """;
        using var api = new FakeShopApi();

        var result = await RunWithNotesTableAsync(api, "(1, 'note 1'), (2, 'edited behind the API')", journeys);

        var finding = Assert.Single(result.Findings, f => f.Severity > Severity.Info);
        Assert.Equal(JourneyRules.RowDiffers, finding.Rule);
        Assert.Equal("notes.id = 2", finding.Location);
        Assert.Contains("title is note 2 in the API, title is edited behind the API in notes", finding.Message, StringComparison.Ordinal);
        Assert.Equal(1 + 3, api.Requests.Count(r => r.Method == "GET")); // note 1 consistent at once; note 2 read again on each of three attempts
    }

    [Fact]
    public async Task A_note_created_then_updated_then_refused_a_stale_update_is_read_as_its_last_accepted_write()
    {
        // The journey's own update changes what the create sent, and the stale update it sends last is refused (412) as
        // it expects: the read after the run shows the update. Before, every write was compared with that read: AG7012
        // twice on a sound service ("'Dune's first' sent", "stale" sent).
        var journeys = """
            journeys:
              - name: add and edit a note
                runs: 1
                setup:
                  - request: POST /auth/login
                    json: { username: ann, password: demo }
                    capture: { token: accessToken }
                steps:
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: "Dune's first" }
                    capture: { note: $.id, etag: "header: ETag" }
                  - request: PUT /notes/{note}
                    headers: { Authorization: "Bearer {token}", If-Match: "{etag}" }
                    json: { title: "Dune's second" }
                  - request: PUT /notes/{note}
                    headers: { Authorization: "Bearer {token}", If-Match: "{etag}" }
                    json: { title: stale }
                    expect: { status: 412 }
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: gone soon }
                    capture: { gone: $.id }
                  - request: DELETE /notes/{gone}
                    headers: { Authorization: "Bearer {token}" }
            """;
        using var api = new FakeShopApi();

        var result = await RunWithNotesTableAsync(api, "(1, 'Dune''s second')", journeys);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var consistent = Assert.Single(result.Findings, f => f.Location == "consistency");
        Assert.Equal("after run 1's writes, the API's read and the stored row agree for /notes/1 (notes)", consistent.Message);
        Assert.Single(api.Requests, r => r.Method == "GET" && r.PathAndQuery == "/notes/1"); // read once, as the update left it
        Assert.DoesNotContain(api.Requests, r => r.Method == "GET" && r.PathAndQuery == "/notes/2"); // deleted by the journey
    }

    [Fact]
    public async Task A_sign_in_step_names_its_fields_as_the_services_contract_does()
    {
        // The contract's login takes email and password; the manifest's '- login: ann' fixed 'username' when it loaded,
        // and every journey's setup failed 400 (AG7003) though step 8's load signed in with the same step.
        using var api = new Fixtures.CookieSessionApi();
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, """
            journeys:
              - name: add a task
                runs: 1
                setup: [ { login: ann } ]
                steps:
                  - GET /me
                  - { request: POST /tasks, json: { title: x }, expect: { status: 201 } }
            """), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var login = Assert.Single(api.Requests, r => r.PathAndQuery == "/auth/login");
        Assert.Contains("\"email\":\"ann@example.test\"", login.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_step_of_an_identity_that_signs_in_at_another_component_goes_there()
    {
        using var auth = new FakeShopApi();
        using var api = new FakeShopApi(issuer: auth);
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.ManifestSigningInAt(auth, folder, extra: """
            journeys:
              - name: add a note
                service: api
                runs: 1
                setup: [ { login: ann } ]
                steps:
                  - { request: POST /notes, headers: { Authorization: "Bearer {token}" }, json: { title: x }, expect: { status: 201 } }
            """), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        Assert.Equal("""{"username":"ann","password":"demo"}""", Assert.Single(auth.Requests).Body);
        Assert.Equal(["POST /notes"], api.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
    }

    [Fact]
    public async Task A_captured_number_fills_a_json_string_that_is_only_that_variable_as_the_number()
    {
        // YAML's json: { parent: "{note}" } must quote the variable; the id was captured as a number and an API that
        // checks types refuses "1" where 1 goes. Inside a longer string it stays text.
        var journeys = """
            journeys:
              - name: a note and its child
                runs: 1
                setup:
                  - request: POST /auth/login
                    json: { username: ann, password: demo }
                    capture: { token: accessToken }
                steps:
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: parent }
                    capture: { note: $.id, title: $.title }
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { title: "child of {note}", parent: "{note}", parentTitle: "{title}" }
            """;
        var folder = AuthFlowCheckTests.Folder();
        using var api = new FakeShopApi();
        var system = TestSystems.Load(api.Manifest(folder, journeys), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new JourneyCheck(system.Journeys[0], new JourneyOptions(), system.Checks.Journeys).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var child = Assert.Single(api.Requests, r => r.PathAndQuery == "/notes" && r.Body.Contains("child", StringComparison.Ordinal));
        Assert.Equal("""{"title":"child of 1","parent":1,"parentTitle":"parent"}""", child.Body);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(1000, false)]
    public async Task A_read_with_expect_within_is_polled_until_its_expectations_hold_and_fails_with_the_last_answer_when_time_is_up(int activeFor, bool ok)
    {
        // ex11: a hold expires after its TTL; no step could wait for state that a timer (or a worker) changes later.
        var reads = 0;
        using var server = new ScriptedHttpServer(_ => new Reply(200, Interlocked.Increment(ref reads) <= activeFor ? """{"status":"active"}""" : """{"status":"expired"}"""));
        var step = new JourneyStep(new ScenarioRequest("GET", "/holds/1"), new JourneyExpectations
        {
            Json = [new JsonAssertion("$.status", JsonAssertionKind.Equals, "expired")],
            Within = TimeSpan.FromSeconds(ok ? 30 : 2),
        });
        using var http = new HttpClient();

        var run = await JourneyRunner.RunAsync(http, server.Url, [step], new Dictionary<string, string>(), CancellationToken.None);

        Assert.Equal(ok, run.Ok);
        if (ok)
        {
            Assert.Equal(activeFor + 1, reads);
        }
        else
        {
            Assert.InRange(reads, 2, 6); // 250 ms, 500 ms, 1 s between polls: the 2 s run out after a few
            Assert.StartsWith("$.status equals expired failed: found active (still, after ", run.Problem, StringComparison.Ordinal);
            Assert.Contains("expect.within 2 s)", run.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_read_without_within_is_judged_on_its_first_answer()
    {
        var reads = 0;
        using var server = new ScriptedHttpServer(_ => new Reply(200, Interlocked.Increment(ref reads) <= 1 ? """{"status":"active"}""" : """{"status":"expired"}"""));
        var step = new JourneyStep(new ScenarioRequest("GET", "/holds/1"), new JourneyExpectations { Json = [new JsonAssertion("$.status", JsonAssertionKind.Equals, "expired")] });
        using var http = new HttpClient();

        var run = await JourneyRunner.RunAsync(http, server.Url, [step], new Dictionary<string, string>(), CancellationToken.None);

        Assert.False(run.Ok);
        Assert.Equal(1, reads);
        Assert.Equal("$.status equals expired failed: found active", run.Problem);
    }

    [Theory]
    [InlineData("""{"seats":"2"}""", true, "$.seats equals 2 failed: found \"2\"")]
    [InlineData("""{"seats":2}""", true, null)]
    [InlineData("""{"seats":2.0}""", true, null)]
    [InlineData("""{"seats":"2"}""", false, null)]
    [InlineData("""{"seats":2}""", false, null)]
    public void An_unquoted_number_expected_wants_the_json_number_and_a_quoted_one_the_text(string body, bool unquoted, string? unmet)
    {
        // $.seats: 2 passed when the API answered "2" (contract drift a typed client breaks on); "2" quoted is text.
        var expect = new JourneyExpectations { Json = [new JsonAssertion("$.seats", JsonAssertionKind.Equals, "2") { Literal = unquoted }] };
        var answer = new Archgate.Checks.Frontend.ApiAnswer("GET", new Uri("http://127.0.0.1:9/b/1"), 200, new Dictionary<string, string>(), body, TimeSpan.Zero, null);

        Assert.Equal(unmet, JourneyRunner.Unmet(expect, answer, new Dictionary<string, string>()));
    }

    [Fact]
    public void A_variable_captured_from_a_number_is_expected_as_that_number()
    {
        var expect = new JourneyExpectations { Json = [new JsonAssertion("$.id", JsonAssertionKind.Equals, "{book}")] };
        var variables = new Dictionary<string, string>();
        Archgate.Checks.Http.TemplateVariables.Capture(variables, "book", "12", "12");
        Archgate.Checks.Frontend.ApiAnswer Answer(string body) => new("GET", new Uri("http://127.0.0.1:9/b/12"), 200, new Dictionary<string, string>(), body, TimeSpan.Zero, null);

        Assert.Null(JourneyRunner.Unmet(expect, Answer("""{"id":12}"""), variables));
        Assert.Equal("$.id equals 12 failed: found \"12\"", JourneyRunner.Unmet(expect, Answer("""{"id":"12"}"""), variables));
    }

    [Fact]
    public void A_difference_names_the_values_as_a_person_reads_them()
    {
        Assert.Equal("$.title is \"Dune's second\", \"Dune's first\" sent",
            Archgate.Checks.Frontend.JsonSubset.Difference(System.Text.Json.Nodes.JsonNode.Parse("""{"title":"Dune's first"}"""), System.Text.Json.Nodes.JsonNode.Parse("""{"title":"Dune's second"}""")));
    }

    [Theory]
    [InlineData(BrowserEngine.Chromium, "chromium")]
    [InlineData(BrowserEngine.Firefox, "firefox")]
    [InlineData(BrowserEngine.Webkit, "webkit")]
    public async Task An_engine_whose_program_is_missing_is_not_evaluated_AG7004_never_passed(BrowserEngine engine, string name)
    {
        const string journeys = """
            journeys:
              - name: open the page
                critical: true
                runs: 1
                steps:
                  - goto: /
                  - expect text: hello
            """;
        var folder = AuthFlowCheckTests.Folder();
        using var api = new FakeShopApi();
        var system = TestSystems.Load(api.Manifest(folder, journeys), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var missing = Path.Combine(folder, "no-such-browser", name);
        var options = new JourneyOptions { Engines = [engine], BrowserPrograms = new Dictionary<BrowserEngine, string> { [engine] = missing } };
        var check = Assert.Single(JourneyCheck.For(system.Journeys[0], options, system.Checks.Journeys));
        Assert.Equal($"journeys.run:open the page@{name}", check.Id);

        var result = await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Error, result.Status); // its criterion is not evaluated
        Assert.StartsWith($"{engine} is not installed: ", result.Reason, StringComparison.Ordinal);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.BrowserNotEvaluated, Severity.Info), (finding.Rule, finding.Severity));
        Assert.Contains("not installed", finding.Message, StringComparison.Ordinal);
        Assert.Contains("archgate doctor --install", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Metrics, m => m.Name == "journey_success_rate");
        Assert.Empty(api.Requests); // nothing ran
    }
}
