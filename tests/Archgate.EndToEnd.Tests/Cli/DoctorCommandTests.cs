namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'archgate doctor': what runs, tests and benchmarks start, found or missing, judged for a manifest.</summary>
public sealed class DoctorCommandTests : CliTestBase
{
    [Fact]
    public async Task A_manifest_without_a_frontend_needs_no_browser_and_every_program_is_listed_with_what_needs_it()
    {
        var manifest = WriteMinimalManifest();

        var result = await ArchgateAsync("doctor", manifest);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("everything a run of", result.Stdout, StringComparison.Ordinal);
        foreach (var program in new[] { "chromium", "rabbitmq-server", "initdb / pg_ctl", "sqlite3", "npm", "aiosmtpd", "sqlmap", "testssl.sh" })
        {
            Assert.Contains(program, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("FCP/LCP", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_that_does_not_load_is_exit_2_with_its_position()
    {
        var manifest = Path.Combine(Folder, "broken.yaml");
        await File.WriteAllTextAsync(manifest, "version: 1\nsystem: [\n");

        var result = await ArchgateAsync("doctor", manifest);

        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains("broken.yaml:", result.Stderr, StringComparison.Ordinal);
    }
}
