using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Archgate.Tests.Pact;

/// <summary>What the reference verifier decided: interaction description to passed.</summary>
public sealed record ReferenceVerdict(IReadOnlyDictionary<string, bool> Interactions, string Output);

/// <summary>
/// The Pact Foundation's reference verifier (<c>pact-verifier</c> from the npm package
/// <c>@pact-foundation/pact-cli</c>, which ships the Rust <c>pact verifier</c> as a static binary), installed
/// into a cache folder on first use. Shared by the differential tests of Archgate.Checks.Tests and
/// Archgate.EndToEnd.Tests (linked source).
/// </summary>
public static class ReferencePactVerifier
{
    /// <summary>The npm package.</summary>
    public const string Package = "@pact-foundation/pact-cli";

    /// <summary>The pinned version, so that verdicts do not move under the tests.</summary>
    public const string Version = "18.1.2";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    private static string? _unreachable;

    /// <summary>The cache folder: <c>ARCHGATE_TOOLS_CACHE</c>, else <c>~/.cache/archgate</c> (the temp folder without a home), then <c>pact-cli-VERSION</c>.</summary>
    public static string CacheDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("ARCHGATE_TOOLS_CACHE") is { Length: > 0 } root
            ? root
            : Path.Combine(Home(), ".cache", "archgate"),
        $"pact-cli-{Version}");

    private static string Home() =>
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : Path.GetTempPath();

    private static string Executable => Path.Combine(CacheDirectory, "node_modules", ".bin", "pact-verifier");

    /// <summary>
    /// The verifier's path, installing it with npm when missing. Returns null with the reason when the npm
    /// registry cannot be reached (the only case a test may skip for); throws when the install fails otherwise.
    /// </summary>
    public static async Task<(string? Path, string? SkipReason)> EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(Executable))
            {
                return (Executable, null);
            }

            if (_unreachable is not null)
            {
                return (null, _unreachable);
            }

            Directory.CreateDirectory(CacheDirectory);
            // Another test process may be installing too: one at a time, through a lock file.
            await using var lockFile = await LockAsync(Path.Combine(CacheDirectory, ".install.lock"));
            if (File.Exists(Executable))
            {
                return (Executable, null);
            }

            var install = await RunAsync("npm", ["install", "--prefix", CacheDirectory, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", $"{Package}@{Version}"],
                TimeSpan.FromMinutes(5));
            if (install.ExitCode == 0 && File.Exists(Executable))
            {
                return (Executable, null);
            }

            var ping = await RunAsync("npm", ["ping"], TimeSpan.FromSeconds(60));
            if (ping.ExitCode != 0)
            {
                _unreachable = $"the npm registry is unreachable (npm ping: {Cause(ping.Output)}), so {Package}@{Version} cannot be installed into {CacheDirectory}";
                return (null, _unreachable);
            }

            throw new InvalidOperationException($"npm install {Package}@{Version} failed although the registry answers (exit {install.ExitCode}):\n{install.Output}");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Verifies <paramref name="pactFile"/> against a provider on 127.0.0.1.</summary>
    /// <param name="executable">From <see cref="EnsureInstalledAsync"/>.</param>
    /// <param name="pactFile">The pact.</param>
    /// <param name="port">The provider's port.</param>
    /// <param name="stateChangeUrl">The state-change URL (with teardown), or null.</param>
    /// <param name="headers">Custom headers (<c>Authorization=Bearer ...</c>) for every request.</param>
    public static async Task<ReferenceVerdict> VerifyAsync(string executable, string pactFile, int port, string? stateChangeUrl = null, IEnumerable<string>? headers = null)
    {
        var report = Path.Combine(Path.GetTempPath(), $"archgate-pact-reference-{Guid.NewGuid():N}.json");
        var arguments = new List<string> { "-f", pactFile, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", report, "--no-colour" };
        if (stateChangeUrl is not null)
        {
            arguments.AddRange(["-s", stateChangeUrl, "--state-change-teardown"]);
        }

        foreach (var header in headers ?? [])
        {
            arguments.AddRange(["-H", header]);
        }

        try
        {
            var run = await RunAsync(executable, arguments, TimeSpan.FromMinutes(2));
            if (!File.Exists(report))
            {
                throw new InvalidOperationException($"pact-verifier wrote no report (exit {run.ExitCode}):\n{run.Output}");
            }

            var json = JsonNode.Parse(await File.ReadAllTextAsync(report))!;
            var failed = (json["errors"] as JsonArray ?? []).Select(e => e?["interaction"]?.GetValue<string>() ?? string.Empty).ToList();
            var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var result in json["interactionResults"] as JsonArray ?? [])
            {
                var description = result!["description"]!.GetValue<string>();
                verdicts[description] = !failed.Any(f => f.EndsWith($" - {description}", StringComparison.Ordinal));
            }

            return new ReferenceVerdict(verdicts, run.Output);
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>npm's own words for the failure (<c>npm error code ECONNREFUSED</c>), without the pointer to its log.</summary>
    private static string Cause(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("complete log", StringComparison.OrdinalIgnoreCase))
            .Take(2)
            .ToList();
        return lines.Count == 0 ? "no output" : string.Join("; ", lines);
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PACT_DO_NOT_TRACK"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
