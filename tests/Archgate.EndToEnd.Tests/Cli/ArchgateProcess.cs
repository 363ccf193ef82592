using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>The result of an <c>archgate</c> process.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;
}

/// <summary>
/// Runs the built <c>archgate</c> as a real process in its own working directory, with its own environment,
/// as a user or a CI job would.
/// </summary>
public sealed class ArchgateProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ArchgateProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>The repository root, found from the test assembly's folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The build configuration the tests run under (Debug or Release).</summary>
    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Dll => Path.Combine(RepositoryRoot, "src", "Archgate.Cli", "bin", Configuration, "net10.0", "archgate.dll");

    public static string MinimalManifest => Path.Combine(RepositoryRoot, "samples", "minimal", "archgate.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archgate.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>
    /// How long a whole archgate command may take in a test: long enough for a run on a loaded 2-core machine
    /// (the clean shop's steps 5 and 7 in three browsers took 5.7 min beside a busy suite, ci27), short enough that a hang
    /// fails the test rather than the CI job.
    /// </summary>
    public static TimeSpan RunTimeout { get; } = TimeSpan.FromMinutes(12);

    public static ArchgateProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        return new ArchgateProcess(Process.Start(start)!);
    }

    public static async Task<ProcessResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        return await process.WaitAsync(RunTimeout);
    }

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Whether archgate itself still ran, or had exited while something it started held its output open.
            var exited = _process.HasExited;
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"archgate did not finish in {timeout} (its process {(exited ? "had exited; its output was still held open" : "was still running")}): {Stdout}");
        }

        _process.WaitForExit(); // flush the asynchronous readers
        lock (_stderr)
        {
            return new ProcessResult(_process.ExitCode, Stdout, _stderr.ToString());
        }
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (watch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' did not appear (exited: {_process.HasExited}): {Stdout}");
            }

            await Task.Delay(50);
        }
    }

    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool Alive(int pid) => Archgate.Launch.ProcessTree.IsAlive(pid);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
