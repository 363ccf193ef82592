using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>Step 9 from the command line: the dependency audit's --osv-db, security.sarif and report --format sarif.</summary>
public sealed class SecurityCommandTests : CliTestBase
{
    private const string Advisory = """
        { "id": "GHSA-35jh-r3h4-6jhm", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-23337"], "summary": "Command Injection in lodash",
          "affected": [ { "package": { "ecosystem": "npm", "name": "lodash" }, "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "4.17.21" } ] } ] } ],
          "database_specific": { "severity": "HIGH" } }
        """;

    [Fact]
    public async Task A_vulnerable_lockfile_with_osv_db_is_NO_GO_exit_4_with_the_advisory_in_security_sarif()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "osv"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "osv", "GHSA-35jh-r3h4-6jhm.json"), Advisory);
        await File.WriteAllTextAsync(Path.Combine(Folder, "package-lock.json"), """{ "lockfileVersion": 3, "packages": { "node_modules/lodash": { "version": "4.17.20" } } }""");
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: audit }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            security:
              audit: { npm: [package-lock.json] }
            """);

        var without = await ArchgateAsync("run", "--steps", "9");
        var with = await ArchgateAsync("run", "--steps", "9", "--osv-db", "osv");

        Assert.True(without.ExitCode == 5, without.All); // no database: not evaluated, never a pass
        Assert.Contains("no OSV database", without.Stdout, StringComparison.Ordinal);
        Assert.True(with.ExitCode == 4, with.All);
        Assert.Contains("AG9085 lodash 4.17.20 (npm) is affected by GHSA-35jh-r3h4-6jhm (CVE-2021-23337)", with.Stdout, StringComparison.Ordinal);

        var runDir = Directory.GetDirectories(Path.Combine(Folder, ".archgate", "runs")).Order(StringComparer.Ordinal).Last();
        using var sarif = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runDir, "security.sarif")));
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "AG9085");
        Assert.Equal("error", result.GetProperty("level").GetString());

        var report = await ArchgateAsync("report", "last", "--format", "sarif");
        Assert.True(report.ExitCode == 4, report.All); // report exits with the run's outcome: NO-GO
        Assert.Contains("\"ruleId\": \"AG9085\"", report.Stdout, StringComparison.Ordinal);
    }
}
