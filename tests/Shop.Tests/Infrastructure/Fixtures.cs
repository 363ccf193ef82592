namespace Shop.Tests.Infrastructure;

/// <summary>The whole clean shop (no fault switch): stubs, payments, api on SQLite, web; once per collection.</summary>
public sealed class CleanShopFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public ShopProcess ThirdParty { get; private set; } = null!;
    public ShopProcess Payments { get; private set; } = null!;
    public ShopProcess Api { get; private set; } = null!;
    public ShopProcess Web { get; private set; } = null!;
    public string DbPath => Path.Combine(_folder.Path, "shop.db");

    public async Task InitializeAsync()
    {
        ThirdParty = await ShopStack.ThirdPartyAsync();
        Payments = await ShopStack.PaymentsAsync(ThirdParty.Url);
        var webPort = FreePort.Next();
        Api = await ShopStack.ApiAsync(new ApiOptions
        {
            Db = _folder.SqliteConnection(),
            PaymentsUrl = Payments.Url,
            EmailUrl = ThirdParty.Url,
            WebOrigin = $"http://127.0.0.1:{webPort}",
        });
        Web = await ShopStack.WebAsync(Api.Url, port: webPort);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { Web, Api, Payments, ThirdParty })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CleanShopCollection : ICollectionFixture<CleanShopFixture>
{
    public const string Name = "clean shop";
}

/// <summary>An api of its own (own SQLite file), for a test that needs a switch or a broken neighbour.</summary>
public sealed class ApiInstance : IAsyncDisposable
{
    private readonly TempFolder _folder;

    private ApiInstance(TempFolder folder, ShopProcess process)
    {
        _folder = folder;
        Process = process;
    }

    public ShopProcess Process { get; }
    public Uri Url => Process.Url;
    public string DbPath => Path.Combine(_folder.Path, "shop.db");

    public static async Task<ApiInstance> StartAsync(Func<string, ApiOptions> options)
    {
        var folder = new TempFolder();
        try
        {
            return new ApiInstance(folder, await ShopStack.ApiAsync(options(folder.SqliteConnection())));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>Stubs and payments, shared by tests that each start their own api with a fault switch.</summary>
public sealed class ProvidersFixture : IAsyncLifetime
{
    public ShopProcess ThirdParty { get; private set; } = null!;
    public ShopProcess Payments { get; private set; } = null!;

    public Task<ApiInstance> StartApiAsync(string faults = "", Uri? paymentsUrl = null) =>
        ApiInstance.StartAsync(db => new ApiOptions
        {
            Db = db,
            PaymentsUrl = paymentsUrl ?? Payments.Url,
            EmailUrl = ThirdParty.Url,
            Faults = faults,
        });

    public async Task InitializeAsync()
    {
        ThirdParty = await ShopStack.ThirdPartyAsync();
        Payments = await ShopStack.PaymentsAsync(ThirdParty.Url);
    }

    public async Task DisposeAsync()
    {
        if (Payments is not null)
        {
            await Payments.DisposeAsync();
        }

        if (ThirdParty is not null)
        {
            await ThirdParty.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ProvidersCollection : ICollectionFixture<ProvidersFixture>
{
    public const string Name = "providers";
}
