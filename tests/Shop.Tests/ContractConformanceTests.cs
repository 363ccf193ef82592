using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>Real responses of the clean api match contracts/shop-api.yaml.</summary>
[Collection(CleanShopCollection.Name)]
public sealed class ContractConformanceTests(CleanShopFixture shop)
{
    private static readonly ContractValidator Contract = ContractValidator.Load(ShopPaths.Contract);

    private static async Task<IReadOnlyList<string>> CheckAsync(string method, string path, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? null : JsonNode.Parse(text);
        return Contract.Check(method, path, response, body);
    }

    [Fact]
    public async Task The_main_operations_answer_as_the_contract_says()
    {
        var errors = new List<string>();
        using var anon = ShopClient.For(shop.Api.Url);
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        using var ada = await ShopClient.SignedInAsync(shop.Api.Url, "ada");

        async Task Expect(string method, string template, HttpStatusCode status, Func<Task<HttpResponseMessage>> send)
        {
            using var response = await send();
            if (response.StatusCode != status)
            {
                errors.Add($"{method} {template}: expected {(int)status}, got {(int)response.StatusCode}");
            }

            errors.AddRange(await CheckAsync(method, template, response));
        }

        await Expect("get", "/health/live", HttpStatusCode.OK, () => anon.GetAsync("/health/live"));
        await Expect("get", "/health/ready", HttpStatusCode.OK, () => anon.GetAsync("/health/ready"));
        await Expect("post", "/auth/login", HttpStatusCode.OK, () => anon.PostAsJsonAsync("/auth/login", new { username = "ann", password = "demo" }));
        await Expect("post", "/auth/login", HttpStatusCode.Unauthorized, () => anon.PostAsJsonAsync("/auth/login", new { username = "ann", password = "nope" }));
        await Expect("post", "/auth/login", HttpStatusCode.BadRequest, () => anon.PostAsJsonAsync("/auth/login", new { username = "" }));
        await Expect("post", "/auth/login", HttpStatusCode.BadRequest,
            () => anon.PostAsync("/auth/login", new StringContent("{\"username\":", Encoding.UTF8, "application/json")));
        await Expect("get", "/auth/me", HttpStatusCode.OK, () => ann.GetAsync("/auth/me"));
        await Expect("get", "/products", HttpStatusCode.OK, () => anon.GetAsync("/products?search=mug"));
        await Expect("get", "/products", HttpStatusCode.BadRequest, () => anon.GetAsync("/products?limit=1000"));
        await Expect("get", "/products/{id}", HttpStatusCode.OK, () => anon.GetAsync("/products/1"));
        await Expect("get", "/products/{id}", HttpStatusCode.NotFound, () => anon.GetAsync("/products/999999"));
        await Expect("put", "/cart/items/{productId}", HttpStatusCode.OK, () => ada.PutAsJsonAsync("/cart/items/2", new { quantity = 2 }));
        await Expect("get", "/cart", HttpStatusCode.OK, () => ada.GetAsync("/cart"));
        await Expect("delete", "/cart/items/{productId}", HttpStatusCode.OK, () => ada.DeleteAsync("/cart/items/2"));
        await Expect("delete", "/cart", HttpStatusCode.NoContent, () => ada.DeleteAsync("/cart"));
        await Expect("get", "/cart", HttpStatusCode.Unauthorized, () => anon.GetAsync("/cart"));

        using var placed = await ann.PostAsJsonAsync("/orders", new { items = new[] { new { productId = 1, quantity = 1 } }, note = "contract" });
        var order = JsonNode.Parse(await placed.Content.ReadAsStringAsync())!;
        errors.AddRange(Contract.Check("post", "/orders", placed, order));
        var id = order["id"]!.GetValue<long>();

        await Expect("post", "/orders", (HttpStatusCode)422, () => ann.PostAsJsonAsync("/orders", new { items = new[] { new { productId = 9999, quantity = 1 } } }));
        await Expect("post", "/orders", HttpStatusCode.BadRequest, () => ann.PostAsJsonAsync("/orders", new { items = new[] { new { productId = 1, quantity = 0 } } }));
        await Expect("get", "/orders/{id}", HttpStatusCode.OK, () => ann.GetAsync($"/orders/{id}"));
        await Expect("get", "/orders/{id}", HttpStatusCode.NotFound, () => ann.GetAsync("/orders/999999"));
        await Expect("get", "/orders", HttpStatusCode.OK, () => ann.GetAsync("/orders"));
        await Expect("get", "/orders", HttpStatusCode.BadRequest, () => ann.GetAsync("/orders?status=lost"));
        await Expect("get", "/orders/ws", HttpStatusCode.BadRequest, () => ann.GetAsync("/orders/ws")); // no upgrade; the socket itself is step 5's realtime check (AG5033)
        await Expect("get", "/orders/ws", HttpStatusCode.Unauthorized, () => anon.GetAsync("/orders/ws"));
        await Expect("patch", "/orders/{id}", (HttpStatusCode)428, () => ann.PatchAsJsonAsync($"/orders/{id}", new { status = "cancelled" }));
        await Expect("patch", "/orders/{id}", HttpStatusCode.PreconditionFailed, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, $"/orders/{id}") { Content = JsonContent.Create(new { status = "cancelled" }) };
            request.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
            return ann.SendAsync(request);
        });
        await Expect("patch", "/orders/{id}", HttpStatusCode.OK, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, $"/orders/{id}") { Content = JsonContent.Create(new { status = "cancelled" }) };
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            return ann.SendAsync(request);
        });
        await Expect("patch", "/orders/{id}", HttpStatusCode.Conflict, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, $"/orders/{id}") { Content = JsonContent.Create(new { status = "cancelled" }) };
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            return ann.SendAsync(request);
        });
        await Expect("get", "/admin/orders", HttpStatusCode.OK, () => ada.GetAsync("/admin/orders"));
        await Expect("get", "/admin/orders", HttpStatusCode.Forbidden, () => ann.GetAsync("/admin/orders"));
        await Expect("get", "/admin/orders", HttpStatusCode.Unauthorized, () => anon.GetAsync("/admin/orders"));

        Assert.Empty(errors);
    }

    [Fact]
    public void The_checker_rejects_a_response_that_breaks_the_schema()
    {
        // A test that cannot fail is a defect: prove the checker sees a renamed field and a wrong type.
        using var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        var drifted = JsonNode.Parse("""
            {"id":"7","userId":1,"status":"paid","items":[],"totalAmount":1.5,"currency":"EUR","shippingAddress":null,
             "note":null,"paymentId":null,"version":1,"createdAt":"2026-01-01T00:00:00+00:00","updatedAt":"2026-01-01T00:00:00+00:00"}
            """);

        var errors = Contract.Check("get", "/orders/{id}", response, drifted);

        Assert.Contains(errors, e => e.Contains("$.id is string", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.total is required", StringComparison.Ordinal));
    }
}
