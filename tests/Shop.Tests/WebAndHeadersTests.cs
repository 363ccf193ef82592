using System.Net;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(CleanShopCollection.Name)]
public sealed class WebAndHeadersTests(CleanShopFixture shop)
{
    [Theory]
    [InlineData("/", "Sign in")]
    [InlineData("/orders", "My orders")]
    public async Task The_web_serves_its_pages(string page, string text)
    {
        using var web = ShopClient.For(shop.Web.Url);
        using var response = await web.GetAsync(page);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(text, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains($"connect-src 'self' {shop.Api.Url.ToString().TrimEnd('/')}", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_web_tells_the_page_where_the_api_is()
    {
        using var web = ShopClient.For(shop.Web.Url);
        var config = await web.GetStringAsync("/config.js");

        Assert.Contains(shop.Api.Url.ToString().TrimEnd('/'), config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_responses_carry_the_security_headers()
    {
        using var client = ShopClient.For(shop.Api.Url);
        using var response = await client.GetAsync("/products");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CORS_allows_the_web_origin_only()
    {
        using var client = ShopClient.For(shop.Api.Url);
        var webOrigin = shop.Web.Url.ToString().TrimEnd('/');

        using var allowed = await client.SendAsync(Preflight(webOrigin));
        Assert.Equal(webOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var foreign = await client.SendAsync(Preflight("http://evil.example"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_problem_without_internals()
    {
        using var client = ShopClient.For(shop.Api.Url);
        using var response = await client.PostAsync("/auth/login",
            new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    internal static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/orders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }
}
