using System.Diagnostics;
using Archgate.Model;

namespace Archgate.Checks.Prerequisites;

/// <summary>Who needs an external program: a run's checks, the test suite, or a benchmark.</summary>
public enum PrerequisiteUse
{
    /// <summary>Checks of a run use it (when the manifest has what they check).</summary>
    Run,

    /// <summary>The repository's test suite uses it (<c>./build.sh test</c> installs it).</summary>
    Tests,

    /// <summary>A script under <c>bench/</c> uses it.</summary>
    Bench,
}

/// <summary>
/// An external program Archgate or its tests may start: the names it goes by on <c>PATH</c> (and well-known paths),
/// the argument that prints its version, the Debian package that brings it, what needs it, and for a run, whether a
/// given manifest does.
/// </summary>
public sealed record Prerequisite
{
    /// <summary>The program's usual name (<c>chromium</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Executable names looked up on <c>PATH</c>, in order.</summary>
    public required IReadOnlyList<string> Executables { get; init; }

    /// <summary>Absolute paths tried after <c>PATH</c>.</summary>
    public IReadOnlyList<string> KnownPaths { get; init; } = [];

    /// <summary>The argument that makes it print its version; null when it has none worth starting it for.</summary>
    public string? VersionArgument { get; init; } = "--version";

    /// <summary>The Debian package that installs it.</summary>
    public required string Package { get; init; }

    /// <summary>Who uses it.</summary>
    public required PrerequisiteUse Use { get; init; }

    /// <summary>What needs it, in words (<c>step 8 page timing (FCP/LCP)</c>).</summary>
    public required string NeededBy { get; init; }

    /// <summary>For <see cref="PrerequisiteUse.Run"/>: whether a run of this system uses it.</summary>
    public Func<SystemModel, bool> NeededFor { get; init; } = _ => false;

    /// <summary>The full path of the program, from <paramref name="path"/> (a <c>PATH</c> value) or the known paths; null when missing.</summary>
    public string? Locate(string? path = null)
    {
        foreach (var folder in (path ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in Executables)
            {
                var candidate = Path.Combine(folder, name);
                if (IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return KnownPaths.FirstOrDefault(IsExecutable);
    }

    /// <summary>The first line the program prints for <see cref="VersionArgument"/>, within 10 s; null when it prints nothing or fails.</summary>
    public async Task<string?> VersionAsync(string executable, CancellationToken cancellationToken)
    {
        if (VersionArgument is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, VersionArgument)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            var text = (await output).Trim();
            text = text.Length > 0 ? text : (await error).Trim();
            return text.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
