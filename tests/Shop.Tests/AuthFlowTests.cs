using System.Net;
using System.Net.Http.Json;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(CleanShopCollection.Name)]
public sealed class AuthFlowTests(CleanShopFixture shop)
{
    [Fact]
    public async Task Login_with_the_demo_password_returns_tokens_and_the_role()
    {
        var tokens = await ShopClient.LoginAsync(shop.Api.Url, "ada");

        Assert.Equal("Bearer", tokens["tokenType"]!.GetValue<string>());
        Assert.Equal("admin", tokens["user"]!["role"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(tokens["refreshToken"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Login_with_a_wrong_password_is_401_problem()
    {
        using var client = ShopClient.For(shop.Api.Url);
        using var response = await client.PostAsJsonAsync("/auth/login", new { username = "ann", password = "wrong" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_the_old_one_is_rejected_afterwards()
    {
        var first = await ShopClient.LoginAsync(shop.Api.Url, "ann");
        var original = first["refreshToken"]!.GetValue<string>();
        using var client = ShopClient.For(shop.Api.Url);

        using var rotated = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = original });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = (await rotated.JsonAsync())["refreshToken"]!.GetValue<string>();
        Assert.NotEqual(original, next);

        using var reused = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = original });
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);

        // Reuse of a rotated token revokes the family: the successor is dead too.
        using var successor = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = next });
        Assert.Equal(HttpStatusCode.Unauthorized, successor.StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var tokens = await ShopClient.LoginAsync(shop.Api.Url, "ben");
        var refresh = tokens["refreshToken"]!.GetValue<string>();
        using var client = ShopClient.For(shop.Api.Url);

        using var logout = await client.PostAsJsonAsync("/auth/logout", new { refreshToken = refresh });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var after = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = refresh });
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Protected_operations_demand_a_token()
    {
        using var client = ShopClient.For(shop.Api.Url);
        foreach (var path in new[] { "/orders", "/cart", "/auth/me", "/admin/orders" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_customer_is_forbidden_the_admin_listing()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        using var response = await ann.GetAsync("/admin/orders");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
