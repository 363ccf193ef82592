using System.Globalization;
using System.Text;
using Archgate.Checks.Browser;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>
/// Step 7's browser consistency and recovery in Chromium, against a small page and API on free loopback ports over a
/// SQLite table: the page that lists things is reloaded after the journey's write (and after the same write through the
/// API), and a journey cut by a network failure at its click must be completed by a retry or a reload.
/// </summary>
public sealed class BrowserConsistencyTests : IDisposable
{
    // The add page: a click posts a thing; a failed call says so, and under 'stuck' the page stays broken, even reloaded.
    private const string Add = """
        <!doctype html><html><head><title>Add</title><link rel="icon" href="data:,"></head><body>
        <button id="add">Add</button><p id="added"></p><p id="error" role="alert"></p>
        <script>
          const stuck = location.pathname.endsWith('-stuck'), broken = location.pathname.endsWith('-broken');
          if (stuck && sessionStorage.getItem('broken')) { document.getElementById('add').disabled = true; document.getElementById('error').textContent = 'Something went wrong.'; }
          document.getElementById('add').onclick = async () => {
            try {
              const r = await fetch('API/things', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'mug' }) });
              const t = await r.json();
              document.getElementById('added').textContent = (broken ? 'oops #' : 'added #') + t.id;
            } catch (e) {
              document.getElementById('error').textContent = 'The shop cannot be reached.';
              if (stuck) { sessionStorage.setItem('broken', '1'); document.getElementById('add').disabled = true; }
            }
          };
        </script></body></html>
        """;

    // The form page: a thing is added under the name typed in; a failed call disables the button until the page is reloaded.
    private const string Form = """
        <!doctype html><html><head><title>Add</title><link rel="icon" href="data:,"></head><body>
        <input id="name"><button id="add">Add</button><p id="added"></p><p id="error" role="alert"></p>
        <script>
          document.getElementById('add').onclick = async () => {
            const name = document.getElementById('name').value;
            if (!name) { document.getElementById('error').textContent = 'Give it a name.'; return; }
            try {
              const r = await fetch('API/things', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
              document.getElementById('added').textContent = 'added ' + (await r.json()).name;
            } catch (e) {
              document.getElementById('error').textContent = 'The shop cannot be reached.';
              document.getElementById('add').disabled = true;
            }
          };
        </script></body></html>
        """;

    // The list page: each thing a row with its status; under 'stale' the list of the first load is kept and shown again.
    private const string List = """
        <!doctype html><html><head><title>Things</title><link rel="icon" href="data:,"></head><body><table id="things"></table>
        <script>
          (async () => {
            const stale = location.pathname.endsWith('-stale');
            const kept = stale ? sessionStorage.getItem('things') : null;
            const body = kept ? JSON.parse(kept) : await (await fetch('API/things')).json();
            if (stale && !kept) sessionStorage.setItem('things', JSON.stringify(body));
            for (const t of body.items) {
              const row = document.createElement('tr'); row.dataset.thingId = t.id;
              row.innerHTML = '<td>#' + t.id + '</td><td class="status" data-status="' + t.status + '">' + t.status + '</td>';
              document.getElementById('things').append(row);
            }
          })();
        </script></body></html>
        """;

    private readonly string _folder = AuthFlowCheckTests.Folder();
    private readonly string _connection;
    private readonly LocalHttpServer _api;
    private readonly PageServer _web;

