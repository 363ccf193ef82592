using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Performance;

/// <summary>
/// Step 8 for a frontend: First and Largest Contentful Paint of each of its pages, measured in real Chromium
/// (median of several cold loads), against its SLO (<c>slo.&lt;frontend&gt;.fcp</c>, default 1.8 s, and
/// <c>lcp</c>, default 2.5 s).
/// </summary>
internal sealed class FrontendTimingCheck(FrontendComponent frontend, PageTimingOptions options) : ICheck
{
    /// <summary>The protocol's FCP objective. <value>1.8 s</value>.</summary>
    public static readonly TimeSpan DefaultFcp = TimeSpan.FromSeconds(1.8);

    /// <summary>The protocol's LCP objective. <value>2.5 s</value>.</summary>
    public static readonly TimeSpan DefaultLcp = TimeSpan.FromSeconds(2.5);

    public string Id => $"frontend.timing:{frontend.Name}";

    public int Step => 8;

    public string Title => $"{frontend.Name} pages paint within FCP and LCP targets";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var slo = context.System.Slos.GetValueOrDefault(frontend.Name);
        var fcpTarget = (slo?.Fcp ?? DefaultFcp).TotalMilliseconds;
        var lcpTarget = (slo?.Lcp ?? DefaultLcp).TotalMilliseconds;
        PageTimer timer;
        try
        {
            timer = await PageTimer.StartAsync(options, context.System.AllowedHosts, Http.ProbeHttp.ObserverOf(context.Http)); // step 9 judges the pages too
        }
        catch (FileNotFoundException ex)
        {
            return new CheckResult { Status = CheckStatus.Error, Reason = $"{ex.Message}; {Browser.Chromium.InstallHint}" };
        }
        catch (Exception ex) when (Browser.Chromium.FailedToStart(ex))
        {
            return Browser.Chromium.DidNotStart(ex);
        }

        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        await using (timer)
        {
            var pages = frontend.Pages.Count > 0 ? frontend.Pages : ["/"];
            foreach (var page in pages)
            {
                var url = new Uri(frontend.Url, page);
                var loads = new List<PageLoad>();
                PageLoad? failed = null;
                for (var i = 0; i < options.Loads && failed is null; i++)
                {
                    context.Activity?.Report($"Chromium: {url} load {i + 1} of {options.Loads}");
                    var one = await timer.LoadAsync(url, cancellationToken);
                    loads.Add(one);
                    failed = one.Error is not null || one.Fcp is null ? one : null; // a median needs every load: stop at the first failure
                }

                if (failed is not null)
                {
                    findings.Add(Findings.Create(PerformanceRules.PageNotMeasured, Severity.High,
                        component: frontend.Name,
                        location: page,
                        message: $"{page} could not be measured: {failed.Error ?? "the page painted no content"}",
                        evidence: $"load {loads.Count} of {options.Loads} failed in Chromium {timer.Version}; {loads.Count - 1} measured before it",
                        hint: "open the page in a browser: an error status, a script error or an empty body leave nothing to paint"));
                    continue;
                }

                var fcp = Median(loads.Select(l => l.Fcp!.Value));
                var lcp = Median(loads.Select(l => l.Lcp ?? l.Fcp!.Value));
                var load = Median(loads.Select(l => l.Load ?? 0));
                var tags = new Dictionary<string, string> { ["component"] = frontend.Name, ["page"] = page };
                metrics.Add(new Metric("page_fcp", tags, Math.Round(fcp, 1), "ms"));
                metrics.Add(new Metric("page_lcp", tags, Math.Round(lcp, 1), "ms"));
                metrics.Add(new Metric("page_load", tags, Math.Round(load, 1), "ms"));
                var evidence = $"median of {loads.Count} cold loads in Chromium {timer.Version}: FCP {Samples(loads.Select(l => l.Fcp))}; LCP {Samples(loads.Select(l => l.Lcp))}"
                    + (loads.SelectMany(l => l.StillLoading).Distinct().ToList() is { Count: > 0 } busy
                        ? $"; measured {LoadReport.Ms(PageTimer.QuietBound.TotalMilliseconds)} after the load event with the network still busy: {string.Join(", ", busy.Take(5))}"
                        : "");
                if (fcp >= fcpTarget)
                {
                    findings.Add(Slow(PerformanceRules.FcpAboveSlo, page, $"{page} FCP {LoadReport.Ms(fcp)} > {LoadReport.Ms(fcpTarget)}", evidence,
                        "send less before the first paint: inline critical CSS, defer scripts, avoid render-blocking requests"));
                }

                if (lcp >= lcpTarget)
                {
                    findings.Add(Slow(PerformanceRules.LcpAboveSlo, page, $"{page} LCP {LoadReport.Ms(lcp)} > {LoadReport.Ms(lcpTarget)}", evidence,
                        "the largest element waits for something: a slow API call, a large image, a client-side render; fetch it earlier or serve it with the HTML"));
                }
            }
        }

        return CheckResult.From(findings, metrics);
    }

    private Finding Slow(string rule, string page, string message, string evidence, string hint) => Findings.Create(rule, Severity.High,
        component: frontend.Name,
        location: page,
        message: message,
        evidence: evidence,
        hint: hint);

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Samples(IEnumerable<double?> values) =>
        string.Join(", ", values.Select(v => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "-")) + " ms";
}
