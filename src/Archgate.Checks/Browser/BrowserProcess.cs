using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Browser;

/// <summary>A program a driver starts (Firefox, WebKitWebDriver, Xvfb): its output kept for errors, and stopped with its children.</summary>
internal sealed class BrowserProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _output = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Seen)> _waits = [];

    private BrowserProcess(Process process) => _process = process;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/> and <paramref name="environment"/> added.</summary>
    public static BrowserProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new BrowserProcess(process);
        process.OutputDataReceived += (_, e) => started.Line(e.Data);
        process.ErrorDataReceived += (_, e) => started.Line(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Its process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// How many of its child processes are alive (not exited, not zombies), read from <c>/proc</c>; null where there is no
    /// <c>/proc</c> to read.
    /// </summary>
    public int? LiveChildren()
    {
        var tasks = $"/proc/{Pid}/task";
        if (!OperatingSystem.IsLinux() || !Directory.Exists(tasks))
        {
            return null;
        }

        try
        {
            var live = 0;
            foreach (var task in Directory.EnumerateDirectories(tasks))
            {
                var children = Path.Combine(task, "children");
                if (!File.Exists(children))
                {
                    continue;
                }

                foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    live += IsAlive(child) ? 1 : 0;
                }
            }

            return live;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HasExited ? 0 : null; // it exited while being read
        }
    }

    /// <summary>Its last lines of output, for an error message.</summary>
    public string Tail
    {
        get
        {
            lock (_gate)
            {
                return string.Join(" | ", _output.TakeLast(3));
            }
        }
    }

    /// <summary>Waits for a line of output that matches <paramref name="pattern"/>.</summary>
    /// <exception cref="BrowserActionException">It exited first, or nothing matched within <paramref name="timeout"/>.</exception>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success) is { } already)
            {
                return already;
            }

            _waits.Add((pattern, seen));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return first == seen.Task
            ? await seen.Task
            : throw new BrowserActionException(first == exited
                ? $"{Path.GetFileName(_process.StartInfo.FileName)} exited with code {_process.ExitCode}: {Tail}"
                : $"{Path.GetFileName(_process.StartInfo.FileName)} did not start within {timeout.TotalSeconds:0} s: {Tail}");
    }

    /// <summary>Whether process <paramref name="pid"/> runs: its <c>stat</c> still readable and its state not Z (zombie) or X (dead).</summary>
    private static bool IsAlive(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Add(line);
            if (_output.Count > 200)
            {
                _output.RemoveAt(0);
            }

            foreach (var (pattern, seen) in _waits)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    seen.TrySetResult(match);
                }
            }
        }
    }

    /// <summary>Gives it <paramref name="grace"/> to exit by itself, then kills it and its children.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            using var bound = new CancellationTokenSource(grace);
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _process.Dispose();
    }
}
