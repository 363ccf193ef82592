using Archgate.Model;
using Microsoft.Playwright;

namespace Archgate.Checks.Browser;

/// <summary>Chromium through Playwright (<see cref="Chromium"/>): a fresh browser context per page.</summary>
internal sealed class ChromiumDriver : IBrowserDriver
{
    private readonly Chromium _chromium;

    private ChromiumDriver(Chromium chromium) => _chromium = chromium;

    public BrowserEngine Engine => BrowserEngine.Chromium;

    public string Version => $"Chromium {_chromium.Version}";

    public static async Task<IBrowserDriver> StartAsync(IReadOnlyList<string> allowedHosts, TimeSpan timeout, string? executable = null) =>
        new ChromiumDriver(await Chromium.StartAsync(executable ?? Chromium.DefaultPath, allowedHosts, timeout));

    public async Task<IBrowserPage> NewPageAsync(CancellationToken cancellationToken)
    {
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block, ViewportSize = new() { Width = 1280, Height = 800 } });
        await context.AddInitScriptAsync(PageScripts.Hook);
        return new Page(context, await context.NewPageAsync());
    }

    public ValueTask DisposeAsync() => _chromium.DisposeAsync();

    /// <summary>The Playwright page behind a tab this driver opened (for what only Playwright can do: routing its requests), else null.</summary>
    public static IPage? PlaywrightPage(IBrowserPage page) => (page as Page)?.Inner;

    private sealed class Page(IBrowserContext context, IPage page) : IBrowserPage
    {
        public IPage Inner => page;

        public bool HooksBeforeLoad => true;

        public Task GotoAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
            Act(() => page.GotoAsync(url.ToString(), new PageGotoOptions { Timeout = Ms(timeout), WaitUntil = WaitUntilState.Load }));

        public Task ClickAsync(string selector, TimeSpan timeout, CancellationToken cancellationToken) =>
            Act(() => page.Locator(selector).First.ClickAsync(new LocatorClickOptions { Timeout = Ms(timeout) }));

        public Task FillAsync(string selector, string value, TimeSpan timeout, CancellationToken cancellationToken) =>
            Act(() => page.Locator(selector).First.FillAsync(value, new LocatorFillOptions { Timeout = Ms(timeout) }));

        public async Task<string?> EvaluateAsync(string expression, CancellationToken cancellationToken)
        {
            try
            {
                var value = await page.EvaluateAsync<object?>(expression);
                return value as string ?? (value is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } e ? e.GetString() : null);
            }
            catch (PlaywrightException)
            {
                return null; // the page navigated while the script ran (the scripts catch their own errors): the caller polls again
            }
        }

        public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken) => await page.ScreenshotAsync();

        public async ValueTask DisposeAsync() => await context.CloseAsync();

        private static float Ms(TimeSpan t) => (float)t.TotalMilliseconds;

        private static async Task Act(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
            {
                throw new BrowserActionException(ex.Message.Split('\n')[0], ex);
            }
        }
    }
}
