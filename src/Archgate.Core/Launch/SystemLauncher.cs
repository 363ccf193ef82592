using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;

namespace Archgate.Launch;

/// <summary>A component Archgate started: its process (PID and start time in clock ticks since boot, which together
/// name it for good), command, port and log.</summary>
public sealed record StartedComponent(string Component, int Pid, string LogFile, DateTimeOffset StartedAt, long ProcessStart = 0, string Command = "", int? Port = null)
{
    /// <summary>True while this very process (not a recycled PID) is alive.</summary>
    public bool IsRunning => ProcessTree.IsSameProcess(Pid, ProcessStart);
}

/// <summary>Why start-up stopped: which component, how, and the end of its log.</summary>
public sealed record LaunchFailure(string Component, string Reason, int? ExitCode, IReadOnlyList<string> LastLogLines);

/// <summary>Live progress of a start-up.</summary>
public interface ILaunchObserver
{
    /// <summary>A component's process is being started.</summary>
    void Starting(Component component, int wave);

    /// <summary>A component passed its readiness probe.</summary>
    void Ready(Component component, TimeSpan elapsed);

    /// <summary>A line of a component's log (for <c>--follow</c>).</summary>
    void LogLine(string component, string line);
}

/// <summary>
/// Starts the components that have a <c>run</c> section wave by wave in plan order: a component starts only
/// when everything it depends on is ready. Output goes to <c>logs/&lt;component&gt;.log</c>; the PIDs go to a
/// state file so <c>archgate down</c> can stop a detached system. Stopping kills whole process trees. While the run
/// goes on, it notices components that exit (<see cref="IComponentProcesses"/>).
/// </summary>
public sealed class SystemLauncher(IntegrationPlan plan, string stateDirectory, ILaunchObserver? observer = null, bool follow = false, TimeProvider? time = null) : IComponentProcesses, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How many log lines a failure shows.</summary>
    public const int TailLines = 20;

    private const string SetSid = "/usr/bin/setsid";

    private readonly List<StartedComponent> _started = [];
    private readonly List<Task> _followers = [];
    private readonly CancellationTokenSource _stopFollowing = new();

    // Components of one wave become ready concurrently: their state writes share one temp file, so they take turns.
    private readonly SemaphoreSlim _saving = new(1, 1);
    private int? _watchdog;

    // The processes started, watched for exits; the exits noticed; the PIDs Archgate stops on purpose. Guarded by _exits.
    private readonly List<(StartedComponent Entry, Process Process)> _watched = [];
    private readonly List<ComponentExit> _exits = [];
    private readonly HashSet<int> _expected = [];
    private bool _disposed;

    /// <summary>
    /// How this program runs its watchdog (for example <c>archgate __watchdog</c>); the launcher appends the parent's
    /// PID, its start ticks and the state file. When set (Linux), started components die with this process even
    /// when it is killed with SIGKILL. Null (the default, and <c>up --detach</c>): components outlive it.
    /// </summary>
    public IReadOnlyList<string>? WatchdogCommand { get; init; }

    /// <summary>
    /// Proxies for the edges callers reach through <c>${url:NAME}</c>; null hands out the dependencies' own addresses
    /// (<c>up --detach</c>, whose proxies could not outlive this process). <value>null</value>.
    /// </summary>
    public IEdgeProxies? Edges { get; init; }

    /// <summary>The state file listing started processes.</summary>
    public string StateFile => StatePath(stateDirectory);

    /// <summary>The state file in <paramref name="directory"/>.</summary>
    public static string StatePath(string directory) => Path.Combine(directory, "system.json");

    private Uri AddressFor(Component caller, string dependency)
    {
        // The manifest loader has checked that the dependency exists and has a url (a broker: its AMQP URI).
        var url = EdgeAddress.Target(plan.System.Find(dependency)) ?? throw new InvalidOperationException($"{caller.Name}: ${{url:{dependency}}} names no component with a url");
        return Edges?.Open(caller.Name, dependency, url) ?? url;
    }

    /// <summary>
    /// Components started so far: a copy, taken under the lock that starting and stopping hold, so a reader on another
    /// thread (the resource monitor's timer) never enumerates the list while a stop clears it (ci20: "Collection was
    /// modified" crashed a run cancelled with Ctrl+C).
    /// </summary>
    public IReadOnlyList<StartedComponent> Started
    {
        get
        {
            lock (_started)
            {
                return [.. _started];
            }
        }
    }

    /// <summary>Starts everything; on failure stops what it started and returns the failure.</summary>
    public async Task<LaunchFailure?> StartAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var logs = Path.Combine(stateDirectory, "logs");
        Directory.CreateDirectory(logs);
        try
        {
            // The state file (with this process as owner) exists before the first component starts, and the watchdog
            // watches it: whatever is recorded in it is stopped if this process disappears.
            await SaveStateAsync();
            StartWatchdog();
            foreach (var wave in plan.Waves)
            {
                var toStart = wave.Where(p => p.Component.Run is not null).ToList();
                var starts = toStart.Select(p => StartOneAsync(p, logs, http, cancellationToken)).ToList();
                var failures = await Task.WhenAll(starts);
                var failure = failures.FirstOrDefault(f => f is not null);
                if (failure is not null)
                {
                    await StopAsync();
                    return failure;
                }
            }
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            throw;
        }

        return null;
    }

    private async Task<LaunchFailure?> StartOneAsync(PlannedComponent planned, string logs, HttpClient http, CancellationToken cancellationToken)
    {
        var component = planned.Component;
        var run = component.Run!;
        var log = Path.Combine(logs, $"{component.Name}.log");
        await File.WriteAllTextAsync(log, string.Empty, cancellationToken);

        // Something already answering on the component's port would pass the readiness probe and be
        // tested in its place; refuse rather than integrate a stranger.
        if (PortOf(component) is { } endpoint && await IsListeningAsync(endpoint.Host, endpoint.Port, cancellationToken))
        {
            return new LaunchFailure(component.Name,
                $"cannot start: {endpoint.Host}:{endpoint.Port} is already in use by another process (stop it, or change the port in the manifest)",
                null, []);
        }

        observer?.Starting(component, planned.Wave);
        var words = CommandLine.Split(run.Command);
        if (words.Count == 0)
        {
            return new LaunchFailure(component.Name, "empty command", null, []);
        }

        // The shell only redirects and then becomes the command (exec): the PID we keep is the component's,
        // and its output goes straight to the log file, so a detached system keeps logging after we exit.
        // setsid (when there is one) puts the component in its own process group, without forking (our child is
        // no group leader), so the PID stays the component's and stopping it reaches the whole group.
        var start = new ProcessStartInfo(File.Exists(SetSid) ? SetSid : "/bin/sh")
        {
            WorkingDirectory = run.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        if (File.Exists(SetSid))
        {
            start.ArgumentList.Add("/bin/sh");
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>\"$ARCHGATE_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("archgate-launch");
        foreach (var word in words)
        {
            start.ArgumentList.Add(word);
        }

        start.Environment["ARCHGATE_LOG"] = log;
        start.Environment["ARCHGATE_COMPONENT"] = component.Name;
        foreach (var (key, value) in run.Environment)
        {
            start.Environment[key] = EdgeAddress.Expand(value, dependency => AddressFor(component, dependency));
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new LaunchFailure(component.Name, $"cannot start '{words[0]}': {ex.Message}", null, []);
        }

        var entry = new StartedComponent(component.Name, process.Id, log, _time.GetUtcNow(), ProcessTree.StartTicks(process.Id) ?? 0, run.Command, PortOf(component)?.Port);
        lock (_started)
        {
            _started.Add(entry);
        }

        Watch(entry, process);

        await SaveStateAsync();
        if (follow)
        {
            _followers.Add(FollowAsync(component.Name, log, _stopFollowing.Token));
        }

        var watch = Stopwatch.StartNew();
        var ready = run.Ready;
        while (watch.Elapsed < ready.Timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken);
                return new LaunchFailure(component.Name, "exited before it was ready", process.ExitCode, Tail(log));
            }

            if (await IsReadyAsync(component, ready, log, http, cancellationToken))
            {
                observer?.Ready(component, watch.Elapsed);
                return null;
            }

            await Task.Delay(150, cancellationToken);
        }

        return new LaunchFailure(component.Name, $"not ready after {ready.Timeout.TotalSeconds:0.#} s ({Describe(ready)})", null, Tail(log));
    }

    private static (string Host, int Port)? PortOf(Component component) =>
        component.Run!.Ready.TcpPort is { } tcp ? (component.Address?.Host ?? "127.0.0.1", tcp)
        : component.Address is { } url ? (url.Host, url.Port)
        : null;

    private static async Task<bool> IsListeningAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The readiness probe in words.</summary>
    public static string Describe(ReadinessProbe ready) =>
        ready.HttpPath is not null ? $"waiting for GET {ready.HttpPath} to answer 2xx"
        : ready.TcpPort is not null ? $"waiting for TCP port {ready.TcpPort}"
        : $"waiting for the log line '{ready.LogLine}'";

    private static async Task<bool> IsReadyAsync(Component component, ReadinessProbe ready, string log, HttpClient http, CancellationToken cancellationToken)
    {
        if (ready.HttpPath is not null && component.Address is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                using var response = await http.GetAsync(new Uri(component.Address, ready.HttpPath), timeout.Token);
                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return false;
            }
        }

        if (ready.TcpPort is { } port)
        {
            using var client = new TcpClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(component.Address?.Host ?? "127.0.0.1", port, timeout.Token);
                return true;
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return false;
            }
        }

        if (ready.LogLine is not null)
        {
            var text = await ReadSharedAsync(log);
            return text.Contains(ready.LogLine, StringComparison.Ordinal);
        }

        return false;
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>The last lines of a log.</summary>
    public static IReadOnlyList<string> Tail(string log, int lines = TailLines)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return all.Skip(Math.Max(0, all.Length - lines)).Select(l => Redact.Text(l.TrimEnd('\r'))).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task FollowAsync(string component, string log, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    await Task.Delay(100, cancellationToken);
                    continue;
                }

                observer?.LogLine(component, Redact.Text(line));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SaveStateAsync()
    {
        await _saving.WaitAsync();
        try
        {
            List<StartedComponent> snapshot;
            lock (_started)
            {
                snapshot = [.. _started];
            }

            var state = new LaunchState(plan.System.Name, plan.System.ManifestPath, snapshot, Environment.ProcessId, OwnStart, WatchdogCommand is null);
            var temp = StateFile + ".tmp";
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(state, ArchgateJson.Options));
            File.Move(temp, StateFile, overwrite: true);
        }
        finally
        {
            _saving.Release();
        }
    }

    private void Watch(StartedComponent entry, Process process)
    {
        lock (_exits)
        {
            _watched.Add((entry, process));
        }

        // The event notices an exit when it happens; Exits() looks again, so one that raced the event is not missed.
        process.Exited += OnExited;
        process.EnableRaisingEvents = true;
    }

    /// <summary>
    /// For tests: runs first in every watched process's <c>Exited</c> handler, on the thread .NET raises it on while it
    /// holds that <see cref="Process"/>'s own lock.
    /// </summary>
    internal Action? ExitedEventArrived { get; set; }

    private void OnExited(object? sender, EventArgs e)
    {
        ExitedEventArrived?.Invoke();
        // Only the process that raised it: reading another one's HasExited may raise that one's event, which takes its lock.
        if (sender is Process process)
        {
            Notice([process]);
        }
    }

    private void NoticeExits()
    {
        List<Process> watched;
        lock (_exits)
        {
            watched = [.. _watched.Select(w => w.Process)];
        }

        Notice(watched);
    }

    /// <summary>
    /// Records which of <paramref name="processes"/> exited. No Process is read while _exits is held: .NET raises Exited
    /// holding the Process's own lock, our handler then takes _exits, and reading a Process (HasExited raises its Exited
    /// when it was not yet) may take that lock. Holding _exits meanwhile was a lock-order inversion: 12 components
    /// stopped at once hung a test (ci83) as the disposal had hung a run (ci79).
    /// </summary>
    private void Notice(IEnumerable<Process> processes)
    {
        foreach (var process in processes)
        {
            StartedComponent? entry;
            lock (_exits)
            {
                entry = _disposed ? null : _watched.FirstOrDefault(w => ReferenceEquals(w.Process, process)).Entry;
                if (entry is null || _exits.Any(x => x.Pid == entry.Pid))
                {
                    continue;
                }
            }

            int exitCode;
            try
            {
                if (!process.HasExited)
                {
                    continue;
                }

                exitCode = process.ExitCode;
            }
            catch (InvalidOperationException)
            {
                continue; // disposed meanwhile: the launcher is being disposed
            }

            var exit = new ComponentExit(entry.Component, entry.Pid, exitCode, _time.GetUtcNow(), entry.LogFile, Tail(entry.LogFile));
            lock (_exits)
            {
                if (!_disposed && !_exits.Any(x => x.Pid == entry.Pid))
                {
                    _exits.Add(exit with { Expected = _expected.Contains(entry.Pid) });
                }
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ComponentExit> Exits()
    {
        NoticeExits();
        lock (_exits)
        {
            return [.. _exits];
        }
    }

    /// <inheritdoc />
    public void ExpectExit(string component)
    {
        lock (_exits)
        {
            foreach (var (entry, _) in _watched.Where(w => w.Entry.Component == component))
            {
                _expected.Add(entry.Pid);
            }
        }
    }

    /// <summary>Stops everything started, dependants first (reverse start order), and removes the state file.</summary>
    public async Task StopAsync()
    {
        await _stopFollowing.CancelAsync();
        await Task.WhenAll(_followers);
        List<StartedComponent> toStop;
        lock (_started)
        {
            toStop = [.. _started];
            _started.Clear();
        }

        foreach (var component in toStop)
        {
            ExpectExit(component.Component);
        }

        await StopProcessesAsync(toStop);
        File.Delete(StateFile);
        if (_watchdog is { } watchdog && ProcessTree.IsAlive(watchdog))
        {
            await ProcessTree.StopAsync(watchdog, TimeSpan.FromSeconds(2));
        }

        _watchdog = null;
    }

    private static long OwnStart => ProcessTree.StartTicks(Environment.ProcessId) ?? 0;

    private void StartWatchdog()
    {
        if (WatchdogCommand is not { Count: > 0 } command || !OperatingSystem.IsLinux() || _watchdog is not null)
        {
            return;
        }

        // Its own session (so a Ctrl+C to the terminal's group does not stop it before we do) and no inherited
        // output pipes (so whoever reads our output sees end-of-file when we exit).
        var start = new ProcessStartInfo(File.Exists(SetSid) ? SetSid : "/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        if (File.Exists(SetSid))
        {
            start.ArgumentList.Add("/bin/sh");
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >/dev/null 2>&1 </dev/null");
        start.ArgumentList.Add("archgate-watchdog");
        foreach (var word in command.Concat([Environment.ProcessId.ToString(CultureInfo.InvariantCulture), OwnStart.ToString(CultureInfo.InvariantCulture), Path.GetFullPath(StateFile)]))
        {
            start.ArgumentList.Add(word);
        }

        using var process = Process.Start(start);
        _watchdog = process?.Id;
    }

    /// <summary>Stops the processes of a state file (for <c>archgate down</c>); returns what was stopped.</summary>
    public static async Task<IReadOnlyList<StartedComponent>> StopFromStateAsync(string stateDirectory)
    {
        var path = StatePath(stateDirectory);
        if (!File.Exists(path))
        {
            return [];
        }

        var state = JsonSerializer.Deserialize<LaunchState>(await File.ReadAllTextAsync(path), ArchgateJson.Options);
        var components = (state?.Components ?? []).Where(c => c.IsRunning).ToList();
        await StopProcessesAsync(components);
        File.Delete(path);
        return components;
    }

    /// <summary>The state file's content, or null when there is none (or it cannot be read).</summary>
    public static LaunchState? ReadState(string stateFile)
    {
        try
        {
            return JsonSerializer.Deserialize<LaunchState>(File.ReadAllText(stateFile), ArchgateJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stops recorded processes, dependants first (reverse start order), each only while it is the very process
    /// recorded (PID and start time), so a recycled PID is never signalled.
    /// </summary>
    public static async Task StopProcessesAsync(IReadOnlyList<StartedComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        foreach (var component in components.Reverse())
        {
            if (component.IsRunning)
            {
                await ProcessTree.StopAsync(component.Pid, TimeSpan.FromSeconds(5));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopFollowing.Dispose();
        _saving.Dispose();
        List<(StartedComponent Entry, Process Process)> watched;
        lock (_exits)
        {
            _disposed = true;
            watched = [.. _watched];
            _watched.Clear();
        }

        // Not under _exits: .NET raises Exited holding the Process's lock and our handler then takes _exits, while
        // disposing a Process takes its lock. Both under one thread's locks in the other order was a deadlock right after
        // the stop, when the exits arrive: the run was written and the process never ended (ci79).
        foreach (var (_, process) in watched)
        {
            process.Exited -= OnExited;
            process.Dispose();
        }
    }

    /// <summary>The state file's content: what was started, and by which Archgate process (PID and start ticks).</summary>
    public sealed record LaunchState(string System, string Manifest, IReadOnlyList<StartedComponent> Components, int OwnerPid = 0, long OwnerStart = 0, bool Detached = true);
}
