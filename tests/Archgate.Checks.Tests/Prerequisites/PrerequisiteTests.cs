using Archgate.Checks.Prerequisites;

namespace Archgate.Checks.Tests.Prerequisites;

public sealed class PrerequisiteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-doctor-").FullName;

    private static Prerequisite Fake(params string[] names) => new()
    {
        Name = "fake",
        Executables = names,
        Package = "fake-package",
        Use = PrerequisiteUse.Run,
        NeededBy = "a test",
    };

    private string Script(string name, string body, bool executable = true)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public async Task A_program_on_the_path_is_found_with_the_first_line_of_its_version()
    {
        var path = Script("fakebrowser-beta", "echo 'Fake Browser 131.0.6778.85 built on Debian'; echo second line");

        var found = Fake("fakebrowser", "fakebrowser-beta").Locate("/nonexistent" + Path.PathSeparator + _folder);

        Assert.Equal(path, found);
        Assert.Equal("Fake Browser 131.0.6778.85 built on Debian", await Fake().VersionAsync(found!, CancellationToken.None));
    }

    [Fact]
    public void A_file_that_is_not_executable_or_not_there_is_missing()
    {
        Script("fakebrowser", "echo 1", executable: false);

        Assert.Null(Fake("fakebrowser", "other").Locate(_folder));
    }

    [Fact]
    public void A_run_needs_chromium_only_when_the_manifest_has_a_frontend_with_a_url()
    {
        var withFrontend = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: web, kind: frontend, url: "http://127.0.0.1:1" }
            """);
        var withoutFrontend = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            """);

        Assert.Contains(Archgate.Checks.Prerequisites.Prerequisites.Chromium, Archgate.Checks.Prerequisites.Prerequisites.For(withFrontend));
        Assert.Empty(Archgate.Checks.Prerequisites.Prerequisites.For(withoutFrontend));
        Assert.Contains("archgate doctor --install", Archgate.Checks.Prerequisites.Prerequisites.MissingHint(Archgate.Checks.Prerequisites.Prerequisites.Chromium), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_needs_firefox_and_webkit_only_for_the_engines_of_journeys_with_browser_steps()
    {
        const string Components = """
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:2" }
            journeys:

            """;
        var all = TestSystems.Load(Components + "  - { name: j, steps: [ { goto: / } ] }\n");
        var firefoxOnly = TestSystems.Load(Components + "  - { name: j, browsers: [firefox], steps: [ { goto: / } ] }\n");
        var httpOnly = TestSystems.Load(Components + "  - { name: j, steps: [GET /] }\n");
        var (firefox, webkit, xvfb) = (Archgate.Checks.Prerequisites.Prerequisites.FirefoxEsr, Archgate.Checks.Prerequisites.Prerequisites.WebKitDriver, Archgate.Checks.Prerequisites.Prerequisites.Xvfb);

        Assert.Contains(firefox, Archgate.Checks.Prerequisites.Prerequisites.For(all));
        Assert.Contains(webkit, Archgate.Checks.Prerequisites.Prerequisites.For(all));
        Assert.Equal(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")), Archgate.Checks.Prerequisites.Prerequisites.For(all).Contains(xvfb));
        Assert.Contains(firefox, Archgate.Checks.Prerequisites.Prerequisites.For(firefoxOnly));
        Assert.DoesNotContain(webkit, Archgate.Checks.Prerequisites.Prerequisites.For(firefoxOnly));
        Assert.DoesNotContain(firefox, Archgate.Checks.Prerequisites.Prerequisites.For(httpOnly));
        Assert.Equal(["firefox-esr", "webkit2gtk-driver", "xvfb"], new[] { firefox, webkit, xvfb }.Select(p => p.Package));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
