using System.Net;
using Archgate.Checks.Frontend;
using Archgate.Checks.Journeys;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Which item of a <c>resources</c> mapping a journey's write names, for one-level and nested item paths.</summary>
public sealed class ConsistencyProbeTests
{
    private static readonly ResourceMapping Claims = new("/claims/{id}", "db", "claims", "id");
    private static readonly ResourceMapping Items = new("/claims/{id}/items/{itemId}", "db", "claim_items", "id");

    private static JourneyWrite Write(string method, string path, int status, string body = "{}", string? location = null) =>
        new(method, path, [], "{}", new ApiAnswer(method, new Uri($"http://127.0.0.1:1{path}"), status,
            location is null ? new Dictionary<string, string>() : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = location },
            body, TimeSpan.Zero, null));

    [Fact]
    public void A_nested_create_names_its_item_by_location_and_the_last_parameter_is_the_key()
    {
        var write = Write("POST", "/claims/11/items", 201, location: "/claims/11/items/12");

        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, write));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, write));
    }

    [Fact]
    public void A_nested_create_without_location_names_its_item_by_the_id_in_its_answer()
    {
        var write = Write("POST", "/claims/11/items", 201, """{"id":12,"description":"Hotel"}""");

        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, write));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, write));
    }

    [Fact]
    public void A_nested_update_names_its_item_by_its_own_path_and_a_one_level_path_still_matches()
    {
        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, Write("PATCH", "/claims/11/items/12?x=1", 200)));
        Assert.Equal(("/claims/11", "11"), ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims", 201, """{"id":11}""")));
        Assert.Equal(("/claims/11", "11"), ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims", 201, location: "http://127.0.0.1:1/claims/11")));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims/11/submit", 200)));
    }

    [Fact]
    public void A_path_not_ending_in_a_parameter_is_said_to_be_unusable()
    {
        Assert.Null(ConsistencyProbe.Unusable(Items));
        Assert.Contains("does not end in a parameter", ConsistencyProbe.Unusable(new ResourceMapping("/claims/{id}/summary", "db", "s", "id")), StringComparison.Ordinal);
    }

    private static readonly ResourceMapping DrfOrders = new("/api/orders/{id}/", "db", "orders", "id");

    [Fact]
    public void A_template_with_a_trailing_slash_names_its_items_with_one_by_location_path_or_id()
    {
        Assert.Null(ConsistencyProbe.Unusable(DrfOrders));
        Assert.Equal(("/api/orders/62/", "62"), ConsistencyProbe.ItemPath(DrfOrders, Write("POST", "/api/orders/", 201, location: "http://127.0.0.1:1/api/orders/62/")));
        Assert.Equal(("/api/orders/62/", "62"), ConsistencyProbe.ItemPath(DrfOrders, Write("POST", "/api/orders/", 201, """{"id":62}""")));
        Assert.Equal(("/api/orders/62/", "62"), ConsistencyProbe.ItemPath(DrfOrders, Write("PATCH", "/api/orders/62/", 200)));
        Assert.Null(ConsistencyProbe.ItemPath(DrfOrders, Write("POST", "/api/orders/62/cancel/", 200)));
    }

    /// <summary>Answers as Django with APPEND_SLASH: <c>/api/orders/62</c> is redirected (301), <c>/api/orders/62/</c> is the order.</summary>
    private sealed class AppendSlashHandler : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            Paths.Add(path);
            return Task.FromResult(path.EndsWith('/')
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"id":62,"kit":3,"status":"placed"}""", System.Text.Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.MovedPermanently) { Headers = { Location = new Uri(path + "/", UriKind.Relative) } });
        }
    }

    [Fact]
    public async Task The_read_after_a_write_keeps_the_mappings_trailing_slash_so_Django_answers_the_order_not_a_redirect()
    {
        using var handler = new AppendSlashHandler();
        using var http = new HttpClient(handler);
        var service = new ServiceComponent { Name = "kitchen-api", Url = new Uri("http://127.0.0.1:1/"), Resources = [DrfOrders], Location = new SourceLocation("archgate.yaml", 1, 1) };
        var system = new SystemModel { Name = "pantry", Components = [service], ManifestPath = "archgate.yaml", ManifestSha256 = "0" };
        var write = new JourneyWrite("POST", "/api/orders/", [], """{"kit":3}""", new ApiAnswer("POST", new Uri("http://127.0.0.1:1/api/orders/"), 201,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = "/api/orders/62/" }, """{"id":62,"kit":3}""", TimeSpan.Zero, null));

        var (item, findings) = await ConsistencyProbe.CheckAsync(system, service, write, http, TimeProvider.System, CancellationToken.None);

        Assert.Equal("/api/orders/62/ (orders)", item);
        Assert.Equal(["/api/orders/62/"], handler.Paths);
        Assert.Empty(findings);
    }

    [Fact]
    public async Task A_read_the_api_redirects_to_the_slash_form_names_the_redirect_and_the_path_to_write()
    {
        // ex16: a mapping written /api/orders/{id} read /api/orders/62, which Django answers 301; AG7013 said "answered 301".
        using var handler = new AppendSlashHandler();
        using var http = new HttpClient(handler);
        var mapping = new ResourceMapping("/api/orders/{id}", "db", "orders", "id");
        var service = new ServiceComponent { Name = "kitchen-api", Url = new Uri("http://127.0.0.1:1/"), Resources = [mapping], Location = new SourceLocation("archgate.yaml", 1, 1) };
        var system = new SystemModel { Name = "pantry", Components = [service], ManifestPath = "archgate.yaml", ManifestSha256 = "0" };
        var write = new JourneyWrite("POST", "/api/orders", [], """{"kit":3}""", new ApiAnswer("POST", new Uri("http://127.0.0.1:1/api/orders"), 201,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), """{"id":62,"kit":3}""", TimeSpan.Zero, null));

        var (_, findings) = await ConsistencyProbe.CheckAsync(system, service, write, http, TimeProvider.System, CancellationToken.None);

        var finding = Assert.Single(findings);
        Assert.Equal(JourneyRules.ConsistencyNotChecked, finding.Rule);
        Assert.Contains("the API's read of /api/orders/62 answered 301, a redirect to /api/orders/62/ with", finding.Message, StringComparison.Ordinal);
        Assert.Equal("the API serves its items at /api/orders/62/: write the resources path as /api/orders/{id}/", finding.Hint);
    }
}
