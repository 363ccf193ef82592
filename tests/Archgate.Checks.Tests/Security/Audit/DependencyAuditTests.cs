using System.IO.Compression;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Audit;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Audit;

public sealed class DependencyAuditTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Security", "Audit", "Osv");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archgate-audit-" + Guid.NewGuid().ToString("N"));

    public DependencyAuditTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("npm", "1.0.0-alpha", "1.0.0-alpha.1", -1)]
    [InlineData("npm", "1.0.0-alpha.beta", "1.0.0-beta", -1)]
    [InlineData("npm", "1.0.0-beta.11", "1.0.0-rc.1", -1)]
    [InlineData("npm", "1.0.0-rc.1", "1.0.0", -1)]
    [InlineData("npm", "1.9.0", "1.10.0", -1)]
    [InlineData("npm", "1.0.0+build.5", "1.0.0", 0)]
    [InlineData("NuGet", "1.0", "1.0.0.0", 0)]
    [InlineData("NuGet", "4.5.1", "4.5.0.9", 1)]
    [InlineData("NuGet", "1.0.0-Beta", "1.0.0-beta", 0)]
    [InlineData("PyPI", "1.0.dev1", "1.0a1", -1)]
    [InlineData("PyPI", "1.0a1", "1.0b2", -1)]
    [InlineData("PyPI", "1.0rc1", "1.0", -1)]
    [InlineData("PyPI", "1.0", "1.0.post1", -1)]
    [InlineData("PyPI", "2.3.0", "2.2.5", 1)]
    [InlineData("PyPI", "1!1.0", "2.0", 1)]
    [InlineData("PyPI", "1.0.0", "1.0", 0)]
    [InlineData("RubyGems", "7.1.0.rc1", "7.1.0", -1)]
    [InlineData("RubyGems", "7.1.0.beta1", "7.1.0.rc1", -1)]
    [InlineData("RubyGems", "1.13.10", "1.13.9", 1)]
    [InlineData("RubyGems", "1.0", "1.0.0", 0)]
    [InlineData("RubyGems", "2.0.0.pre", "1.9.9", 1)]
    [InlineData("Go", "0.0.0-20220722155237-a158d28d115b", "0.3.8", -1)]
    [InlineData("crates.io", "1.6.0", "1.6.1", -1)]
    public void Versions_order_as_their_ecosystem_orders_them(string ecosystem, string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(PackageVersion.Compare(ecosystem, a, b)!.Value));
        Assert.Equal(-expected, Math.Sign(PackageVersion.Compare(ecosystem, b, a)!.Value));
    }

    [Theory]
    [InlineData("npm", "lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm", "4.17.21")]
    [InlineData("npm", "lodash", "4.17.21", null, null)]
    [InlineData("NuGet", "System.Text.Encodings.Web", "4.5.0", "GHSA-ghhp-997w-qr28", "4.5.1")]
    [InlineData("NuGet", "system.text.encodings.web", "5.0.0", "GHSA-ghhp-997w-qr28", "5.0.1")]
    [InlineData("NuGet", "System.Text.Encodings.Web", "4.7.2", null, null)]
    [InlineData("NuGet", "System.Text.Encodings.Web", "3.9.0", null, null)]
    [InlineData("PyPI", "Flask", "2.2.4", "PYSEC-2023-62", "2.2.5")]
    [InlineData("PyPI", "flask", "2.3.1", "PYSEC-2023-62", "2.3.2")]
    [InlineData("PyPI", "flask", "2.2.5", null, null)]
    [InlineData("npm", "@archgate/fixture", "1.0.0-beta.1", null, null)]
    [InlineData("npm", "@archgate/fixture", "1.0.0-beta.2", "ARCHGATE-TEST-0001", null)]
    [InlineData("npm", "@archgate/fixture", "1.2.0", "ARCHGATE-TEST-0001", null)]
    [InlineData("npm", "@archgate/fixture", "1.2.1", null, null)]
    public void Ranges_match_with_introduced_fixed_and_last_affected(string ecosystem, string name, string version, string? advisory, string? fix)
    {
        var db = OsvDatabase.Load(Fixtures);

        var hits = db.Affecting(ecosystem, name, version).ToList();

        Assert.Equal(4, db.Count); // the withdrawn record is left out
        if (advisory is null)
        {
            Assert.Empty(hits);
        }
        else
        {
            var hit = Assert.Single(hits);
            Assert.Equal(advisory, hit.Advisory.Id);
            Assert.Equal(fix, hit.Fixed);
        }
    }

    private async Task<CheckResult> RunAsync(string audit)
    {
        var yaml = $$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            security:
              audit: {{audit}}
            """;
        var system = TestSystems.Load(yaml, _folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new DependencyAuditCheck(new DependencyAuditOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private void Inputs()
    {
        File.WriteAllText(Path.Combine(_folder, "package-lock.json"), """
            { "name": "web", "lockfileVersion": 3, "packages": {
                "": { "name": "web", "version": "1.0.0" },
                "node_modules/lodash": { "version": "4.17.20" },
                "node_modules/a/node_modules/lodash": { "version": "4.17.21" },
                "node_modules/@archgate/fixture": { "version": "1.1.0" } } }
            """);
        File.WriteAllText(Path.Combine(_folder, "old-lock.json"), """
            { "lockfileVersion": 1, "dependencies": { "express": { "version": "4.17.1", "dependencies": { "lodash": { "version": "4.17.15" } } } } }
            """);
        File.WriteAllText(Path.Combine(_folder, "requirements.txt"), "# pinned\nFlask==2.3.1 ; python_version >= '3.8'\nrequests>=2.0\n");
    }

    [Fact]
    public async Task Lockfiles_and_requirements_are_matched_against_a_zip_export_with_aliases_severities_and_fixes()
    {
        Inputs();
        var zip = Path.Combine(_folder, "all.zip");
        ZipFile.CreateFromDirectory(Fixtures, zip);

        var result = await RunAsync("{ osvDb: all.zip, npm: [package-lock.json, old-lock.json], python: [requirements.txt] }");

        var vulnerable = result.Findings.Where(f => f.Rule == PassiveRules.VulnerableDependency).OrderBy(f => f.Message, StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["@archgate/fixture 1.1.0 (npm)", "Flask 2.3.1 (PyPI)", "lodash 4.17.15 (npm)", "lodash 4.17.20 (npm)"],
            vulnerable.Select(f => f.Message[..f.Message.IndexOf(" is affected", StringComparison.Ordinal)]));
        var lodash = vulnerable[3];
        Assert.Equal(Severity.High, lodash.Severity);
        Assert.Contains("GHSA-35jh-r3h4-6jhm (CVE-2021-23337): Command Injection in lodash", lodash.Message, StringComparison.Ordinal);
        Assert.Equal("fixed in 4.17.21", lodash.Evidence);
        Assert.Equal(Severity.Medium, vulnerable[0].Severity); // MODERATE
        Assert.Equal("fixed in 2.3.2", vulnerable[1].Evidence);
        var unpinned = Assert.Single(result.Findings, f => f.Rule == PassiveRules.DependencyNotAudited);
        Assert.Contains("requests>=2.0", unpinned.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Metrics, m => m.Name == "security_dependencies_audited" && m.Value == 6);
    }

    [Fact]
    public async Task Poetry_uv_and_Pipfile_lockfiles_are_audited_by_every_package_they_pin()
    {
        File.WriteAllText(Path.Combine(_folder, "poetry.lock"), """
            # This file is automatically @generated by Poetry and should not be changed by hand.

            [[package]]
            name = "flask"
            version = "2.3.1"
            description = "A simple framework for building complex web applications."
            optional = false

            [package.dependencies]
            click = ">=8.1.3"

            [[package]]
            name = "click"
            version = "8.1.7"

            [metadata]
            lock-version = "2.0"
            """);
        File.WriteAllText(Path.Combine(_folder, "uv.lock"), """
            version = 1

            [[package]]
            name = "flask"
            version = "2.3.2"
            source = { registry = "https://pypi.org/simple" }
            """);
        File.WriteAllText(Path.Combine(_folder, "Pipfile.lock"), """
            { "_meta": { "hash": { "sha256": "x" } },
              "default": { "flask": { "hashes": [], "version": "==2.2.4" }, "mylib": { "editable": true, "path": "." } },
              "develop": { "pytest": { "version": "==8.0.0" } } }
            """);
        var zip = Path.Combine(_folder, "all.zip");
        ZipFile.CreateFromDirectory(Fixtures, zip);

        var result = await RunAsync("{ osvDb: all.zip, python: [poetry.lock, uv.lock, Pipfile.lock] }");

        var vulnerable = result.Findings.Where(f => f.Rule == PassiveRules.VulnerableDependency).Select(f => $"{f.Location}: {f.Message[..f.Message.IndexOf(" is affected", StringComparison.Ordinal)]}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"{Path.Combine(_folder, "Pipfile.lock")}: flask 2.2.4 (PyPI)", $"{Path.Combine(_folder, "poetry.lock")}: flask 2.3.1 (PyPI)"], vulnerable);
        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.DependencyNotAudited);
        Assert.Contains(result.Metrics, m => m.Name == "security_dependencies_audited" && m.Value == 5); // flask x3, click, pytest
    }

    [Fact]
    public async Task Go_modules_and_Cargo_crates_are_audited_at_the_versions_OSV_writes_for_them()
    {
        var osv = Directory.CreateDirectory(Path.Combine(_folder, "osv")).FullName;
        File.WriteAllText(Path.Combine(osv, "GO-2022-1059.json"), """
            { "id": "GO-2022-1059", "summary": "Denial of service via crafted Accept-Language header in golang.org/x/text/language", "aliases": ["CVE-2022-32149"],
              "affected": [ { "package": { "ecosystem": "Go", "name": "golang.org/x/text" },
                              "ranges": [ { "type": "SEMVER", "events": [ { "introduced": "0" }, { "fixed": "0.3.8" } ] } ] } ] }
            """);
        File.WriteAllText(Path.Combine(osv, "RUSTSEC-2021-0003.json"), """
            { "id": "RUSTSEC-2021-0003", "summary": "Buffer overflow in SmallVec::insert_many", "aliases": ["CVE-2021-25900"],
              "affected": [ { "package": { "ecosystem": "crates.io", "name": "smallvec" },
                              "ranges": [ { "type": "SEMVER", "events": [ { "introduced": "0.6.3" }, { "fixed": "0.6.14" }, { "introduced": "1.0.0" }, { "fixed": "1.6.1" } ] } ] } ] }
            """);
        File.WriteAllText(Path.Combine(_folder, "go.sum"), """
            golang.org/x/text v0.3.7 h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=
            golang.org/x/text v0.3.7/go.mod h1:u+2+/6zg+i71rQMx5EYifcz6MCKuco9NR6JIITiCfzQ=
            golang.org/x/text v0.3.6/go.mod h1:5Zoc/QRtKVWzQhOtBMvqHzDpF6irO9z98xDceosuGiQ=
            github.com/docker/docker v20.10.7+incompatible h1:Z6O9Nhsjv+ayUEeI1IojKbYcsGdgYSNqxe1s2MYzUhQ=
            """);
        File.WriteAllText(Path.Combine(_folder, "Cargo.lock"), """
            version = 3

            [[package]]
            name = "smallvec"
            version = "1.6.0"
            source = "registry+https://github.com/rust-lang/crates.io-index"

            [[package]]
            name = "serde"
            version = "1.0.130"
            """);

        var result = await RunAsync("{ osvDb: osv, go: [go.sum], cargo: [Cargo.lock] }");

        var vulnerable = result.Findings.Where(f => f.Rule == PassiveRules.VulnerableDependency).Select(f => f.Message[..f.Message.IndexOf(':', StringComparison.Ordinal)]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["golang.org/x/text 0.3.7 (Go) is affected by GO-2022-1059 (CVE-2022-32149)", "smallvec 1.6.0 (crates.io) is affected by RUSTSEC-2021-0003 (CVE-2021-25900)"], vulnerable);
        Assert.Contains(result.Findings, f => f.Message.StartsWith("smallvec", StringComparison.Ordinal) && f.Evidence == "fixed in 1.6.1");
        Assert.Contains(result.Metrics, m => m.Name == "security_dependencies_audited" && m.Value == 4); // x/text, docker, smallvec, serde
    }

    [Fact]
    public async Task Gems_of_a_Gemfile_lock_are_audited_without_their_platform_suffix()
    {
        var osv = Directory.CreateDirectory(Path.Combine(_folder, "osv")).FullName;
        File.WriteAllText(Path.Combine(osv, "GHSA-2qc6-mcvw-92cw.json"), """
            { "id": "GHSA-2qc6-mcvw-92cw", "summary": "Update bundled libxml2 to v2.10.3 to resolve multiple CVEs", "aliases": [],
              "database_specific": { "severity": "HIGH" },
              "affected": [ { "package": { "ecosystem": "RubyGems", "name": "nokogiri" },
                              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "1.13.9" } ] } ] } ] }
            """);
        File.WriteAllText(Path.Combine(_folder, "Gemfile.lock"), """
            GEM
              remote: https://rubygems.org/
              specs:
                nokogiri (1.13.8-x86_64-linux)
                  racc (~> 1.4)
                racc (1.6.0)
                rails (7.1.0.rc1)

            PLATFORMS
              x86_64-linux

            DEPENDENCIES
              nokogiri (= 1.13.8)

            BUNDLED WITH
               2.4.10
            """);

        var result = await RunAsync("{ osvDb: osv, ruby: [Gemfile.lock] }");

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.VulnerableDependency);
        Assert.StartsWith("nokogiri 1.13.8 (RubyGems) is affected by GHSA-2qc6-mcvw-92cw", finding.Message, StringComparison.Ordinal);
        Assert.Equal("fixed in 1.13.9", finding.Evidence);
        Assert.Contains(result.Metrics, m => m.Name == "security_dependencies_audited" && m.Value == 3); // nokogiri, racc, rails; not the DEPENDENCIES list
    }

    [Fact]
    public async Task Dependencies_without_advisories_pass()
    {
        File.WriteAllText(Path.Combine(_folder, "package-lock.json"), """{ "lockfileVersion": 3, "packages": { "node_modules/lodash": { "version": "4.17.21" } } }""");

        var result = await RunAsync($"{{ osvDb: \"{Fixtures}\", npm: [package-lock.json] }}");

        Assert.Empty(result.Findings);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public async Task Without_a_database_the_audit_is_not_evaluated_with_the_reason()
    {
        Inputs();

        var result = await RunAsync("{ npm: [package-lock.json] }");

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("no OSV database", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotnet_list_package_json_gives_top_level_and_transitive_packages()
    {
        const string json = """
            { "version": 1, "parameters": "--include-transitive", "projects": [ { "path": "/src/Api.csproj", "frameworks": [ { "framework": "net10.0",
              "topLevelPackages": [ { "id": "System.Text.Encodings.Web", "requestedVersion": "4.5.0", "resolvedVersion": "4.5.0" } ],
              "transitivePackages": [ { "id": "System.Buffers", "resolvedVersion": "4.5.1" } ] } ] } ] }
            """;

        var packages = Inventory.DotNetFromJson(json, "Api.csproj");

        Assert.Equal(["System.Text.Encodings.Web 4.5.0", "System.Buffers 4.5.1"], packages.Select(p => $"{p.Name} {p.Version}"));
        Assert.All(packages, p => Assert.Equal("NuGet", p.Ecosystem));
    }

    [Fact]
    public async Task Dotnet_list_package_runs_on_a_restored_project()
    {
        var project = Path.Combine(_folder, "Tiny.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), "<Project />");
        using (var restore = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", ["restore", project]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            await restore.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.Equal(0, restore.ExitCode);
        }

        var (packages, problem) = await Inventory.DotNetAsync(project, TimeSpan.FromMinutes(3), CancellationToken.None);

        Assert.Null(problem);
        Assert.Empty(packages);
    }
}
