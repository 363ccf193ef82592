using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Walking a list's pages as a frontend that scrolls does: each item once, none skipped.</summary>
public sealed class PaginationCheckTests
{
    /// <summary>How a <see cref="PagedApi"/> hands out its next page, and what it gets wrong.</summary>
    public enum Paging
    {
        /// <summary><c>next</c> in the body, sent back as <c>cursor</c>: the last item's id.</summary>
        Cursor,

        /// <summary>As <see cref="Cursor"/>, but one past the last item (ex10's inventory-api): one item a page skipped.</summary>
        CursorOnePast,

        /// <summary><c>offset</c> moved on by the caller; the API answers the right slice.</summary>
        Offset,

        /// <summary>A <c>Link: rel="next"</c> header whose offset moves on one short: the last item of each page comes again.</summary>
        LinkOneShort,

        /// <summary>A plain <c>limit</c>: no way to a next page.</summary>
        LimitOnly,
    }

    private const string Contract = """
        openapi: 3.1.0
        info: { title: items, version: 1.0.0 }
        paths:
          /items:
            get:
              parameters:
                - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 50 } }
                - { name: cursor, in: query, description: the next value of the previous page, schema: { type: string } }
                - { name: offset, in: query, schema: { type: integer, minimum: 0 } }
              responses:
                '200':
                  description: a page
                  content: { application/json: { schema: { type: object, properties: { items: { type: array, items: { type: object } }, next: { type: [string, 'null'] } } } } }
        """;

    /// <summary>Seven items, ids 1 to 7, listed in pages as <paramref name="paging"/> says.</summary>
    private sealed class PagedApi(Paging paging) : IDisposable
    {
        private readonly ScriptedHttpServer _server = new(r => Answer(paging, r));

        public Uri Url => _server.Url;

        public void Dispose() => _server.Dispose();