    public BrowserConsistencyTests()
    {
        _connection = $"Data Source={Path.Combine(_folder, "things.db")}";
        Execute("CREATE TABLE things (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, status TEXT)");
        _api = new LocalHttpServer(async context =>
        {
            var cors = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*", ["Access-Control-Allow-Headers"] = "*", ["Access-Control-Allow-Methods"] = "GET, POST", ["Access-Control-Expose-Headers"] = "Location" };
            var path = context.Request.Url!.AbsolutePath;
            string body;
            var status = 200;
            if (context.Request.HttpMethod == "OPTIONS")
            {
                (status, body) = (204, string.Empty);
            }
            else if (context.Request.HttpMethod == "POST")
            {
                var id = Execute("INSERT INTO things (name, status) VALUES ('mug', 'new'); SELECT last_insert_rowid();");
                (status, body) = (201, $$"""{"id":{{id}},"name":"mug","status":"new"}""");
                cors["Location"] = $"/things/{id}";
            }
            else if (path.StartsWith("/things/", StringComparison.Ordinal))
            {
                var id = long.Parse(path["/things/".Length..], CultureInfo.InvariantCulture);
                body = $$"""{"id":{{id}},"name":"mug","status":"new"}""";
            }
            else
            {
                var count = Execute("SELECT count(*) FROM things");
                body = $$"""{"items":[{{string.Join(",", Enumerable.Range(1, (int)count).Select(i => $$"""{"id":{{i}},"status":"new"}"""))}}]}""";
            }

            await LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(body), "application/json", cors);
        }, concurrent: true);
        var api = _api.Url.ToString().TrimEnd('/');
        _web = new PageServer(new Dictionary<string, string>
        {
            ["/add"] = Add.Replace("API", api, StringComparison.Ordinal),
            ["/add-stuck"] = Add.Replace("API", api, StringComparison.Ordinal),
            ["/add-broken"] = Add.Replace("API", api, StringComparison.Ordinal),
            ["/form"] = Form.Replace("API", api, StringComparison.Ordinal),
            ["/things"] = List.Replace("API", api, StringComparison.Ordinal),
            ["/things-stale"] = List.Replace("API", api, StringComparison.Ordinal),
        });
    }

    private long Execute(string sql)
    {
        using var connection = new SqliteConnection(_connection);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private SystemModel System(string addPage, string listPage, string? steps = null) => TestSystems.Load($$"""
        version: 1
        system: { name: things }
        components:
          - { name: db, kind: database, connection: "{{_connection}}" }
          - name: api
            kind: service
            url: "{{_api.Url.ToString().TrimEnd('/')}}"
            dependsOn: [db]
            resources:
              "/things/{id}": { database: db, table: things, page: { path: {{listPage}}, item: "tr[data-thing-id='{id}']", show: [status] } }
          - { name: web, kind: frontend, url: "{{_web.Url.ToString().TrimEnd('/')}}", dependsOn: [api] }
        journeys:
          - name: add a thing
            browsers: [chromium]
            steps:
        {{steps ?? Clicks(addPage)}}
        """, _folder);

    private static string Clicks(string addPage) => string.Join("\n", [
        $"              - goto: {addPage}",
        "              - click: \"#add\"",
        "              - wait for response: { request: POST /things, status: 201 }",
        "              - expect text: { \"#added\": added }",
    ]);

    private async Task<CheckResult> RunAsync(ICheck check, SystemModel system)
    {
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await check.RunAsync(TestSystems.Context(system, http) with { OutputDirectory = _folder }, cancel.Token);
    }

    private static string Describe(CheckResult result) => string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")) + result.Reason;

    private static readonly JourneyOptions Options = new() { Engines = [BrowserEngine.Chromium] };

    private static readonly JourneyCheckOptions Settings = new() { BrowserStepTimeout = TimeSpan.FromSeconds(4) };

    [Fact]
    public async Task The_list_page_reloaded_shows_the_pages_write_and_the_same_write_through_the_API()
    {
        var system = System("/add", "/things");

        var result = await RunAsync(JourneyCheck.For(system.Journeys[0], Options, Settings).Single(), system);

        Assert.True(result.Status == CheckStatus.Pass, Describe(result));
        var seen = result.Findings.Where(f => f.Rule == JourneyRules.PageSummary).Select(f => f.Message).ToList();
        Assert.Equal(2, seen.Count);
        Assert.Contains("after the journey's POST /things, /things reloaded shows /things/1 as the API reads it (status new)", seen[0], StringComparison.Ordinal);
        Assert.Contains("after the same POST /things sent again through the API, /things reloaded shows /things/2 as the API reads it (status new)", seen[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_page_that_keeps_its_first_load_fails_AG7040_with_the_row_and_a_screenshot()
    {
        var system = System("/add", "/things-stale");

        var result = await RunAsync(JourneyCheck.For(system.Journeys[0], Options, Settings).Single(), system);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var missing = Assert.Single(result.Findings, f => f.Rule == JourneyRules.PageMissing);
        Assert.Contains("after the same POST /things sent again through the API, /things-stale reloaded does not show /things/2 within 4 s: nothing matches tr[data-thing-id='2']", missing.Message, StringComparison.Ordinal);
        Assert.Contains("row of things: id=2, name=mug, status=new", missing.Evidence, StringComparison.Ordinal);
        var screenshot = missing.Evidence![(missing.Evidence!.IndexOf("screenshot ", StringComparison.Ordinal) + "screenshot ".Length)..];
        Assert.True(File.Exists(Path.Combine(_folder, screenshot)), screenshot);
    }

    [Fact]
    public async Task A_page_whose_click_failed_while_the_network_was_down_completes_the_journey_on_a_retry()
    {
        var system = System("/add", "/things");
        var check = new BrowserNetworkFailureCheck(system.Find<ServiceComponent>("api")!, Options, Settings);
        Assert.True(check.AppliesTo(system).Applies);

        var result = await RunAsync(check, system);

        Assert.True(result.Status == CheckStatus.Pass, Describe(result));
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.PageRecoverySummary, summary.Rule);
        Assert.Contains("the network went down at step 2 (click #add) (step 3 (wait for response POST /things (201)) failed: POST /things answered nothing (failed), expected 201); with it back, a retry from there completed the journey", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_stuck_in_its_error_state_even_after_a_reload_fails_AG7050_with_screenshots()
    {
        var system = System("/add-stuck", "/things");

        var result = await RunAsync(new BrowserNetworkFailureCheck(system.Find<ServiceComponent>("api")!, Options, Settings), system);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var stuck = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.PageNotRecovered, stuck.Rule);
        Assert.Contains("a retry from there failed at step 2 (click #add)", stuck.Message, StringComparison.Ordinal);
        Assert.Contains("after a reload, at step 2 (click #add)", stuck.Message, StringComparison.Ordinal);
        Assert.Contains("add-a-thing-chromium-network-down.png", stuck.Evidence, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "evidence", "browser", "journeys", "add-a-thing-chromium-reload.png")));
    }

    [Fact]
    public async Task A_page_that_fails_with_no_fault_too_is_not_blamed_for_not_recovering()
    {
        // The page says 'oops' where the journey expects 'added': it fails with the network up as well.
        var system = System("/add-broken", "/things");

        var result = await RunAsync(new BrowserNetworkFailureCheck(system.Find<ServiceComponent>("api")!, Options, Settings), system);

        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.PageNotRecovered);
        var summary = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.PageRecoverySummary, Severity.Info), (summary.Rule, summary.Severity));
        Assert.Contains("recovery after a network failure at step 2 (click #add) of 'add a thing' not determined: the journey fails with no fault too, at step 4 (expect text", summary.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "evidence", "browser", "journeys", "add-a-thing-no-fault.png")));
    }

    [Fact]
    public async Task After_a_reload_the_form_the_user_was_filling_in_is_filled_again()
    {
        // The failed call disables the button until a reload, and a reload empties the name field.
        var system = System("/form", "/things", """
                      - goto: /form
                      - fill: { "#name": mug }
                      - click: "#add"
                      - wait for response: { request: POST /things, status: 201 }
                      - expect text: { "#added": added mug }
            """);

        var result = await RunAsync(new BrowserNetworkFailureCheck(system.Find<ServiceComponent>("api")!, Options, Settings), system);

        Assert.True(result.Status == CheckStatus.Pass, Describe(result));
        var summary = Assert.Single(result.Findings);
        Assert.Contains("the network went down at step 3 (click #add)", summary.Message, StringComparison.Ordinal);
        Assert.Contains("a reload and a retry completed the journey", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fills_since_the_last_click_or_goto_before_the_cut_are_what_a_reload_empties()
    {
        var steps = TestSystems.Load("""
            version: 1
            system: { name: s }
            components: [ { name: api, kind: service, url: "http://127.0.0.1:1" }, { name: web, kind: frontend, url: "http://127.0.0.1:2", dependsOn: [api] } ]
            journeys:
              - name: j
                steps:
                  - goto: /
                  - fill: { "#user": ann }
                  - click: "#login"
                  - fill: { "#title": a }
                  - fill: { "#text": b }
                  - expect visible: "#save"
                  - click: "#save"
            """, _folder).Journeys[0].Steps;

        Assert.Equal(["#title", "#text"], BrowserNetworkFailureCheck.FillsBefore(steps, 6).Select(s => s.Browser!.Target));
        Assert.Equal(["#user"], BrowserNetworkFailureCheck.FillsBefore(steps, 2).Select(s => s.Browser!.Target));
        Assert.Empty(BrowserNetworkFailureCheck.FillsBefore(steps, 3));
    }

    public void Dispose()
    {
        _web.Dispose();
        _api.Dispose();
    }
}
