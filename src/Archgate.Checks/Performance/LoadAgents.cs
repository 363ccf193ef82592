using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Archgate.Checks.LoadGenerator;
using Archgate.Launch;
using Archgate.Model;

namespace Archgate.Checks.Performance;

/// <summary>A load agent failed: it exited early, printed a malformed line, or never became ready.</summary>
public sealed class LoadAgentException(string message, string? evidence) : Exception(message)
{
    /// <summary>The agent's last lines of stderr, redacted.</summary>
    public string? Evidence { get; } = evidence;
}

/// <summary>
/// The coordinator: starts N local <c>archgate agent</c> processes, each with a segment of the users, hands
/// them the shared setup variables on stdin, starts them together, reads their lines and merges their
/// histograms into one result.
/// </summary>
public static class LoadAgents
{
    /// <summary>How long agents may take to start and report ready. <value>60 s</value>.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="agents"/> agents and merges what they measured.</summary>
    /// <param name="command">The command line that starts one agent, e.g. <c>dotnet archgate.dll agent</c>.</param>
    /// <param name="system">The system; its manifest is what each agent loads.</param>
    /// <param name="target">The component loaded.</param>
    /// <param name="agents">Number of agents (segments).</param>
    /// <param name="plan">The whole plan, for its duration.</param>
    /// <param name="activity">Live progress, merged over the agents.</param>
    /// <param name="grace">How long past the plan's duration, counted from the go, the agents may take to finish;
    /// after it the run is cancelled (<see cref="OperationCanceledException"/>). Start-up has its own
    /// <see cref="ReadyTimeout"/>, so slow process starts on a loaded machine do not eat into the stages.</param>
    /// <param name="cancellationToken">Stops every agent.</param>
    /// <param name="shared">Variables captured by the scenario's setup, handed to every agent.</param>
    public static async Task<LoadResult> RunAsync(
        IReadOnlyList<string> command,
        SystemModel system,
        HttpComponent target,
        int agents,
        LoadPlan plan,
        IProgress<string>? activity,
        TimeSpan grace,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? shared = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        var processes = new List<AgentProcess>();
        try
        {
            for (var i = 0; i < agents; i++)
            {
                processes.Add(AgentProcess.Start(command, system.ManifestPath, i, agents, shared ?? new Dictionary<string, string>()));
            }

            activity?.Report($"starting {agents} load agents");
            using (var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                ready.CancelAfter(ReadyTimeout);
                try
                {
                    await Task.WhenAll(processes.Select(p => p.Ready.WaitAsync(ready.Token)));
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new LoadAgentException($"load agents not ready after {ReadyTimeout.TotalSeconds:0} s", string.Join(Environment.NewLine, processes.Select(p => p.Stderr)));
                }
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(plan.TotalDuration + grace);
            foreach (var p in processes)
            {
                await p.SendGoAsync();
            }

            var reporting = ReportAsync(processes, plan, activity, bound.Token);
            await Task.WhenAll(processes.Select(p => p.Exited.WaitAsync(bound.Token)));
            await reporting;
            foreach (var p in processes)
            {
                if (p.Error is not null || !p.Segment.Done)
                {
                    throw new LoadAgentException($"load agent {p.Index + 1} of {agents} failed: {p.Error ?? $"exited with code {p.ExitCode} before reporting its results"}", p.Stderr);
                }
            }

            return LoadAgentProtocol.Merge(target.Url, [.. processes.Select(p => p.Segment)]);
        }
        finally
        {
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }
        }
    }

    private static async Task ReportAsync(List<AgentProcess> processes, LoadPlan plan, IProgress<string>? activity, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (activity is not null && !processes.All(p => p.Exited.IsCompleted) && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(Task.WhenAll(processes.Select(p => p.Exited)), Task.Delay(1000, CancellationToken.None));
            var last = processes.Select(p => p.Segment.LastProgress).Where(p => p is not null).ToList();
            if (last.Count > 0)
            {
                activity.Report(string.Create(CultureInfo.InvariantCulture,
                    $"{(string?)last[0]!["stage"]}: {last.Sum(p => (double)p!["users"]!):0} users on {processes.Count} agents, {last.Sum(p => (double)p!["rps"]!):0} req/s, p95 {last.Max(p => (double)p!["p95"]!):0.#} ms (slowest agent), {last.Sum(p => (long)p!["errors"]!)} errors ({watch.Elapsed.TotalSeconds:0}/{plan.TotalDuration.TotalSeconds:0} s)"));
            }
        }
    }

    private sealed class AgentProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Queue<string> _stderr = new();
        private readonly Lock _lock = new();

        private AgentProcess(Process process, int index)
        {
            _process = process;
            Index = index;
        }

        public int Index { get; }

        public LoadAgentProtocol.Segment Segment { get; } = new();

        public Task Ready => _ready.Task;

        public Task Exited => _exited.Task;

        public string? Error { get; private set; }

        public int ExitCode => _process.HasExited ? _process.ExitCode : -1;

        public string Stderr
        {
            get
            {
                lock (_lock)
                {
                    return Redact.Text(string.Join(Environment.NewLine, _stderr));
                }
            }
        }

        public static AgentProcess Start(IReadOnlyList<string> command, string manifest, int index, int count, IReadOnlyDictionary<string, string> shared)
        {
            var start = new ProcessStartInfo(command[0])
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(manifest) ?? ".",
            };
            foreach (var a in command.Skip(1))
            {
                start.ArgumentList.Add(a);
            }

            // An agent is a pure load process: socket continuations inline on the I/O threads (a value the user set is kept).
            if (Environment.GetEnvironmentVariable(LoadRuntime.InlineCompletions) is null)
            {
                start.Environment[LoadRuntime.InlineCompletions] = "1";
            }

            start.ArgumentList.Add(manifest);
            start.ArgumentList.Add("--segment");
            start.ArgumentList.Add($"{index}/{count}");
            start.ArgumentList.Add("--shared-stdin");
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var agent = new AgentProcess(process, index);
            process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => agent.OnError(e.Data);
            process.Exited += (_, _) => agent.OnExit();
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Secrets (a token from setup) go through stdin, never the command line or the environment.
            process.StandardInput.WriteLine(JsonSerializer.Serialize(shared));
            process.StandardInput.Flush();
            return agent;
        }

        public async Task SendGoAsync()
        {
            try
            {
                await _process.StandardInput.WriteLineAsync(LoadAgentProtocol.Go);
                await _process.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // It exited already; its exit code and stderr tell why.
            }
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                _exited.TrySetResult();
                return;
            }

            try
            {
                var type = Segment.Read(line);
                if (type == "ready")
                {
                    _ready.TrySetResult();
                }
            }
            catch (FormatException e)
            {
                Error ??= $"malformed line from the agent: {e.Message}";
            }
        }

        private void OnError(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lock)
            {
                _stderr.Enqueue(line);
                if (_stderr.Count > 20)
                {
                    _stderr.Dequeue();
                }
            }
        }

        private void OnExit()
        {
            // stdout may still hold lines: the null line of OutputDataReceived completes Exited.
            if (!_ready.Task.IsCompleted)
            {
                _ready.TrySetException(new LoadAgentException($"load agent {Index + 1} exited with code {_process.ExitCode} before it was ready", Stderr));
            }
        }

        public async ValueTask DisposeAsync()
        {
            _ready.TrySetCanceled();
            try
            {
                if (!_process.HasExited)
                {
                    await ProcessTree.StopAsync(_process.Id, TimeSpan.FromSeconds(2));
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }
    }
}
