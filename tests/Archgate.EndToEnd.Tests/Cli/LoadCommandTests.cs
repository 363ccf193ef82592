using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'archgate load' against a real service, as people use wrk or hey.</summary>
public sealed class LoadCommandTests : CliTestBase
{
    [Fact]
    public async Task Load_reports_json_percentiles_and_a_failed_threshold_exits_4()
    {
        var up = await ArchgateAsync("up", WriteMinimalManifest(), "--detach");
        Assert.True(up.ExitCode == 0, up.All);
        try
        {
            var url = $"http://127.0.0.1:{Port}/items";
            var ok = await ArchgateAsync("load", url, "-u", "4", "-d", "2s", "--json");
            var gated = await ArchgateAsync("load", url, "-u", "2", "-d", "1s", "--threshold", "http_req_duration: p(95)<0.001");

            Assert.True(ok.ExitCode == 0, ok.All);
            using var json = JsonDocument.Parse(ok.Stdout);
            var root = json.RootElement;
            Assert.True(root.GetProperty("requests").GetInt64() > 0, ok.Stdout);
            Assert.True(root.GetProperty("requestsPerSecond").GetDouble() > 0);
            Assert.True(root.GetProperty("latencyMs").GetProperty("p95").GetDouble() > 0);
            Assert.Equal(0, root.GetProperty("errors").GetProperty("total").GetInt64());
            Assert.True(gated.ExitCode == 4, gated.All);
        }
        finally
        {
            await ArchgateAsync("down");
        }
    }
}
