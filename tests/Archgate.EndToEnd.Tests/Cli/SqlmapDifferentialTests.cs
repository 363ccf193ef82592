using System.Diagnostics;
using System.Globalization;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The differential against sqlmap (Debian package): on the shop api with <c>sqli-search</c> both sqlmap and
/// 'archgate scan' find the injectable <c>search</c> parameter; on the clean shop neither does. sqlmap is a test
/// prerequisite (<c>./build.sh test</c> installs it); bench/security/run.sh compares request counts too.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class SqlmapDifferentialTests : CliTestBase
{
    [Theory]
    [InlineData("sqli-search", true)]
    [InlineData("", false)]
    public async Task Sqlmap_and_archgate_agree_on_the_search_parameter(string faults, bool injectable)
    {
        Assert.True(File.Exists("/usr/bin/sqlmap"), "sqlmap is not installed: ./build.sh test installs it (archgate doctor --tests --install)");
        var port = FreePort.Next();
        using var api = StartApi(faults, port);
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        using (var http = new HttpClient())
        {
            var ready = false;
            for (var i = 0; i < 240 && !ready; i++)
            {
                try
                {
                    ready = (await http.GetAsync(new Uri(url + "/health/live"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(500);
                }
            }

            Assert.True(ready, "the shop api did not start");
        }

        var sqlmap = await RunAsync("/usr/bin/sqlmap", ["-u", $"{url}/products?search=mug", "-p", "search", "--batch", "--level", "3", "--risk", "1",
            "--technique", "BE", "--flush-session", "--output-dir", Path.Combine(Folder, "sqlmap"), "--disable-coloring"], TimeSpan.FromMinutes(5));
        var scan = await ArchgateAsync("scan", url, "--openapi", Path.Combine(ShopFolder, "contracts", "shop-api.yaml"), "--safe", "--out", Path.Combine(Folder, "scan"));
        var report = await File.ReadAllTextAsync(Path.Combine(Folder, "scan", "run.json"));

        Assert.True(sqlmap.Contains("Parameter: search", StringComparison.Ordinal) == injectable, sqlmap);
        Assert.True(report.Contains("\"AG9020\"", StringComparison.Ordinal) == injectable, scan.All);
        Assert.Equal(injectable ? 4 : 0, scan.ExitCode);
    }

    private RunningApi StartApi(string faults, int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(ShopFolder, "bin", "Shop.Api", "Shop.Api.dll"), "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"])
        {
            WorkingDirectory = ShopFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SHOP_FAULTS"] = faults;
        start.Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        start.Environment["SHOP_PAYMENTS_URL"] = "http://127.0.0.1:1";
        start.Environment["SHOP_EMAIL_URL"] = "http://127.0.0.1:1";
        start.Environment["SHOP_EMAIL_API_KEY"] = "em_test_archgate";
        start.Environment["SHOP_WEB_ORIGIN"] = "http://127.0.0.1:1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunningApi(process);
    }

    private static async Task<string> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return await output + await error;
    }

    /// <summary>The api process this test started; disposing kills it (by its own id) and waits for it.</summary>
    private sealed class RunningApi(Process process) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }
    }
}
