using Archgate.Checks.Contracts;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class CrudCheckTests
{
    /// <summary>An admin of the top-level auth section, who signs in at the api.</summary>
    private const string Ada = "auth:\n  ada: { login: POST /auth/login, user: ada, password: demo, roles: [Admin] }\n";

    private static async Task<CheckResult> RunAsync(FakeShopApi api, string extra = "", string? contract = null)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, extra, contract: contract), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new CrudCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_resource_found_in_the_contract_goes_through_create_read_update_stale_412_delete_and_404()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.CrudSummary, summary.Rule);
        Assert.Contains("created /notes/", summary.Message, StringComparison.Ordinal);
        var calls = api.Requests.Where(r => !r.PathAndQuery.StartsWith("/auth", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.PathAndQuery.Split('/')[1]}").ToList();
        Assert.Equal(["POST notes", "GET notes", "GET notes", "PUT notes", "GET notes", "PUT notes", "GET notes", "DELETE notes", "GET notes"], calls);
        Assert.Equal("\"1\"", api.Requests.Single(r => r.Headers.ContainsKey("If-None-Match")).Headers["If-None-Match"]); // the conditional read
        Assert.Equal("{\"title\":\"first\",\"tags\":[\"a\",\"b\"]}", api.Requests.First(r => r.Method == "POST" && r.PathAndQuery == "/notes").Body);
    }

    [Theory]
    [InlineData("security: { adminOnly: [\"POST /notes\"] }", false)]
    [InlineData("", true)]
    public async Task A_resource_whose_create_is_admin_only_runs_as_the_identity_with_an_admin_role(string security, bool xRoles)
    {
        using var api = new FakeShopApi(new FakeApiFaults { AdminCreatesNotes = true });
        var contract = xRoles ? FakeShopApi.Contract.Replace("    post:\n      requestBody:\n        required: true", "    post:\n      x-roles: [admin]\n      requestBody:\n        required: true", StringComparison.Ordinal) : null;
        Assert.NotEqual(FakeShopApi.Contract, contract ?? "");
        Assert.True(!xRoles || contract!.Contains("x-roles", StringComparison.Ordinal));

        var result = await RunAsync(api, Ada + security, contract);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Location} {f.Message}")));
        var summary = Assert.Single(result.Findings);
        Assert.StartsWith("/notes: as ada (POST /notes is admin-only), created /notes/", summary.Message, StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r.PathAndQuery == "/auth/login" && r.Body.Contains("\"ada\"", StringComparison.Ordinal));
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "crud_resources_passed").Value);
    }

    [Fact]
    public async Task Without_an_admin_identity_an_admin_only_resource_is_left_out_with_an_info_finding_and_not_passed()
    {
        using var api = new FakeShopApi(new FakeApiFaults { AdminCreatesNotes = true });

        var result = await RunAsync(api, "security: { adminOnly: [\"post /notes\", \"/admin/**\"] }");

        Assert.Equal(CheckStatus.Skipped, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.CrudSummary, Severity.Info, "/notes"), (finding.Rule, finding.Severity, finding.Location));
        Assert.Equal("POST /notes is admin-only and no identity has roles: [admin]: not tried", finding.Message);
        Assert.Contains("roles: [admin]", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery.StartsWith("/notes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_resource_restricted_to_a_role_below_admin_runs_as_the_identity_that_holds_it_not_the_admin()
    {
        // ex14: POST /rooms for [staff], sam has roles: [staff]; the admin ada is not staff and is refused 403.
        using var api = new FakeShopApi(new FakeApiFaults { AdminCreatesNotes = true, NoteCreator = "sam" });
        var auth = Ada + "  sam: { login: POST /auth/login, user: sam, password: demo, roles: [staff] }\n";

        var result = await RunAsync(api, auth + "security: { roles: { \"POST /notes\": [Staff] } }");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Location} {f.Message}")));
        Assert.StartsWith("/notes: as sam (POST /notes is restricted to [Staff]), created /notes/", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery == "/auth/login" && r.Body.Contains("\"ada\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_identity_of_the_role_a_restricted_resource_is_left_out_naming_the_manifests_roles()
    {
        using var api = new FakeShopApi(new FakeApiFaults { AdminCreatesNotes = true, NoteCreator = "sam" });

        var result = await RunAsync(api, Ada + "security: { roles: { \"POST /notes\": [staff] } }");

        Assert.Equal(CheckStatus.Skipped, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("POST /notes is restricted to [staff] and no identity has one of those roles: not tried", finding.Message);
        Assert.StartsWith("declare an identity with roles: [staff] in the top-level auth section", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery.StartsWith("/notes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conditional_read_answers_304_to_the_current_ETag_and_200_to_the_one_from_before_the_update()
    {
        using var api = new FakeShopApi(new FakeApiFaults { ConditionalReads = true });

        var result = await RunAsync(api, contract: FakeShopApi.ConditionalContract);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var conditional = api.Requests.Where(r => r.Headers.ContainsKey("If-None-Match")).Select(r => r.Headers["If-None-Match"]).ToList();
        Assert.Equal(["\"1\"", "\"1\""], conditional); // the current ETag, then the same once the update made it old
    }

    [Fact]
    public async Task A_304_to_the_ETag_from_before_the_update_is_AG5017_high_a_stale_copy()
    {
        using var api = new FakeShopApi(new FakeApiFaults { StaleNotModified = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.StaleNotModified);
        Assert.Equal((Severity.High, "GET /notes/{id}"), (finding.Severity, finding.Location));
        Assert.StartsWith("a read with If-None-Match \"1\", the ETag from before the update, answered 304 Not Modified", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_that_ignores_If_None_Match_where_the_contract_documents_304_is_AG5016_medium()
    {
        using var api = new FakeShopApi();

        var documented = await RunAsync(api, contract: FakeShopApi.ConditionalContract);
        var undocumented = await RunAsync(api);

        var finding = Assert.Single(documented.Findings, f => f.Rule == FrontendRules.NoConditionalRead);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Contains("answered 200, not the 304 the contract documents", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(undocumented.Findings, f => f.Rule == FrontendRules.NoConditionalRead);
    }

    [Fact]
    public async Task A_resource_that_moved_on_after_the_read_is_read_again_with_its_new_ETag_not_AG5016()
    {
        // The shop's order: its payment worker changes it between the read and the conditional read ("1" then "2").
        using var api = new FakeShopApi(new FakeApiFaults { ConditionalReads = true, MovesOnBeforeConditionalRead = true });

        var result = await RunAsync(api, contract: FakeShopApi.ConditionalContract);

        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.NoConditionalRead);
    }

    [Fact]
    public async Task An_api_that_ignores_If_Match_fails_AG5013_naming_the_stale_ETag()
    {
        using var api = new FakeShopApi(new FakeApiFaults { IgnoresIfMatch = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.StaleNotRefused);
        Assert.Contains("\"1\"", finding.Message, StringComparison.Ordinal);
        Assert.Contains("answered 200, not 412", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_the_contract_takes_as_a_merge_patch_only_is_sent_as_one()
    {
        // ex10: PATCH /items/{id} declared application/merge-patch+json alone; CRUD sent application/json and met 415 (AG5012 high).
        using var api = new FakeShopApi(new FakeApiFaults { MergePatchUpdates = true });

        var result = await RunAsync(api, contract: FakeShopApi.MergePatchContract);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.All(api.Requests.Where(r => r.Method == "PUT"), r => Assert.StartsWith("application/merge-patch+json", r.Headers["Content-Type"], StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.CrudSummary && f.Message.Contains("read back, updated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_update_is_not_summed_up_as_updated()
    {
        using var api = new FakeShopApi(new FakeApiFaults { MergePatchUpdates = true });

        var result = await RunAsync(api); // the contract says application/json: the 415 is the API's

        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.UpdateFailed && f.Message.Contains("answered 415", StringComparison.Ordinal));
        var summary = Assert.Single(result.Findings, f => f.Rule == FrontendRules.CrudSummary);
        Assert.Contains("read back, the update answered 415", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delete_that_keeps_the_resource_fails_AG5014()
    {
        using var api = new FakeShopApi(new FakeApiFaults { DeleteKeeps = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains("the read answered 200, not 404", Assert.Single(result.Findings, f => f.Rule == FrontendRules.DeleteFailed).Message, StringComparison.Ordinal);
    }

    /// <summary>A book that exists from the start (book 1), whose ISBN the contract's update example names.</summary>
    internal const string BookOne = "{\"id\":0,\"isbn\":\"978-0-00-000001-1\",\"title\":\"book one\"}";

    /// <summary>Books keep their ISBN unique and exactly 17 characters long.</summary>
    internal static readonly FakeApiFaults BookRules = new() { Seed = BookOne, Unique = ["isbn"], Lengths = new Dictionary<string, (int, int)> { ["isbn"] = (17, 17) } };

    [Fact]
    public async Task An_update_example_naming_another_books_unique_ISBN_is_applied_to_the_created_book_keeping_its_own_ISBN()
    {
        // The PUT example (book 1's ISBN) was sent as it is to the created book: 409 "a note with this isbn exists",
        // and the retry changed only the title, so AG5012 high on a correct API.
        using var api = new FakeShopApi(BookRules);
        var contract = FakeShopApi.BookContract("{ isbn: 978-0-00-000002-2, title: first }", "{ isbn: 978-0-00-000001-1, title: second }");

        var result = await RunAsync(api, contract: contract);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        var put = System.Text.Json.Nodes.JsonNode.Parse(api.Requests.First(r => r.Method == "PUT").Body)!;
        Assert.Equal(("978-0-00-000002-2", "second"), (put["isbn"]!.GetValue<string>(), put["title"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_update_that_fails_shows_the_body_it_sent_AG5012()
    {
        using var api = new FakeShopApi(new FakeApiFaults { RefusesEveryUpdate = true });

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.UpdateFailed);
        Assert.Contains("sent: {\"title\":\"second\"}", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_whose_body_names_another_resource_names_one_the_check_created_first_and_deletes_it_after()
    {
        // ex11: POST /orders with the contract's {"holdId": 1} and POST /holds with {"seatId": 5} named what an earlier
        // run had ordered and held, and were refused 409 (AG5010 high on a correct system).
        using var api = new FakeTicketApi();
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new CrudCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} {f.Message} {f.Evidence}")));
        var orders = Assert.Single(result.Findings, f => f.Location == "/orders");
        Assert.Matches(@"^/orders: created /orders/\d+ \(holdId = \d+, the hold this check created\), read back", orders.Message);
        var order = api.Server.Requests.Last(r => r.Method == "POST" && r.PathAndQuery == "/orders");
        var hold = api.Server.Requests.Last(r => r.Method == "POST" && r.PathAndQuery == "/holds");
        Assert.DoesNotContain("\"holdId\":1,", order.Body, StringComparison.Ordinal);
        Assert.Contains("\"note\":\"gift\"", order.Body, StringComparison.Ordinal); // the rest of the example is kept
        Assert.DoesNotContain("\"seatId\":5}", hold.Body, StringComparison.Ordinal);
        // Everything the check made is gone, the order before its hold before its seat; what was there before is kept.
        Assert.Equal([5L], api.Ids("seats"));
        Assert.Equal([1L], api.Ids("holds"));
        Assert.Equal([1L], api.Ids("orders"));
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery is "/seats/5" or "/holds/1" or "/orders/1");
    }

    [Fact]
    public async Task A_create_whose_referenced_resource_cannot_be_created_says_so_at_low_severity()
    {
        using var api = new FakeTicketApi();
        var folder = AuthFlowCheckTests.Folder();
        // The seats' create takes no row the example can give: no seat, so no fresh hold can be made for an order.
        var contract = FakeTicketApi.Contract.Replace("example: { row: 3 }", "example: { row: 99 }", StringComparison.Ordinal);
        Assert.NotEqual(FakeTicketApi.Contract, contract);
        await File.WriteAllTextAsync(Path.Combine(folder, "t2.yaml"), contract);
        var system = TestSystems.Load(api.Manifest(folder).Replace("openapi: tickets.yaml", "openapi: t2.yaml", StringComparison.Ordinal), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new CrudCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var holds = Assert.Single(result.Findings, f => f.Rule == FrontendRules.CreateFailed && f.Location == "POST /holds");
        Assert.Equal(Severity.Low, holds.Severity);
        Assert.StartsWith("POST /holds answered 409 with seatId 5 from the contract's example: no seat could be created to reference (POST /seats answered 400)", holds.Message, StringComparison.Ordinal);
        var seats = Assert.Single(result.Findings, f => f.Rule == FrontendRules.CreateFailed && f.Location == "POST /seats");
        Assert.Equal(Severity.High, seats.Severity); // the create that fails on its own example is the one blamed
    }
}