        private static Reply Answer(Paging paging, Received r)
        {
            var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + r.PathAndQuery).Query);
            var limit = int.TryParse(query["limit"], out var l) ? l : 20;
            var after = int.TryParse(query["cursor"], out var c) ? c : 0;
            var offset = int.TryParse(query["offset"], out var o) ? o : 0;
            var all = Enumerable.Range(1, 7).ToList();
            var rest = paging is Paging.Cursor or Paging.CursorOnePast ? all.Where(i => i > after).ToList() : all.Skip(offset).ToList();
            var page = rest.Take(limit).ToList();
            var more = rest.Count > limit;
            string? next = !more ? null : paging switch
            {
                Paging.Cursor => page[^1].ToString(System.Globalization.CultureInfo.InvariantCulture),
                Paging.CursorOnePast => (page[^1] + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };
            var headers = paging == Paging.LinkOneShort && more
                ? new Dictionary<string, string> { ["Link"] = $"</items?limit={limit}&offset={offset + page.Count - 1}>; rel=\"next\"" }
                : null;
            var body = new JsonObject
            {
                ["items"] = new JsonArray([.. page.Select(i => (JsonNode)new JsonObject { ["id"] = i, ["name"] = $"item {i}" })]),
                ["next"] = next,
            };
            return new Reply(200, body.ToJsonString(), Headers: headers);
        }
    }

    private static async Task<CheckResult> RunAsync(Paging paging, Func<string, string>? change = null)
    {
        using var api = new PagedApi(paging);
        var folder = AuthFlowCheckTests.Folder();
        var contract = paging == Paging.LimitOnly
            ? string.Join('\n', Contract.Split('\n').Where(line => !line.Contains("name: cursor", StringComparison.Ordinal) && !line.Contains("name: offset", StringComparison.Ordinal)))
            : Contract;
        contract = change?.Invoke(contract) ?? contract;
        File.WriteAllText(Path.Combine(folder, "items.yaml"), contract);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "{{api.Url.ToString().TrimEnd('/')}}", openapi: items.yaml }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new PaginationCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static string Dump(CheckResult result) => string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity}: {f.Message}\n{f.Evidence}"));

    [Fact]
    public async Task A_cursor_taken_from_the_last_item_yields_every_item_once()
    {
        var result = await RunAsync(Paging.Cursor);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.PaginationSummary, summary.Rule);
        Assert.Equal("GET /items: 4 page(s) of 2, each next one from the body's next cursor in 'cursor', yielded 7 item(s), each once, the same as the list read at once", summary.Message);
    }

    [Fact]
    public async Task A_cursor_one_past_the_last_item_skips_an_item_a_page_AG7060()
    {
        var result = await RunAsync(Paging.CursorOnePast);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var skipped = Assert.Single(result.Findings, f => f.Rule == JourneyRules.PageSkipsItems);
        Assert.Equal(Severity.High, skipped.Severity);
        Assert.EndsWith("never yielded 2 item(s) the list read at once has: 3, 6", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("GET /items?limit=2&cursor=3 -> 200: 2 item(s) (4, 5)", skipped.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_offset_moved_on_by_the_items_returned_yields_every_item_once()
    {
        // The body names no next page here: with a cursor parameter declared but no cursor handed out, the offset moves on.
        var result = await RunAsync(Paging.Offset);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        Assert.Contains("each next one from the offset or page number moved on by the caller", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_next_link_one_short_repeats_the_last_item_of_each_page_AG7061()
    {
        var result = await RunAsync(Paging.LinkOneShort);

        var repeated = Assert.Single(result.Findings, f => f.Rule == JourneyRules.PageRepeatsItems);
        Assert.Contains("each next one from the Link header's rel=next)", repeated.Message, StringComparison.Ordinal);
        Assert.Contains("2 on pages 1 and 2", repeated.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.PageSkipsItems);
    }

    [Fact]
    public async Task A_plain_limit_with_no_way_on_is_not_walked_and_not_blamed()
    {
        var result = await RunAsync(Paging.LimitOnly);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(Severity.Info, summary.Severity);
        Assert.StartsWith("GET /items: pages not walked: its first page of 2 named no next page", summary.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"next\":\"abc\"}", "abc")]
    [InlineData("{\"links\":{\"next\":\"/items?page=2\"}}", "/items?page=2")]
    [InlineData("{\"_links\":{\"next\":{\"href\":\"/items?page=3\"}}}", "/items?page=3")]
    [InlineData("{\"meta\":{\"next_cursor\":\"c2\"}}", "c2")]
    [InlineData("{\"next\":null}", null)]
    public void The_next_page_is_found_where_apis_put_it(string body, string? next) =>
        Assert.Equal(next, PaginationCheck.NextValue(JsonNode.Parse(body)));

    [Fact]
    public void A_link_header_names_its_next_page() =>
        Assert.Equal("/items?offset=4", PaginationCheck.LinkNext("</items?offset=0>; rel=\"prev\", </items?offset=4>; rel=\"next\""));
    [Fact]
    public async Task A_page_size_and_offset_declared_as_numbers_with_whole_bounds_are_walked_with_integers()
    {
        // @nestjs/swagger writes a TypeScript number as type: number: ex11's four paged lists were skipped, saying none took a page size.
        var result = await RunAsync(Paging.Offset, c => c
            .Replace("{ type: integer, minimum: 1, maximum: 50 }", "{ type: number, minimum: 1, maximum: 50, example: 20 }", StringComparison.Ordinal)
            .Replace("{ type: integer, minimum: 0 }", "{ type: number, minimum: 0 }", StringComparison.Ordinal));

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        Assert.Equal("GET /items: 4 page(s) of 2, each next one from the offset or page number moved on by the caller, yielded 7 item(s), each once, the same as the list read at once",
            Assert.Single(result.Findings).Message);
    }

    [Fact]
    public async Task A_list_whose_page_size_is_no_whole_number_is_skipped_saying_so()
    {
        var fractional = await RunAsync(Paging.Offset, c => c.Replace("{ type: integer, minimum: 1, maximum: 50 }", "{ type: number, minimum: 0.5 }", StringComparison.Ordinal));
        var text = await RunAsync(Paging.Offset, c => c.Replace("{ type: integer, minimum: 1, maximum: 50 }", "{ type: string }", StringComparison.Ordinal));

        Assert.Equal(CheckStatus.Skipped, fractional.Status);
        Assert.EndsWith("that takes a page size it can send: GET /items: 'limit' is a number with a fractional minimum (0.5), not a whole number", fractional.Reason, StringComparison.Ordinal);
        Assert.EndsWith("GET /items: 'limit' is of type string, not a whole number", text.Reason, StringComparison.Ordinal);
    }
}
