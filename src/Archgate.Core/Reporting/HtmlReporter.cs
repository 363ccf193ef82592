using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>
/// integration-validation-report.html: the report as one self-contained page (no network: inline CSS and SVG, no
/// script): the verdict and criteria first, each step with its checks and findings (filtered by severity with
/// checkboxes, pure CSS), latency charts per stage (p50, p95 and p99 of each route) and page timings, escalations,
/// the sign-off trail and waivers. Everything a target or a manifest wrote is HTML-encoded with control characters
/// shown escaped.
/// </summary>
public sealed partial class HtmlReporter : IReporter
{
    private static readonly Severity[] Severities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Info];

    /// <summary>Step 8's time series: requests completed in each second of the load, tagged <c>component</c>, <c>stage</c> and <c>t</c> (the second).</summary>
    public const string ThroughputMetric = "http_reqs_timeline";

    /// <inheritdoc />
    public string Name => "html";

    /// <inheritdoc />
    public string FileName => "integration-validation-report.html";

    /// <inheritdoc />
    public async Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync(Encoding.UTF8.GetBytes(Render(run)), cancellationToken);
    }

    /// <summary>The page as text.</summary>
    public static string Render(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
            .Append(CultureInfo.InvariantCulture, $"<title>Integration validation report: {E(run.System)}</title><style>{Css}</style></head><body>\n");
        foreach (var severity in Severities)
        {
            html.Append(CultureInfo.InvariantCulture, $"<input type=\"checkbox\" class=\"filter\" id=\"hide-{Key(severity)}\"{(severity == Severity.Info ? " checked" : string.Empty)}>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<header><h1>Integration validation report: {E(run.System)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"verdict {VerdictClass(run)}\">{E(MarkdownReporter.VerdictText(run))}</p>");
        if (run.Awaiting is { } awaiting)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Awaiting sign-off: {E(awaiting)}.</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">run <code>{E(run.RunId)}</code> · started {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC · ")
            .Append(run.Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.0} s") : "not finished")
            .Append(CultureInfo.InvariantCulture, $" · manifest <code>{E(Path.GetFileName(run.ManifestPath))}</code> sha256 <code>{E(run.ManifestSha256[..Math.Min(12, run.ManifestSha256.Length)])}</code></p></header>\n");

        WriteCriteria(html, run);
        WriteSummary(html, run);
        WriteGraph(html, run);
        html.Append("<section><h2>Steps</h2><p class=\"filters\">Hide findings: ");
        foreach (var severity in Severities)
        {
            html.Append(CultureInfo.InvariantCulture, $"<label for=\"hide-{Key(severity)}\" class=\"sev {Key(severity)}\">{Key(severity)} ({run.Steps.Sum(s => s.Checks.Sum(c => c.Findings.Count(f => f.Severity == severity)))})</label> ");
        }

        html.Append("</p>\n");
        foreach (var step in run.Steps.OrderBy(s => s.Number))
        {
            WriteStep(html, step);
            if (step.Number == 7 && BrowserCell.Matrix([step]) is { Count: > 0 } cells)
            {
                html.Append("<article id=\"browser-matrix\"><h3>Browser journeys: journey × engine</h3><table><tr><th>journey</th>");
                html.Append(string.Concat(BrowserCell.Engines.Select(e => $"<th>{e}</th>"))).Append("</tr>");
                foreach (var journey in cells.GroupBy(c => c.Journey))
                {
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(journey.Key)}</td>");
                    foreach (var engine in BrowserCell.Engines)
                    {
                        var cell = journey.FirstOrDefault(c => c.Engine == engine);
                        var css = cell?.Status switch { "passed" => "pass", "failed" => "fail", _ => "warn" };
                        html.Append(CultureInfo.InvariantCulture, $"<td class=\"st {css}\"{(cell?.Reason is { } why ? $" title=\"{E(why)}\"" : string.Empty)}>{E(cell?.Text ?? "not run (browsers)")}</td>");
                    }

                    html.Append("</tr>");
                }

                html.Append("</table></article>\n");
            }
        }

        html.Append("</section>\n");
        WriteEscalations(html, run);
        WriteRecovery(html, run);
        WriteSignoff(html, run);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void WriteCriteria(StringBuilder html, RunRecord run)
    {
        html.Append("<section><h2>Validation criteria</h2>");
        if (run.Criteria.Count == 0)
        {
            html.Append("<p>Not evaluated: the run did not finish.</p></section>\n");
            return;
        }

        html.Append("<table><tr><th>criterion</th><th>status</th><th>observed</th><th>target</th></tr>");
        foreach (var c in run.Criteria)
        {
            var status = Judging.SignoffJudge.StatusText(c.Status);
            var observed = c.WaivedRules is { Count: > 0 } rules ? $"{c.Observed} (waived: {string.Join(", ", rules)})" : c.Observed;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Description)}</td><td class=\"st {E(status)}\">{E(status)}</td><td>{E(observed)}</td><td>{E(c.Target)}</td></tr>");
        }

        html.Append("</table></section>\n");
    }

    private static void WriteSummary(StringBuilder html, RunRecord run)
    {
        html.Append("<section><h2>Summary</h2><table><tr><th>step</th><th>status</th><th>checks</th><th>findings</th><th>duration</th></tr>");
        foreach (var step in run.Steps.OrderBy(s => s.Number))
        {
            var status = step.NotApplicable is null ? Status(step.Status) : "not-applicable";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"#step-{step.Number}\">{step.Number}. {E(step.Name)}</a></td><td class=\"st {status}\">{status}</td><td>{step.Checks.Count}</td><td>{step.Checks.Sum(c => c.Findings.Count)}</td><td>{step.DurationMs} ms</td></tr>");
        }

        html.Append("</table>");
        var notRun = Enumerable.Range(1, ProtocolSteps.Count).Except(run.Steps.Select(s => s.Number)).ToList();
        if (notRun.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Steps {string.Join(", ", notRun)} did not run.</p>");
        }

        html.Append("</section>\n");
    }

    private static void WriteStep(StringBuilder html, StepResult step)
    {
        html.Append(CultureInfo.InvariantCulture, $"<article id=\"step-{step.Number}\"><h3>{step.Number}. {E(step.Title ?? step.Name)}</h3>");
        if (step.NotApplicable is { } reason)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Not applicable: {E(reason)}.</p></article>\n");
            return;
        }

        html.Append("<table><tr><th>check</th><th>status</th><th>duration</th><th>note</th></tr>");
        foreach (var check in step.Checks)
        {
            var note = check.Reason ?? (check.Findings.Count > 0 ? $"{check.Findings.Count} finding(s)" : string.Empty);
            if (check.Attempts.Count > 1)
            {
                note = $"{note} {check.Attempts.Count} attempts".Trim();
            }

            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(check.Id)}</code></td><td class=\"st {Status(check.Status)}\">{Status(check.Status)}</td><td>{check.DurationMs} ms</td><td>{E(note)}</td></tr>");
        }

        html.Append("</table>");
        var findings = step.Checks.SelectMany(c => c.Findings).OrderByDescending(f => f.Severity).ToList();
        if (findings.Count > 0)
        {
            html.Append("<ul class=\"findings\">");
            foreach (var f in findings)
            {
                var where = string.Join(" ", new[] { f.Component, f.Location }.Where(s => !string.IsNullOrEmpty(s)));
                html.Append(CultureInfo.InvariantCulture, $"<li class=\"{Key(f.Severity)}\"><span class=\"sev {Key(f.Severity)}\">{Key(f.Severity)}</span> <b>{E(f.Rule)}</b> ");
                if (where.Length > 0)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<code>{E(where)}</code> ");
                }

                html.Append(E(f.Message));
                if (f.Evidence is not null)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<details><summary>evidence</summary><pre>{E(f.Evidence)}</pre></details>");
                }

                var shots = Screenshot().Matches($"{f.Message} {f.Evidence}").Select(m => m.Groups[1].Value).Where(p => !p.Contains("..", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
                if (shots.Count > 0)
                {
                    // Screenshots the checks kept in the run folder, beside this report: linked, never embedded.
                    html.Append("<p class=\"shots\">screenshots: ");
                    html.AppendJoin(", ", shots.Select(p => $"<a href=\"{E(p)}\">{E(Path.GetFileName(p))}</a>"));
                    html.Append("</p>");
                }

                if (f.Hint is not null)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\">hint: {E(f.Hint)}</p>");
                }

                html.Append("</li>");
            }

            html.Append("</ul>");
        }

        var metrics = step.Checks.SelectMany(c => c.Metrics).ToList();
        WriteLatencyCharts(html, metrics);
        WriteThroughput(html, metrics);
        WritePageTimings(html, metrics);
        html.Append("</article>\n");
    }

    /// <summary>One horizontal bar chart per stage: each route's p50, p95 and p99, on one scale per chart.</summary>
    private static void WriteLatencyCharts(StringBuilder html, IReadOnlyList<Metric> metrics)
    {
        var latency = metrics.Where(m => m.Name == "http_req_duration" && m.Tags.ContainsKey("route") && m.Tags.ContainsKey("stat")).ToList();
        foreach (var stage in latency.GroupBy(m => m.Tags.GetValueOrDefault("stage") ?? "all"))
        {
            var routes = stage.GroupBy(m => m.Tags["route"]).Select(g => (Route: g.Key, Stats: g.ToDictionary(m => m.Tags["stat"], m => m.Value))).ToList();
            var max = Math.Max(1, routes.Max(r => r.Stats.GetValueOrDefault("p99", r.Stats.GetValueOrDefault("p95"))));
            const int Label = 220;
            const int Width = 460;
            const int Row = 34;
            var height = (routes.Count * Row) + 30;
            html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>Latency by route, stage {E(stage.Key)} (ms): p50, p95, p99</figcaption>")
                .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Label + Width + 90}\" height=\"{height}\" role=\"img\">");
            for (var i = 0; i < routes.Count; i++)
            {
                var (route, stats) = routes[i];
                var y = 6 + (i * Row);
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\" class=\"lbl\">{E(route)}</text>");
                var bar = 0;
                foreach (var (stat, cls) in new[] { ("p50", "b50"), ("p95", "b95"), ("p99", "b99") })
                {
                    if (stats.TryGetValue(stat, out var value))
                    {
                        var w = Math.Max(1, value / max * Width);
                        html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Label}\" y=\"{y + (bar * 9)}\" width=\"{w:0.#}\" height=\"8\" class=\"{cls}\"><title>{E(route)} {stat} {value:0.##} ms</title></rect>");
                        if (stat == "p95")
                        {
                            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Label + w + 4:0.#}\" y=\"{y + 17}\" class=\"val\">{value:0.#}</text>");
                        }
                    }

                    bar++;
                }
            }

            html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Label}\" y1=\"{height - 22}\" x2=\"{Label + Width}\" y2=\"{height - 22}\" class=\"axis\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{Label}\" y=\"{height - 6}\" class=\"val\">0</text><text x=\"{Label + Width - 40}\" y=\"{height - 6}\" class=\"val\">{max:0.#} ms</text>")
                .Append("</svg></figure>");
        }
    }

    /// <summary>
    /// The dependency graph as step 1 planned it: one column per integration wave (first on the left), an arrow from
    /// each component to what it depends on; components named by a finding of a failed check are drawn red.
    /// </summary>
    private static void WriteGraph(StringBuilder html, RunRecord run)
    {
        if (run.Graph.Count == 0)
        {
            return;
        }

        const int Width = 150;
        const int Height = 40;
        const int ColumnGap = 70;
        const int RowGap = 16;
        const int Top = 30;
        const int Pad = 10;
        var failing = run.Steps.SelectMany(s => s.Checks)
            .Where(c => c.Status is CheckStatus.Fail or CheckStatus.Error)
            .SelectMany(c => c.Findings.Where(f => f.Severity >= Severity.High).Select(f => f.Component))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var waves = run.Graph.GroupBy(n => n.Wave).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var at = new Dictionary<string, (int X, int Y)>(StringComparer.Ordinal);
        for (var w = 0; w < waves.Count; w++)
        {
            for (var i = 0; i < waves[w].Count; i++)
            {
                at[waves[w][i].Name] = (Pad + (w * (Width + ColumnGap)), Top + (i * (Height + RowGap)));
            }
        }

        var svgWidth = (2 * Pad) + (waves.Count * Width) + ((waves.Count - 1) * ColumnGap);
        var svgHeight = Top + Pad + (waves.Max(w => w.Count) * (Height + RowGap));
        html.Append("<section><h2>Dependency graph</h2><figure><figcaption>Integration waves from left to right; an arrow goes from a component to what it depends on")
            .Append(failing.Count > 0 ? "; components with high or critical findings in failed checks are red" : string.Empty)
            .Append(CultureInfo.InvariantCulture, $"</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{svgWidth}\" height=\"{svgHeight}\" role=\"img\" class=\"graph\">")
            .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" class=\"arrow\"/></marker></defs>");
        for (var w = 0; w < waves.Count; w++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad + (w * (Width + ColumnGap))}\" y=\"18\" class=\"wave\">wave {waves[w][0].Wave}</text>");
        }

        foreach (var node in run.Graph)
        {
            foreach (var dependency in node.DependsOn.Where(at.ContainsKey))
            {
                var (fromX, fromY) = at[node.Name];
                var (toX, toY) = at[dependency];
                html.Append(CultureInfo.InvariantCulture, $"<path d=\"M{fromX},{fromY + (Height / 2)} C{fromX - (ColumnGap / 2)},{fromY + (Height / 2)} {toX + Width + (ColumnGap / 2)},{toY + (Height / 2)} {toX + Width},{toY + (Height / 2)}\" class=\"edge\" marker-end=\"url(#arrow)\"><title>{E(node.Name)} depends on {E(dependency)}</title></path>");
            }
        }

        foreach (var node in run.Graph)
        {
            var (x, y) = at[node.Name];
            var bad = failing.Contains(node.Name);
            html.Append(CultureInfo.InvariantCulture, $"<g class=\"node{(bad ? " failing" : string.Empty)}\"><title>{E(node.Name)} ({Kind(node.Kind)}), wave {node.Wave}{(bad ? ", failing" : string.Empty)}</title>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Width}\" height=\"{Height}\" rx=\"5\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 8}\" y=\"{y + 17}\" class=\"lbl\">{E(Fit(node.Name, 19))}</text><text x=\"{x + 8}\" y=\"{y + 32}\" class=\"kind\">{Kind(node.Kind)}{(bad ? " · failing" : string.Empty)}</text></g>");
        }

        html.Append("</svg></figure></section>\n");
    }

    /// <summary>
    /// Step 8's throughput over time (<c>http_reqs_timeline</c>: requests completed in each second of the load), one
    /// chart per target with the load stages as bands behind the line.
    /// </summary>
    private static void WriteThroughput(StringBuilder html, IReadOnlyList<Metric> metrics)
    {
        var timeline = metrics.Where(m => m.Name == ThroughputMetric && m.Tags.ContainsKey("t")).ToList();
        foreach (var target in timeline.GroupBy(m => m.Tags.GetValueOrDefault("component") ?? "all"))
        {
            var points = target
                .Select(m => (T: int.TryParse(m.Tags["t"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : -1, Stage: m.Tags.GetValueOrDefault("stage") ?? string.Empty, m.Value))
                .Where(p => p.T >= 0)
                .OrderBy(p => p.T)
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            const int Left = 60;
            const int Plot = 620;
            const int Tall = 160;
            const int Top = 22;
            var span = Math.Max(1, points[^1].T + 1);
            var max = Math.Max(1, points.Max(p => p.Value));
            double X(double t) => Left + (t / span * Plot);
            double Y(double v) => Top + Tall - (v / max * Tall);
            html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>Throughput over time, {E(target.Key)} (requests per second, by load stage)</figcaption>")
                .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + Plot + 20}\" height=\"{Top + Tall + 30}\" role=\"img\" class=\"throughput\">");
            var band = 0;
            foreach (var stage in points.GroupBy(p => p.Stage))
            {
                var from = stage.Min(p => p.T);
                var to = stage.Max(p => p.T) + 1;
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{X(from):0.#}\" y=\"{Top}\" width=\"{X(to) - X(from):0.#}\" height=\"{Tall}\" class=\"band{band++ % 2}\"><title>stage {E(stage.Key)}: {from}-{to} s, peak {stage.Max(p => p.Value):0.#} req/s</title></rect>")
                    .Append(CultureInfo.InvariantCulture, $"<text x=\"{X(from) + 3:0.#}\" y=\"{Top - 6}\" class=\"val\">{E(Fit(stage.Key, 24))}</text>");
            }

            var line = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.T + 0.5):0.#},{Y(p.Value):0.#}")));
            html.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{line}\" class=\"rate\"/>")
                .Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + Tall}\" x2=\"{Left + Plot}\" y2=\"{Top + Tall}\" class=\"axis\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + Tall}\" class=\"axis\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + 8}\" class=\"val\" text-anchor=\"end\">{max:0.#}</text><text x=\"{Left - 4}\" y=\"{Top + Tall}\" class=\"val\" text-anchor=\"end\">0</text>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + Tall + 16}\" class=\"val\">0 s</text><text x=\"{Left + Plot - 30}\" y=\"{Top + Tall + 16}\" class=\"val\">{span} s</text>")
                .Append("</svg></figure>");
        }
    }

    /// <summary>The rollback commands run after a failed late step, and the databases' snapshots: restored, dropped or kept, with their row counts.</summary>
    private static void WriteRecovery(StringBuilder html, RunRecord run)
    {
        html.Append("<section><h2>Rollback and database state</h2>");
        if (run.Rollbacks.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(run.RollbackFor.Count > 0 ? $"Step {string.Join(", ", run.RollbackFor)} failed, but the manifest declares no rollback command (recovery.rollback)." : "No rollback command ran: no step in the rollback scope (5-10) failed.")}</p>");
        }
        else
        {
            html.Append("<table><tr><th>command</th><th>exit code</th><th>duration</th><th>output</th></tr>");
            foreach (var r in run.Rollbacks)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(r.Command)}</code></td><td>{E(r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? r.Error ?? "-")}</td><td>{r.DurationMs} ms</td><td><pre>{E(r.Output)}</pre></td></tr>");
            }

            html.Append("</table>");
        }

        if (run.Snapshots.Count > 0)
        {
            html.Append("<table><tr><th>database</th><th>state</th><th>rows when snapshotted</th><th>rows the run left</th><th>rows after restore</th><th>note</th></tr>");
            foreach (var snap in run.Snapshots)
            {
                var state = MarkdownReporter.SnapshotStateText(snap);
                var cls = snap.State switch
                {
                    SnapshotState.Failed => "fail",
                    SnapshotState.Restored when !snap.RestoredExactly => "warn",
                    SnapshotState.Kept => "warn",
                    _ => "pass",
                };
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(snap.Component)}</td><td class=\"st {cls}\">{E(state)}</td><td>{E(StateRecovery.Rows(snap.Rows))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(snap.RowsBeforeRestore is { } b ? StateRecovery.Rows(b) : "-")}</td><td>{E(snap.RowsAfterRestore is { } a ? StateRecovery.Rows(a) : "-")}</td><td>{E(StateRecovery.Describe(snap))}</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("</section>\n");
    }

    private static string Kind(Archgate.Model.ComponentKind kind) => kind switch
    {
        Archgate.Model.ComponentKind.ThirdParty => "third-party",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Fit(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static void WritePageTimings(StringBuilder html, IReadOnlyList<Metric> metrics)
    {
        var pages = metrics.Where(m => m.Name is "page_fcp" or "page_lcp" && m.Tags.ContainsKey("page")).ToList();
        if (pages.Count == 0)
        {
            return;
        }

        html.Append("<table><tr><th>component</th><th>page</th><th>FCP</th><th>LCP</th></tr>");
        foreach (var page in pages.GroupBy(m => (m.Tags.GetValueOrDefault("component") ?? string.Empty, m.Tags["page"])))
        {
            string Value(string name) => page.FirstOrDefault(m => m.Name == name) is { } m ? string.Create(CultureInfo.InvariantCulture, $"{m.Value:0} ms") : "-";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(page.Key.Item1)}</td><td>{E(page.Key.Item2)}</td><td>{Value("page_fcp")}</td><td>{Value("page_lcp")}</td></tr>");
        }

        html.Append("</table>");
    }

    private static void WriteEscalations(StringBuilder html, RunRecord run)
    {
        html.Append("<section><h2>Escalations</h2>");
        if (run.Escalations.Count == 0)
        {
            html.Append("<p>None.</p></section>\n");
            return;
        }

        // The id is what 'archgate ack ID' takes; an escalation not yet recorded in the run store has none.
        html.Append("<table><tr><th>id</th><th>level</th><th>trigger</th><th>message</th></tr>");
        foreach (var e in run.Escalations)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(e.Id ?? "-")}</code></td><td>{e.Level}</td><td>{E(e.Trigger)}</td><td>{E(e.Message)}</td></tr>");
        }

        html.Append("</table></section>\n");
    }

    private static void WriteSignoff(StringBuilder html, RunRecord run)
    {
        html.Append("<section><h2>Sign-off</h2>");
        if (run.SignoffPolicy is { } policy)
        {
            var reviewers = policy.Reviewers.Count == 0 ? "none required" : string.Join(", ", policy.Reviewers.Select(r => r.ToString()));
            html.Append(CultureInfo.InvariantCulture, $"<p>Reviewers: {E(reviewers)}. Approver: {E(policy.Approver.ToString())}.</p>");
        }

        if (run.Signoffs.Count == 0)
        {
            html.Append("<p>No review or sign-off recorded.</p>");
        }
        else
        {
            html.Append("<table><tr><th>#</th><th>kind</th><th>role</th><th>identity</th><th>decision</th><th>at</th><th>comment</th><th>hash</th></tr>");
            foreach (var s in run.Signoffs)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{s.Seq}</td><td>{E(s.Kind)}</td><td>{E(s.Role)}</td><td>{E(s.Identity)}</td><td>{E(s.Decision.ToString().ToLowerInvariant())}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{s.At:yyyy-MM-dd HH:mm} UTC</td><td>{E(s.Comment ?? "-")}</td><td><code>{E((s.Hash ?? string.Empty)[..Math.Min(12, s.Hash?.Length ?? 0)])}</code></td></tr>");
            }

            html.Append("</table>");
        }

        if (run.Waivers.Count > 0)
        {
            html.Append("<h3>Waivers</h3><table><tr><th>rule</th><th>reason</th><th>expires</th><th>by</th><th>state</th></tr>");
            foreach (var w in run.Waivers)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(w.Waiver.Rule)}</td><td>{E(w.Waiver.Reason)}</td><td>{w.Waiver.Expires:yyyy-MM-dd}</td><td>{E(w.By)} ({E(w.Role)})</td><td>{MarkdownReporter.WaiverState(w)}</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("</section>\n");
    }

    /// <summary>Target text as HTML: encoded, control characters shown escaped, lone surrogates replaced.</summary>
    private static string E(string text) => WebUtility.HtmlEncode(Printable.EscapeLines(text));

    private static string Key(Severity severity) => severity.ToString().ToLowerInvariant();

    private static string Status(CheckStatus status) => status.ToString().ToLowerInvariant();

    private static string VerdictClass(RunRecord run) => run.Verdict switch
    {
        Verdict.Go => "go",
        Verdict.NoGo => "nogo",
        _ => "incomplete",
    };

    private const string Css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#1d2125}
        h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:1.6em}h3{margin-top:1.4em}
        table{border-collapse:collapse;margin:.6em 0;width:100%}th,td{border:1px solid #dde;padding:.25em .5em;text-align:left;vertical-align:top}
        th{background:#f3f4f8}code,pre{font:12px/1.4 ui-monospace,monospace}pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f9;padding:.5em;max-height:24em;overflow:auto}
        .verdict{display:inline-block;font-size:1.3em;font-weight:700;padding:.2em .8em;border-radius:4px;color:#fff}
        .verdict.go{background:#1a7f37}.verdict.nogo{background:#c62828}.verdict.incomplete{background:#8a6d00}
        .meta{color:#555}.st.pass,.st.met{color:#1a7f37}.st.fail,.st.error,.st.not-met{color:#c62828;font-weight:600}.st.warn{color:#8a6d00}
        .findings{list-style:none;padding:0}.findings li{border-left:4px solid #99a;padding:.3em .6em;margin:.4em 0;background:#fafbfc}
        .findings li.critical{border-color:#7b1fa2}.findings li.high{border-color:#c62828}.findings li.medium{border-color:#ef6c00}.findings li.low{border-color:#1565c0}
        .sev{display:inline-block;font-size:11px;padding:0 .4em;border-radius:3px;background:#e8e8ee;cursor:pointer}
        .sev.critical{background:#e1bee7}.sev.high{background:#ffcdd2}.sev.medium{background:#ffe0b2}.sev.low{background:#bbdefb}
        .hint{color:#555;margin:.2em 0}.filter{display:none}
        #hide-critical:checked~section li.critical,#hide-high:checked~section li.high,#hide-medium:checked~section li.medium,
        #hide-low:checked~section li.low,#hide-info:checked~section li.info{display:none}
        #hide-critical:checked~section label[for=hide-critical],#hide-high:checked~section label[for=hide-high],#hide-medium:checked~section label[for=hide-medium],
        #hide-low:checked~section label[for=hide-low],#hide-info:checked~section label[for=hide-info]{text-decoration:line-through;opacity:.6}
        figure{margin:.8em 0}figcaption{color:#555;font-size:12px}svg .lbl{font:12px ui-monospace,monospace}svg .val{font:11px sans-serif;fill:#555}
        svg .node rect{fill:#eef3fb;stroke:#5c7cae}svg .node.failing rect{fill:#ffebee;stroke:#c62828;stroke-width:2}svg .kind{font:10px sans-serif;fill:#666}
        svg .wave{font:bold 11px sans-serif;fill:#555}svg .edge{stroke:#8a8fa3;fill:none}svg .arrow{fill:#8a8fa3}
        svg .band0{fill:#f3f6fb}svg .band1{fill:#e6ecf5}svg .rate{fill:none;stroke:#1e88e5;stroke-width:2}
        svg .b50{fill:#90caf9}svg .b95{fill:#1e88e5}svg .b99{fill:#0d47a1}svg .axis{stroke:#99a}
        """;

    /// <summary>A screenshot path a check names (<c>screenshot evidence/browser/web/index-error.png</c>), relative to the run folder.</summary>
    [GeneratedRegex(@"screenshot (evidence/[A-Za-z0-9._/-]+\.png)", RegexOptions.None, 1000)]
    private static partial Regex Screenshot();
}
