using System.Globalization;
using Archgate.Checks.Http;
using Archgate.Checks.LoadGenerator;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Performance;

/// <summary>Options of step 8's load check.</summary>
public sealed record LoadCheckOptions
{
    /// <summary>Local agent processes sharing the load; null uses the manifest's <c>load.agents</c>.</summary>
    /// <value>Default null.</value>
    public int? Agents { get; init; }

    /// <summary>The command line that starts one agent (<c>archgate agent</c>); needed when there is more than one agent.</summary>
    /// <value>Default null: agents cannot be started, the load runs in process.</value>
    public IReadOnlyList<string>? AgentCommand { get; init; }

    /// <summary>Time allowed on top of the stages for setup, graceful stop and the last timeouts before the check gives up.</summary>
    /// <value>Default 20 s.</value>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Step 8: runs the manifest's load scenario against the target component (allowed hosts only, bounded by the
/// stages plus a grace period), records per-route and per-stage latency, throughput and errors, judges the
/// SLO and thresholds, names the bottlenecks, and compares with the last GO run.
/// </summary>
internal sealed class LoadCheck(HttpComponent target, LoadCheckOptions options) : ICheck
{
    public string Id => $"load:{target.Name}";

    public int Step => 8;

    public string Title => $"{target.Name} holds its SLO under load";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var system = await LoadScenario.WithContractLoginsAsync(context.System, target, cancellationToken);
        var profile = system.Load;
        var agents = options.Agents ?? profile.Agents;
        context.Activity?.Report($"load setup against {target.Url}");
        var setup = await LoadScenario.RunSetupAsync(system, target, context.Http, cancellationToken);
        if (setup.Failure is not null)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                TransientCause = setup.Transient ? setup.Failure : null,
                Findings = [NotRun($"the load could not start: {setup.Failure}", "the scenario's setup (load.setup) must succeed first: is the target up, and are the credentials right?")],
            };
        }

        // Step 9's passive rules judge a sample of the load's responses too (one per route and status; in-process engine only).
        var plan = LoadScenario.BuildPlan(system, target, setup.Variables) with { ResponseObserver = ProbeHttp.ObserverOf(context.Http) };
        var problems = plan.Validate();
        if (problems.Count > 0)
        {
            return CheckResult.From([NotRun("the load plan is invalid: " + string.Join("; ", problems), "fix the load section of the manifest")]);
        }

        var routes = plan.Journeys.SelectMany(j => j.Setup.Concat(j.Steps)).Select(r => r.RouteName).Distinct(StringComparer.Ordinal).ToList();
        var thresholds = LoadReport.Thresholds(system, target, routes);
        var aborting = thresholds.Where(t => t.Spec.AbortOnFail).ToList();
        Func<LoadResult, string?>? abortWhen = aborting.Count == 0 ? null
            : r => aborting.Select(t => t.Evaluate(LoadScenario.WithoutWarmup(r))).FirstOrDefault(o => o.Status == ThresholdStatus.Fail) is { } failed
                ? $"threshold '{failed.Threshold.Text}' failed while running (observed {failed.Observed:0.###})" : null;

        var databases = system.OfKind<DatabaseComponent>().Where(d => d.Engine == DatabaseEngine.Postgres).ToList();
        var statementsBefore = new Dictionary<DatabaseComponent, (IReadOnlyList<StatementStat>? Stats, string? Unavailable)>();
        foreach (var db in databases)
        {
            statementsBefore[db] = await StatementStats.SnapshotAsync(db.Connection, cancellationToken);
        }

        // The in-process engine starts at once; agents count the bound from their go (their start-up is bounded apart).
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (agents <= 1)
        {
            bound.CancelAfter(plan.TotalDuration + options.Grace);
        }

        var progress = new ThroughputTimeline(p => context.Activity?.Report(
            string.Create(CultureInfo.InvariantCulture, $"{p.Stage}: {p.Target:0} users, {p.RequestsPerSecond:0} req/s, p95 {p.P95Ms:0.#} ms, {p.Errors} errors ({p.Elapsed.TotalSeconds:0}/{plan.TotalDuration.TotalSeconds:0} s)")));
        LoadResult result;
        try
        {
            result = agents > 1
                ? await LoadAgents.RunAsync(options.AgentCommand ?? throw new InvalidOperationException("load.agents > 1 needs the agent command; run through 'archgate run'"),
                    system, target, agents, plan, context.Activity, options.Grace, cancellationToken, setup.Variables)
                : await new LoadEngine(context.Time).RunAsync(plan, progress, abortWhen, bound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.From([NotRun($"the load did not finish within its stages plus {options.Grace.TotalSeconds:0} s", "the target stalls: look at its log")]);
        }
        catch (LoadAgentException ex)
        {
            return CheckResult.From([Findings.Create(PerformanceRules.AgentFailed, Severity.High,
                component: target.Name,
                location: "load.agents",
                message: ex.Message,
                evidence: ex.Evidence,
                hint: "run 'archgate agent' by hand with the same manifest to see its error")]);
        }

        result = LoadScenario.WithoutWarmup(result);
        var metrics = LoadReport.Metrics(target.Name, result).Concat(progress.Metrics(target.Name)).ToList();
        if (result.Overall.Requests > 0 && result.Overall.Errors.ConnectionErrors == result.Overall.Requests)
        {
            return CheckResult.From(
                [NotRun($"{target.Name} is not reachable: all {result.Overall.Requests} requests failed to connect", "start it ('archgate run --up' starts the components that have a 'run' section), or fix its url")],
                metrics);
        }

        var findings = new List<Finding>(LoadReport.Judge(target.Name, result, thresholds, profile.AllowNoData));
        findings.AddRange(LoadReport.CaptureMisses(target.Name, result));
        if (result.AbortReason is not null)
        {
            findings.Add(Findings.Create(PerformanceRules.Aborted, Severity.High,
                component: target.Name,
                location: null,
                message: $"the load stopped early: {result.AbortReason}",
                hint: "the threshold has abortOnFail: true, so the rest of the stages did not run"));
        }

        findings.AddRange(LoadAnalysis.Bottlenecks(target.Name, result));
        foreach (var (db, before) in statementsBefore)
        {
            var after = before.Stats is null ? before : await StatementStats.SnapshotAsync(db.Connection, cancellationToken);
            if (before.Stats is null || after.Stats is null)
            {
                findings.Add(Findings.Create(PerformanceRules.StatementsUnavailable, Severity.Info,
                    component: db.Name,
                    location: "pg_stat_statements",
                    message: $"which statements took {db.Name}'s time is unknown: {before.Unavailable ?? after.Unavailable}",
                    hint: "add pg_stat_statements to shared_preload_libraries, restart, and run CREATE EXTENSION pg_stat_statements in the database"));
                continue;
            }

            var delta = StatementStats.Delta(before.Stats, after.Stats);
            var (statements, statementMetrics) = StatementStats.Report(db, delta);
            findings.Add(statements);
            findings.AddRange(StatementStats.NPlusOne(db, delta, result.Overall.Requests));
            metrics.AddRange(statementMetrics);
        }

        var (regressions, regressionMetrics) = LoadAnalysis.Regression(target.Name, metrics, context.History?.LastRun(system.Name, Verdict.Go));
        findings.AddRange(regressions);
        metrics.AddRange(regressionMetrics);
        findings.AddRange(LoadReport.UnjudgedSlos(system, target));
        return CheckResult.From(findings, metrics);
    }

    private Finding NotRun(string message, string hint) => Findings.Create(PerformanceRules.LoadNotRun, Severity.High,
        component: target.Name,
        location: target.Url.ToString(),
        message: message,
        hint: hint);
}
