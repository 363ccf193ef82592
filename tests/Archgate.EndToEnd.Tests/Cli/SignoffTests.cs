using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 10 and <c>archgate signoff</c> / <c>report</c> / <c>runs --verify</c> / <c>handoff</c> as a user types them, on the
/// minimal sample with the steps whose checks are still placeholders left out (<c>--steps 1-3,10</c>).
/// </summary>
public sealed class SignoffTests : CliTestBase
{
    private async Task<(ProcessResult Result, string RunId)> RunAsync(Func<string, string>? edit = null)
    {
        var result = await ArchgateAsync("run", WriteMinimalManifest(edit), "--up", "--steps", "1-3,10");
        return (result, RunIdFrom(result.Stdout));
    }

    private JsonDocument RunJson(string runId) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", runId, "run.json")));

    /// <summary>The minimal database must hold more rows than the service seeds: step 3 fails with AG3050.</summary>
    private static string TooFewRows(string text) => text.Replace("    engine: sqlite", "    engine: sqlite\n    expect: { seed: { items: 1000 } }", StringComparison.Ordinal);

    [Fact]
    public async Task A_run_whose_evaluated_steps_pass_awaits_signoff_with_exit_5_and_alices_approval_makes_it_GO()
    {
        var (run, id) = await RunAsync();

        Assert.True(run.ExitCode == 6, run.All);
        Assert.Contains("awaiting sign-off (GO pending sign-off): sign-off by System-Architect (architect@example.test)", run.Stdout, StringComparison.Ordinal);
        using (var before = RunJson(id))
        {
            Assert.Equal("INCOMPLETE", before.RootElement.GetProperty("verdict").GetString());
            Assert.StartsWith("awaiting sign-off", before.RootElement.GetProperty("awaiting").GetString(), StringComparison.Ordinal);
        }

        var reportBefore = await ArchgateAsync("report", "last");
        Assert.Equal(6, reportBefore.ExitCode);
        Assert.Contains("**Verdict: INCOMPLETE, awaiting sign-off (GO pending sign-off)**", reportBefore.Stdout, StringComparison.Ordinal);

        var signoff = await ArchgateAsync("signoff", "last", "--as", "alice", "--role", "System-Architect", "--approve", "--comment", "steps 4-9 in the next increment");
        var report = await ArchgateAsync("report", "last");
        var runs = await ArchgateAsync("runs");

        Assert.True(signoff.ExitCode == 0, signoff.All);
        Assert.Contains("alice (from --as) as System-Architect: approve", signoff.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains("**Verdict: GO**", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("| 1 | signoff | System-Architect | alice | --as | approve |", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("Left out of this run (--steps): services, frontend, third-party, critical-paths, slo, security", report.Stdout, StringComparison.Ordinal);
        Assert.Contains(" GO ", runs.Stdout, StringComparison.Ordinal);
        using var after = RunJson(id); // the run's folder is written again
        Assert.Equal("GO", after.RootElement.GetProperty("verdict").GetString());
        var record = after.RootElement.GetProperty("signoffs")[0];
        Assert.Equal(("alice", "flag", "approve", 64), (record.GetProperty("identity").GetString(), record.GetProperty("identitySource").GetString(),
            record.GetProperty("decision").GetString(), record.GetProperty("hash").GetString()!.Length));
    }

    [Fact]
    public async Task The_identity_comes_from_ARCHGATE_USER_when_no_flag_is_given_and_a_reject_keeps_the_run_from_GO()
    {
        var (_, id) = await RunAsync();
        Environment["ARCHGATE_USER"] = "carol";

        var reject = await ArchgateAsync("signoff", id, "--role", "System-Architect", "--reject", "--comment", "load not yet proven");
        var report = await ArchgateAsync("report", id);

        Assert.True(reject.ExitCode == 4, reject.All);
        Assert.Contains("carol (from ARCHGATE_USER)", reject.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, report.ExitCode);
        Assert.Contains("**Verdict: NO-GO**", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejected by carol (System-Architect): load not yet proven", report.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_NO_GO_run_is_refused_a_signoff_without_waivers_and_accepted_with_a_waiver_of_every_failing_rule()
    {
        var (run, id) = await RunAsync(TooFewRows);
        Assert.True(run.ExitCode == 4, run.All);

        var bare = await ArchgateAsync("signoff", id, "--as", "alice", "--role", "System-Architect", "--approve");
        var waived = await ArchgateAsync("signoff", id, "--as", "alice", "--role", "System-Architect", "--approve",
            "--waive", "AG3050:seed rows arrive with the nightly import:2099-01-31");
        var report = await ArchgateAsync("report", id);

        Assert.Equal(1, bare.ExitCode);
        Assert.Contains($"signoff refused: run {id} is NO-GO: failing rules not waived: AG3050 (database)", bare.Stderr, StringComparison.Ordinal);
        Assert.Contains("--waive RULE:REASON:YYYY-MM-DD", bare.Stderr, StringComparison.Ordinal);
        Assert.True(waived.ExitCode == 0, waived.All);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains("| AG3050 | seed rows arrive with the nightly import | 2099-01-31 | alice (System-Architect) |", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("| Database connectivity verified | waived |", report.Stdout, StringComparison.Ordinal);

        // The waiver carries over to the next run of the system: its evidence is GO, pending its own sign-off.
        var (next, nextId) = await RunAsync(TooFewRows);
        Assert.True(next.ExitCode == 6, next.All);
        Assert.Contains("waiver AG3050 (seed rows arrive with the nightly import) by alice, until 2099-01-31, used by this run", next.Stdout, StringComparison.Ordinal);
        using var json = RunJson(nextId);
        Assert.Equal("waived", json.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_tampered_record_fails_runs_verify_naming_its_run_and_position()
    {
        var (_, id) = await RunAsync();
        Assert.Equal(0, (await ArchgateAsync("signoff", id, "--as", "alice", "--role", "System-Architect", "--approve")).ExitCode);
        var intact = await ArchgateAsync("runs", "--verify");

        using (var connection = new SqliteConnection($"Data Source={Store};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "DROP TRIGGER signoffs_no_update; UPDATE signoffs SET body = replace(body, '\"alice\"', '\"alicE\"')";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        var tampered = await ArchgateAsync("runs", "--verify");

        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("every sign-off chain holds", intact.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, tampered.ExitCode);
        Assert.Contains($"BROKEN run {id}: record 1: its content does not match its hash", tampered.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handoff_to_qa_writes_one_archive_with_the_reports_and_a_checksum_per_file_once_signed()
    {
        var (_, id) = await RunAsync();
        var early = await ArchgateAsync("handoff", id, "--to", "qa");
        await ArchgateAsync("signoff", id, "--as", "alice", "--role", "System-Architect", "--approve");

        var handoff = await ArchgateAsync("handoff", id, "--to", "qa", "-o", "bundle.tar.gz");

        Assert.Equal(6, early.ExitCode);
        Assert.Contains("handoff refused", early.Stderr, StringComparison.Ordinal);
        Assert.True(handoff.ExitCode == 0, handoff.All);
        var files = new Dictionary<string, byte[]>();
        await using (var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, "bundle.tar.gz")), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                using var data = new MemoryStream();
                await entry.DataStream!.CopyToAsync(data);
                files[entry.Name[(entry.Name.IndexOf('/', StringComparison.Ordinal) + 1)..]] = data.ToArray();
            }
        }

        foreach (var name in new[] { "run.json", "integration-validation-report.md", "integration-validation-report.html", "junit.xml", "security.sarif", "integration-plan.md", "SHA256SUMS" })
        {
            Assert.True(files.ContainsKey(name), name);
        }

        var sums = System.Text.Encoding.UTF8.GetString(files["SHA256SUMS"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count - 1, sums.Length);
        foreach (var line in sums)
        {
            var (hash, name) = (line[..64], line[66..]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(files[name])), hash);
        }

        Assert.Contains("\"verdict\": \"GO\"", System.Text.Encoding.UTF8.GetString(files["run.json"]), StringComparison.Ordinal);
    }
}
