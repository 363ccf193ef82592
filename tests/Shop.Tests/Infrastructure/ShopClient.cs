using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Shop.Tests.Infrastructure;

/// <summary>Small helpers for talking to the api the way a client would.</summary>
public static class ShopClient
{
    public static HttpClient For(Uri url, string? accessToken = null)
    {
        var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }

    public static async Task<JsonObject> LoginAsync(Uri api, string user, string password = "demo")
    {
        using var client = For(api);
        using var response = await client.PostAsJsonAsync("/auth/login", new { username = user, password });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>A client signed in as <paramref name="user"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(Uri api, string user)
    {
        var tokens = await LoginAsync(api, user);
        return For(api, tokens["accessToken"]!.GetValue<string>());
    }

    public static async Task<(HttpResponseMessage Response, JsonObject Body)> PlaceOrderAsync(
        this HttpClient client, long productId = 1, int quantity = 1)
    {
        var response = await client.PostAsJsonAsync("/orders", new
        {
            items = new[] { new { productId, quantity } },
            shippingAddress = "1 Test Street",
        });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (response, body);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Polls until <paramref name="condition"/> holds or the time is up.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }
}
