using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>The shop sample (on free ports), started by 'archgate up' in plan order, stopped by Ctrl+C with no process left.</summary>
[Collection(ShopCollection.Name)]
public sealed partial class ShopUpTests : CliTestBase
{
    [Fact]
    public async Task Up_starts_the_shop_wave_by_wave_and_Ctrl_C_leaves_no_process()
    {
        var (manifest, apiPort) = ShopManifestOnFreePorts();
        using var up = StartArchgate("up", manifest);
        await up.WaitForOutputAsync("press Ctrl+C to stop it", TimeSpan.FromMinutes(3)); // printed after the edges

        var output = up.Stdout;
        // Whole names: "starting payments" is also the start of "starting payments-2", which needs no gateway and starts
        // in the first wave, beside it, in either order.
        var order = new[] { "gateway", "payments", "api", "web" }.Select(name => Started(output, name)).ToList();
        Assert.All(order, i => Assert.True(i >= 0, output));
        Assert.Equal(order.Order(), order);
        var paymentsReady = Regex.Match(output, @"ready payments(?![\w-])");
        Assert.True(paymentsReady.Success && paymentsReady.Index < Started(output, "api"), output);

        using var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "system.json")));
        var pids = state.RootElement.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(5, pids.Count); // the providers' stub, payments and its second instance, api, web
        Assert.All(pids, pid => Assert.True(ArchgateProcess.Alive(pid)));
        Assert.Contains("edge api → payments through a passthrough proxy", output, StringComparison.Ordinal);
        Assert.Contains("edge payments → gateway through a passthrough proxy", output, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            // The api reaches payments through Archgate's proxy (${url:payments}), and payments answers through it.
            using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{apiPort}/health/ready"));
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.IsSuccessStatusCode, body);
            var proxied = ProxyAddress().Match(output);
            Assert.True(proxied.Success, output);
            Assert.Contains(proxied.Groups["address"].Value.TrimEnd('/'), body, StringComparison.Ordinal);
        }

        up.Signal(2);
        var result = await up.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 130, result.All);
        Assert.All(pids, pid => Assert.False(ArchgateProcess.Alive(pid), $"pid {pid} still runs"));
        Assert.False(File.Exists(Path.Combine(Folder, ".archgate", "system.json")));
    }

    /// <summary>Where the launcher's "starting NAME" line for exactly that component is in <paramref name="output"/>, or -1.</summary>
    private static int Started(string output, string name) =>
        Regex.Match(output, $@"starting {Regex.Escape(name)}(?![\w-])") is { Success: true } m ? m.Index : -1;

    [GeneratedRegex(@"edge api → payments through a passthrough proxy at (?<address>\S+)")]
    private static partial Regex ProxyAddress();
}
