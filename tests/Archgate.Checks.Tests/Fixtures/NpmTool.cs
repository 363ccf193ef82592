using System.Diagnostics;

namespace Archgate.Tests;

/// <summary>
/// A command-line tool from an npm package, pinned to a version and installed on first use into a cache folder
/// (<c>ARCHGATE_TOOLS_CACHE</c>, else <c>~/.cache/archgate</c>, the temp folder without a home). A test may skip only
/// when npm or its registry is not there; any other failed install throws. Shared by the Pact reference verifier and
/// the Prism mock (linked source in Archgate.EndToEnd.Tests).
/// </summary>
/// <param name="package">The npm package, for example <c>@stoplight/prism-cli</c>.</param>
/// <param name="version">The pinned version, so that verdicts do not move under the tests.</param>
/// <param name="folder">The cache folder's name, without the version.</param>
/// <param name="binary">The executable the package puts in <c>node_modules/.bin</c>.</param>
/// <param name="environment">Set for every process this tool runs (installs included).</param>
public sealed class NpmTool(string package, string version, string folder, string binary, IReadOnlyDictionary<string, string>? environment = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _unreachable;

    /// <summary>The npm package.</summary>
    public string Package => package;

    /// <summary>The pinned version.</summary>
    public string Version => version;

    /// <summary>Where the package is installed.</summary>
    public string CacheDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("ARCHGATE_TOOLS_CACHE") is { Length: > 0 } root ? root : Path.Combine(Home(), ".cache", "archgate"),
        $"{folder}-{version}");

    private string Executable => Path.Combine(CacheDirectory, "node_modules", ".bin", binary);

    /// <summary>The tool's path, installing it with npm when missing; null with the reason when npm or its registry is not there.</summary>
    public async Task<(string? Path, string? SkipReason)> EnsureInstalledAsync()
    {
        await _gate.WaitAsync();
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

            (int ExitCode, string Output) install;
            try
            {
                install = await RunAsync("npm", ["install", "--prefix", CacheDirectory, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", $"{package}@{version}"],
                    TimeSpan.FromMinutes(5));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                _unreachable = "npm is not installed (build.sh installs it)";
                return (null, _unreachable);
            }

            if (install.ExitCode == 0 && File.Exists(Executable))
            {
                return (Executable, null);
            }

            var ping = await RunAsync("npm", ["ping"], TimeSpan.FromSeconds(60));
            if (ping.ExitCode != 0)
            {
                _unreachable = $"the npm registry is unreachable (npm ping: {Cause(ping.Output)}), so {package}@{version} cannot be installed into {CacheDirectory}";
                return (null, _unreachable);
            }

            throw new InvalidOperationException($"npm install {package}@{version} failed although the registry answers (exit {install.ExitCode}):\n{install.Output}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="file"/> with this tool's environment; kills it after <paramref name="timeout"/>.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

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

    private static string Home() =>
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : Path.GetTempPath();

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
}
