using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>The api's limit on failed sign-ins (its own instance: the limit per address would reach the shared one's other tests).</summary>
[Collection(ProvidersCollection.Name)]
public sealed class SignInLimitTests(ProvidersFixture providers)
{
    [Fact]
    public async Task The_sixth_failed_sign_in_for_an_account_within_a_minute_is_refused_429_with_Retry_After()
    {
        await using var api = await providers.StartApiAsync();
        using var client = ShopClient.For(api.Url);

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/auth/login", new { username = "mallory", password = $"guess-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync("/auth/login", new { username = "Mallory", password = "guess-5" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var seconds = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 60);

        // Another account from the same address is not refused: 5 failures are far from the address's limit.
        await ShopClient.LoginAsync(api.Url, "ann");
    }

    [Fact]
    public async Task Successful_sign_ins_never_count_and_one_clears_its_accounts_failures()
    {
        await using var api = await providers.StartApiAsync();
        using var client = ShopClient.For(api.Url);

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                using var wrong = await client.PostAsJsonAsync("/auth/login", new { username = "ben", password = "not-demo" });
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            await ShopClient.LoginAsync(api.Url, "ben"); // 12 failures in all, never 5 in a row: ben is never refused
        }

        for (var i = 0; i < 25; i++)
        {
            await ShopClient.LoginAsync(api.Url, "ann");
        }
    }
}
