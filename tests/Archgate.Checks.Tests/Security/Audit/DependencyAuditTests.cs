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

    /// <summary>Maven's own orderings (ComparableVersionTest), each list ascending.</summary>
    [Theory]
    [InlineData("1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123")]
    [InlineData("2.0", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m")]
    [InlineData("2.0-beta9", "2.0-rc1", "2.0", "2.3.1", "2.12.2", "2.14.1", "2.15.0", "2.17.1")]
    [InlineData("9.4.43.v20210629", "9.4.44.v20210927", "10.0.0")]
    [InlineData("5.3.17", "5.3.18.RELEASE", "5.3.19")]
    public void Maven_versions_order_as_ComparableVersion_does(params string[] ascending)
    {
        for (var i = 0; i < ascending.Length; i++)
        {
            for (var j = i + 1; j < ascending.Length; j++)
            {
                Assert.True(PackageVersion.Compare("Maven", ascending[i], ascending[j]) < 0, $"{ascending[i]} < {ascending[j]}");
                Assert.True(PackageVersion.Compare("Maven", ascending[j], ascending[i]) > 0, $"{ascending[j]} > {ascending[i]}");
            }
        }
    }

    [Theory]
    [InlineData("Maven", "1", "1.0.0")]
    [InlineData("Maven", "1-ga", "1")]
    [InlineData("Maven", "1.0-final", "1.0.0.RELEASE")]
    [InlineData("Maven", "1-cr1", "1-rc1")]
    [InlineData("Maven", "1.0a1", "1.0-alpha-1")]
    [InlineData("Packagist", "v2.4.5", "2.4.5")]
    [InlineData("Packagist", "1.0", "1.0.0.0")]
    public void Equal_versions_compare_equal(string ecosystem, string a, string b) => Assert.Equal(0, PackageVersion.Compare(ecosystem, a, b));

    [Theory]
    [InlineData("1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta2", "1.0.0-RC1", "1.0.0-RC2", "1.0.0", "1.0.0-patch1", "1.0.1", "v2.4.5")]
    public void Composer_versions_order_by_number_then_stability(params string[] ascending)
    {
        for (var i = 1; i < ascending.Length; i++)
        {
            Assert.True(PackageVersion.Compare("Packagist", ascending[i - 1], ascending[i]) < 0, $"{ascending[i - 1]} < {ascending[i]}");
        }

        Assert.Null(PackageVersion.Compare("Packagist", "dev-main", "1.0.0"));
    }

    [Fact]
    public async Task A_pom_xml_a_gradle_lockfile_and_a_composer_lock_are_audited_with_their_versions_resolved()
    {
        var osv = Directory.CreateDirectory(Path.Combine(_folder, "osv")).FullName;
        File.WriteAllText(Path.Combine(osv, "GHSA-jfh8-c2jp-5v3q.json"), """
            { "id": "GHSA-jfh8-c2jp-5v3q", "summary": "Remote code injection in Log4j", "aliases": ["CVE-2021-44228"],
              "database_specific": { "severity": "CRITICAL" },
              "affected": [ { "package": { "ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core" },
                              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "2.0-beta9" }, { "fixed": "2.3.1" }, { "introduced": "2.4" }, { "fixed": "2.12.2" }, { "introduced": "2.13.0" }, { "fixed": "2.15.0" } ] } ] } ] }
            """);
        File.WriteAllText(Path.Combine(osv, "GHSA-q7rv-6hp3-vh96.json"), """
            { "id": "GHSA-q7rv-6hp3-vh96", "summary": "Improper header validation in guzzlehttp/psr7", "aliases": ["CVE-2023-29197"],
              "database_specific": { "severity": "MODERATE" },
              "affected": [ { "package": { "ecosystem": "Packagist", "name": "guzzlehttp/psr7" },
                              "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "1.9.1" }, { "introduced": "2.0.0" }, { "fixed": "2.4.5" } ] } ] } ] }
            """);
        File.WriteAllText(Path.Combine(_folder, "pom.xml"), """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>
              <groupId>test.shop</groupId><artifactId>api</artifactId><version>1.4.0</version>
              <properties><log4j.version>2.14.1</log4j.version><jackson>2.16.0</jackson></properties>
              <dependencyManagement><dependencies>
                <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson}</version></dependency>
              </dependencies></dependencyManagement>
              <dependencies>
                <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${log4j.version}</version></dependency>
                <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId></dependency>
                <dependency><groupId>test.shop</groupId><artifactId>model</artifactId><version>${project.version}</version></dependency>
                <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
              </dependencies>
            </project>
            """);
        File.WriteAllText(Path.Combine(_folder, "gradle.lockfile"), """
            # This is a Gradle generated file for dependency locking.
            org.apache.logging.log4j:log4j-api:2.12.2=compileClasspath,runtimeClasspath
            org.apache.logging.log4j:log4j-core:2.12.2=compileClasspath,runtimeClasspath
            empty=annotationProcessor
            """);
        File.WriteAllText(Path.Combine(_folder, "composer.lock"), """
            { "packages": [ { "name": "guzzlehttp/psr7", "version": "2.4.3" }, { "name": "monolog/monolog", "version": "dev-main" } ],
              "packages-dev": [ { "name": "GuzzleHttp/Guzzle", "version": "v7.5.0" } ] }
            """);

        var result = await RunAsync("{ osvDb: osv, maven: [pom.xml, gradle.lockfile], composer: [composer.lock] }");

        var vulnerable = result.Findings.Where(f => f.Rule == PassiveRules.VulnerableDependency).OrderBy(f => f.Message, StringComparer.Ordinal).ToList();
        Assert.Equal(["guzzlehttp/psr7 2.4.3 (Packagist) is affected by GHSA-q7rv-6hp3-vh96", "org.apache.logging.log4j:log4j-core 2.14.1 (Maven) is affected by GHSA-jfh8-c2jp-5v3q"],
            vulnerable.Select(f => f.Message[..f.Message.IndexOf(" (CVE", StringComparison.Ordinal)]));
        Assert.Equal(["fixed in 2.4.5", "fixed in 2.15.0"], vulnerable.Select(f => f.Evidence));
        Assert.Equal(Severity.Critical, vulnerable[1].Severity);
        var unpinned = Assert.Single(result.Findings, f => f.Rule == PassiveRules.DependencyNotAudited);
        Assert.Contains("org.springframework.boot:spring-boot-starter-web", unpinned.Message, StringComparison.Ordinal);
        // log4j-core, jackson-databind (its managed version), model; log4j-api and log4j-core 2.12.2 (not affected); psr7 and guzzle, not the branch.
        Assert.Contains(result.Metrics, m => m.Name == "security_dependencies_audited" && m.Value == 7);
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
