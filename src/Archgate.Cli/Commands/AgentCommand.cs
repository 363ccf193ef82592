using System.ComponentModel;
using System.Text.Json;
using Archgate.Checks.Http;
using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Performance;
using Archgate.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// <c>archgate agent MANIFEST --segment I/N</c>: runs segment I of N of the manifest's load and prints its
/// results as JSON lines (HDR histograms in compressed encoding, base64) for the coordinator to merge.
/// </summary>
internal sealed class AgentCommand : AsyncCommand<AgentCommand.Settings>
{
    internal sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest whose load section is run. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";

        [CommandOption("--segment <I/N>")]
        [Description("This agent's segment, 0-based: 0/1 is the whole load, 2/4 the third quarter of every stage's users. Default 0/1")]
        public string Segment { get; init; } = "0/1";

        [CommandOption("--shared-stdin")]
        [Description("Read the setup's variables (one JSON object) and then 'go' from stdin, as the coordinator sends them; without it, the agent runs load.setup itself and starts at once")]
        public bool SharedStdin { get; init; }

        [CommandOption("--merge <FILE>")]
        [Description("Instead of loading: merge the agents' lines in FILE (e.g. 'kubectl logs --prefix' of the k8s job; lines are grouped by the text before the first '{') and judge them against the manifest's SLO and thresholds")]
        public string? Merge { get; init; }

        public override ValidationResult Validate() =>
            !LoadAgentProtocol.TryParseSegment(Segment, out _, out _) ? ValidationResult.Error($"--segment '{Segment}': write I/N with 0 <= I < N, e.g. 0/4")
            : Merge is not null && !File.Exists(Merge) ? ValidationResult.Error($"--merge '{Merge}': no such file")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        _ = LoadAgentProtocol.TryParseSegment(settings.Segment, out var index, out var count);
        var target = LoadScenario.Target(model);
        if (target is null)
        {
            await Console.Error.WriteLineAsync("archgate agent: the manifest has no service with a url to load; hint: set load.target");
            return ExitCodes.InvalidManifest;
        }

        model = await LoadScenario.WithContractLoginsAsync(model, target, cancellationToken);
        if (settings.Merge is not null)
        {
            return await MergeAsync(model, target, settings.Merge, cancellationToken);
        }

        IReadOnlyDictionary<string, string> shared;
        if (settings.SharedStdin)
        {
            var line = await Console.In.ReadLineAsync(cancellationToken);
            shared = line is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(line) ?? [];
        }
        else
        {
            using var http = ProbeHttp.CreateClient(model.AllowedHosts);
            var setup = await LoadScenario.RunSetupAsync(model, target, http, cancellationToken);
            if (setup.Failure is not null)
            {
                await Console.Error.WriteLineAsync($"archgate agent: {setup.Failure}");
                return ExitCodes.Infrastructure;
            }

            shared = setup.Variables;
        }

        var plan = LoadScenario.BuildPlan(model, target, shared, index, count);
        var problems = plan.Validate();
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync("archgate agent: " + string.Join("; ", problems));
            return ExitCodes.InvalidManifest;
        }

        var stdout = Console.Out;
        await stdout.WriteLineAsync(LoadAgentProtocol.Ready);
        await stdout.FlushAsync(cancellationToken);
        if (settings.SharedStdin)
        {
            // Wait for the coordinator's go, so that every agent's stages start together.
            var go = await Console.In.ReadLineAsync(cancellationToken);
            if (go != LoadAgentProtocol.Go)
            {
                await Console.Error.WriteLineAsync("archgate agent: the coordinator went away before 'go'");
                return ExitCodes.Cancelled;
            }
        }

        var gate = new Lock();
        var progress = new SynchronousProgress(p =>
        {
            lock (gate)
            {
                stdout.WriteLine(LoadAgentProtocol.Progress(p));
                stdout.Flush();
            }
        });
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(plan.TotalDuration + plan.GracefulStop + plan.RequestTimeout + TimeSpan.FromSeconds(5));
        var result = await new LoadEngine().RunAsync(plan, progress, bound.Token);
        lock (gate)
        {
            foreach (var line in LoadAgentProtocol.Result(result))
            {
                stdout.WriteLine(line);
            }

            stdout.Flush();
        }

        return ExitCodes.Go;
    }

    private static async Task<int> MergeAsync(Archgate.Model.SystemModel model, Archgate.Model.HttpComponent target, string file, CancellationToken cancellationToken)
    {
        var segments = new Dictionary<string, LoadAgentProtocol.Segment>(StringComparer.Ordinal);
        foreach (var line in await File.ReadAllLinesAsync(file, cancellationToken))
        {
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            if (brace < 0)
            {
                continue;
            }

            var prefix = line[..brace];
            if (!segments.TryGetValue(prefix, out var segment))
            {
                segments[prefix] = segment = new LoadAgentProtocol.Segment();
            }

            segment.Read(line[brace..]);
        }

        var done = segments.Values.Where(s => s.Done).ToList();
        if (done.Count == 0)
        {
            await Console.Error.WriteLineAsync($"archgate agent --merge: no finished agent in {file}; hint: each agent ends with a 'done' line");
            return ExitCodes.Infrastructure;
        }

        var result = LoadAgentProtocol.Merge(target.Url, done);
        var routes = result.Routes.Select(r => r.Route).ToList();
        var findings = LoadReport.Judge(target.Name, result, LoadReport.Thresholds(model, target, routes), model.Load.AllowNoData)
            .Concat(LoadReport.CaptureMisses(target.Name, result)).ToList();
        var m = result.Overall;
        Console.WriteLine($"merged {done.Count} of {segments.Count} agents: {m.Requests} requests, {m.RequestsPerSecond:0.0} req/s, p50 {m.P50Ms:0.###} p95 {m.P95Ms:0.###} p99 {m.P99Ms:0.###} max {m.MaxMs:0.###} ms, {m.FailedRate:0.##%} failed");
        foreach (var route in result.Routes)
        {
            Console.WriteLine($"  {route.Route}: {route.Metrics.Requests} requests, p95 {route.Metrics.P95Ms:0.###} ms");
        }

        foreach (var f in findings)
        {
            Console.WriteLine($"  {f.Rule} {f.Message}");
        }

        return findings.Any(f => f.Severity >= Archgate.Protocol.Severity.High) ? ExitCodes.NoGo : ExitCodes.Go;
    }

    /// <summary>Reports on the caller's thread: an agent has no UI thread, and lines must not interleave.</summary>
    private sealed class SynchronousProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
