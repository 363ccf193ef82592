using System.Globalization;
using Archgate.Checks.Tests.Security.Probes;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'archgate scan URL': step 9 alone against a live service, exit 0 when clean, 4 with a critical finding.</summary>
public sealed class ScanCommandTests : CliTestBase
{
    private async Task<ProcessResult> ScanAsync(ProbeTestApi api, params string[] more)
    {
        var contract = Path.Combine(Folder, "api.yaml");
        await File.WriteAllTextAsync(contract, ProbeTestApi.Contract);
        return await ArchgateAsync(["scan", $"http://127.0.0.1:{api.Port.ToString(CultureInfo.InvariantCulture)}", "--openapi", contract,
            "--identity", $"ann:{ProbeTestApi.Password}@/auth/login", "--identity", $"ben:{ProbeTestApi.Password}@/auth/login",
            "--admin-only", "/admin/**", "--out", Path.Combine(Folder, "scan"), .. more]);
    }

    [Fact]
    public async Task A_clean_service_exits_0()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await ScanAsync(api);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("scan: no critical or high finding (exit 0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/orders");
    }

    [Fact]
    public async Task An_open_admin_route_and_BOLA_exit_4_with_the_findings_and_no_password_anywhere()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin | Flaws.Bola);
        var result = await ScanAsync(api);

        Assert.True(result.ExitCode == 4, result.All);
        var report = await File.ReadAllTextAsync(Path.Combine(Folder, "scan", "run.json"));
        Assert.Contains("\"AG9001\"", report, StringComparison.Ordinal);
        Assert.Contains("\"AG9010\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain(ProbeTestApi.Password, report, StringComparison.Ordinal);
        Assert.DoesNotContain(ProbeTestApi.Password, result.All, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Folder, "archgate-scan.yaml"))); // the manifest is read in memory
    }

    [Fact]
    public async Task Format_sarif_prints_the_findings_alone_on_standard_output_and_still_exits_4()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var result = await ScanAsync(api, "--format", "sarif");

        Assert.True(result.ExitCode == 4, result.All);
        using var sarif = System.Text.Json.JsonDocument.Parse(result.Stdout); // nothing but the report on stdout
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "AG9001");
        Assert.Contains("scan: ", result.Stderr, StringComparison.Ordinal); // the verdict line and the progress went to stderr
        Assert.DoesNotContain(ProbeTestApi.Password, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format_md_and_json_write_into_the_output_file_of_a_clean_scan_and_exit_0()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var md = Path.Combine(Folder, "scan.md");
        var result = await ScanAsync(api, "--format", "md", "-o", md);

        Assert.True(result.ExitCode == 0, result.All);
        var text = await File.ReadAllTextAsync(md);
        Assert.Contains("AG9004", text, StringComparison.Ordinal);
        Assert.Contains("scan: no critical or high finding (exit 0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"wrote {md}", result.Stderr, StringComparison.Ordinal);

        var wrong = await ArchgateAsync("scan", "http://127.0.0.1:1", "--format", "html");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("unknown format 'html'; use md, json, sarif", wrong.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_identity_is_a_usage_error_that_does_not_echo_the_password()
    {
        var result = await ArchgateAsync("scan", "http://127.0.0.1:1", "--identity", "ann-t0p-secret");
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("t0p-secret", result.All, StringComparison.Ordinal);
    }
}
