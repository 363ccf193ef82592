namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// A careless or hostile user, through the real process: usage errors exit 1 for every command, hostile
/// manifests exit 2 with a position (never 3, never a crash or a hang), and nothing raw or secret is echoed.
/// </summary>
public sealed class HostileInputTests : CliTestBase
{
    /// <summary>Every command of the CLI, with what it needs so that only the unknown option is wrong.</summary>
    public static TheoryData<string[]> Commands() => new(
        ["init"], ["validate"], ["plan"], ["run"], ["resume", "RUN"], ["runs"], ["report", "RUN"], ["up"], ["down"], ["demo"],
        ["agent"], ["k8s-job"], ["version"], ["diff", "a.yaml", "b.yaml"], ["load", "http://127.0.0.1:1/"],
        ["signoff", "RUN", "--as", "a", "--role", "System-Architect", "--approve"], ["handoff", "RUN"]);

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unknown_option_exits_1_with_a_hint_for_every_command(string[] command)
    {
        var result = await ArchgateAsync([.. command, "--no-such-option"]);

        Assert.True(result.ExitCode == 1, $"{string.Join(' ', command)}: exit {result.ExitCode}\n{result.All}");
        Assert.Contains("Unknown option 'no-such-option'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runs", "--limit", "many")]
    [InlineData("report", "RUN", "--format", "pdf")]
    [InlineData("diff", "a.yaml", "b.yaml", "--fail-on", "NEVER")]
    [InlineData("load", "http://127.0.0.1:1/", "--users", "lots")]
    [InlineData("load")]
    [InlineData("signoff", "RUN", "--as", "a", "--role", "System-Architect", "--approve", "--reject")]
    [InlineData("signoff", "RUN", "--as", "a", "--approve")]
    [InlineData("signoff", "RUN", "--as", "a", "--role", "System-Architect", "--approve", "--waive", "AG3050:no expiry")]
    [InlineData("signoff", "RUN", "--as", "a", "--role", "System-Architect", "--approve", "--waive", "AG3050:reason:tomorrow")]
    [InlineData("signoff", "RUN", "--as", "a", "--role", "System-Architect", "--approve", "--waive", "rule-x:reason:2099-01-31")]
    [InlineData("signoff", "nope", "--as", "a", "--role", "System-Architect", "--approve")]
    [InlineData("no-such-command")]
    public async Task A_bad_value_missing_argument_or_unknown_command_exits_1(params string[] args)
    {
        var result = await ArchgateAsync(args);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.All}");
    }

    [Fact]
    public async Task Load_masks_user_info_in_its_refusal()
    {
        var result = await ArchgateAsync("load", "http://user:pw0rd@example.test/");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not in the allow-list", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pw0rd", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("user:", result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deep", "load: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")]
    [InlineData("unclosed", "slo: { api: [1, 2\n")]
    [InlineData("overflow", "recovery: { retries: 3, backoff: 99999999999999h }\n")]
    [InlineData("escape", "x-name: \"\\e[2J\"\n")]
    [InlineData("nul", "contracts: { pacts: [\"a\\0b.json\"] }\n")]
    [InlineData("second", "---\nversion: 1\n")]
    [InlineData("tag", "slo: !!python/object:os.system {}\n")]
    public async Task A_hostile_manifest_exits_2_with_a_position_and_no_raw_control_character(string name, string tail)
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"),
            "version: 1\nsystem: { name: s }\ncomponents:\n  - { name: api, kind: service, url: \"http://127.0.0.1:1\" }\n" + tail);

        foreach (var args in new[] { new[] { "validate", "archgate.yaml" }, ["plan", "--print"], ["run", "--steps", "1"] })
        {
            var result = await ArchgateAsync(args);

            Assert.True(result.ExitCode == 2, $"{name} {args[0]}: exit {result.ExitCode}\n{result.All}");
            Assert.Matches(@"archgate\.yaml:\d+:\d+: ", result.Stderr);
            Assert.DoesNotContain('\u001b', result.All);
            Assert.DoesNotContain("internal error", result.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_fifo_as_the_manifest_exits_2_at_once()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo
        }

        var fifo = Path.Combine(Folder, "archgate.yaml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var result = await ArchgateAsync("validate", fifo);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a regular file (a FIFO)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_zero_as_an_openapi_document_exits_2_with_its_position()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"),
            "version: 1\nsystem: { name: s }\ncomponents:\n  - { name: api, kind: service, url: \"http://127.0.0.1:1\", openapi: /dev/zero }\n");

        var result = await ArchgateAsync("validate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("archgate.yaml:4:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not a regular file (a character device)", result.Stderr, StringComparison.Ordinal);
    }
}
