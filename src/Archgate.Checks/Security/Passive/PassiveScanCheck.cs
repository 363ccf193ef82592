using System.Text.RegularExpressions;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Passive;

/// <summary>Options of step 9's passive rules.</summary>
public sealed record PassiveScanOptions
{
    /// <summary>Time allowed for each request of the check's own visit. <value>10 s</value>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Scripts and stylesheets fetched per frontend, from its pages. <value>20</value>.</summary>
    public int MaxAssets { get; init; } = 20;

    /// <summary>Routes reported per rule and component; further routes are named in the last finding. <value>20</value>.</summary>
    public int MaxRoutesPerRule { get; init; } = 20;

    /// <summary>The path requested once per component to see its not-found answer. <value>/archgate-passive-not-found</value>.</summary>
    public string NotFoundPath { get; init; } = "/archgate-passive-not-found";

    /// <summary>Links followed per component from its pages, robots.txt and sitemap.xml (ZAP baseline spiders too). <value>50</value>.</summary>
    public int MaxCrawl { get; init; } = 50;

    /// <summary>Time the check's whole visit may take, crawl included; links left then are counted, not followed. <value>60 s</value>.</summary>
    public TimeSpan CrawlTime { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Step 9's passive rules (ZAP baseline breadth) over every response of the run: what the recording client saw in
/// steps 2-9, plus the check's own visit of each frontend's pages (and the scripts and stylesheets they load), each
/// service's health endpoint and each component's not-found answer. One finding per rule per route (a header rule that one
/// server setting decides, <see cref="PassiveRules.ServerWide"/>: one per component, naming its routes); third-party
/// components are not judged (their answers are another party's to mend).
/// </summary>
internal sealed partial class PassiveScanCheck(PassiveScanOptions options) : ICheck
{
    public string Id => "security.passive";

    public int Step => 9;

    public string Title => "Passive rules over every response of the run (headers, cookies, errors, disclosure)";

    public Applicability AppliesTo(SystemModel system) => Targets(system).Count > 0
        ? Applicability.Yes
        : Applicability.No("no service or frontend with a url");

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var shared = ProbeHttp.ObserverOf(context.Http) as PassiveTraffic;
        var traffic = shared ?? new PassiveTraffic();
        using var own = shared is null ? ProbeHttp.CreateClient(context.System.AllowedHosts, traffic) : null;
        var http = own ?? context.Http;

        var targets = Targets(context.System);
        var unreachable = new List<string>();
        var crawls = new List<(string Component, Crawl Crawl)>();
        using var discovery = ProbeHttp.CreateClient(context.System.AllowedHosts); // robots.txt and sitemap.xml: read, not judged
        var deadline = DateTimeOffset.UtcNow + options.CrawlTime;
        foreach (var component in targets)
        {
            var (answered, crawl) = await VisitAsync(component, http, discovery, deadline, context, cancellationToken);
            if (!answered)
            {
                unreachable.Add(component.Name);
            }

            crawls.Add((component.Name, crawl));
        }

        var (findings, metrics, judged) = Judge(targets, traffic, options, await PublicReadsAsync(targets, context.System.Security, cancellationToken));
        if (judged == 0)
        {
            return CheckResult.Skipped($"no response to judge: {string.Join(", ", unreachable)} did not answer");
        }

        foreach (var (component, crawl) in crawls.Where(c => c.Crawl.Followed + c.Crawl.Left > 0))
        {
            metrics.Add(Metric.ForComponent("security_passive_crawled", component, crawl.Followed, "count"));
            if (crawl.Left > 0)
            {
                metrics.Add(Metric.ForComponent("security_passive_crawl_left", component, crawl.Left, "count"));
            }
        }

        if (traffic.DroppedResponses > 0)
        {
            metrics.Add(new Metric("security_passive_unjudged_responses", new Dictionary<string, string>(), traffic.DroppedResponses, "count"));
        }

        return CheckResult.From(findings, metrics);
    }

    /// <summary>The components judged: services and frontends with a url.</summary>
    internal static IReadOnlyList<HttpComponent> Targets(SystemModel system) =>
        [.. system.OfKind<HttpComponent>().Where(c => c.Kind is ComponentKind.Service or ComponentKind.Frontend)];

    /// <summary>
    /// Per component, the paths of the <c>GET</c>s its contract declares public on purpose, as the recorder names routes
    /// (the contract's base path before the template): the contract speaks of security (its document or some operation
    /// requires credentials) and this operation lets anyone in without offering credentials at all (<c>security: []</c>,
    /// not <c>[{}, {bearer: []}]</c>), and no <c>security.protected</c> or <c>security.adminOnly</c> pattern matches it.
    /// What anyone may read is no secret a cache could keep (AG9063 is not raised on it); a contract that says nothing of
    /// security declares nothing public.
    /// </summary>
    internal static async Task<Dictionary<string, List<string>>> PublicReadsAsync(IReadOnlyList<HttpComponent> targets, SecurityPolicy policy, CancellationToken cancellationToken)
    {
        var documents = new Contracts.ContractDocuments();
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var component in targets.Where(t => t.OpenApi is not null))
        {
            if ((await documents.LoadAsync(component.OpenApi!.Path, cancellationToken)).Document is not { } document)
            {
                continue;
            }

            var operations = Contracts.Conformance.OperationInfo.All(document);
            if (!operations.Any(o => o.Secured))
            {
                continue;
            }

            var prefix = Contracts.ContractBase.Of(component.Url, document).AbsolutePath.TrimEnd('/');
            result[component.Name] = [.. operations.Where(o => o.Method == "GET" && !o.Secured && Probes.ProbeTarget.IsPublic(o, policy)).Select(o => prefix + o.Template)];
        }

        return result;
    }

    /// <summary>
    /// The component's realtime stream whose <c>tokenQuery</c> explains a token-in-URL hit (AG9068) on
    /// <paramref name="route"/>: Archgate's own stream checks sent every such request (none came from a browser) with
    /// the token in that parameter and no other secret in the URL; null otherwise, and for every other rule.
    /// </summary>
    internal static RealtimeEndpoint? TokenQueryStream(HttpComponent component, RouteView route, HitView hit) =>
        hit.Hit.Rule != PassiveRules.TokenInUrl || hit.Browser > 0 || component is not ServiceComponent service ? null
        : service.Realtime.FirstOrDefault(r => r.TokenQuery is { } query
            && hit.Names.Count > 0 && hit.Names.All(n => n.Equals(query, StringComparison.OrdinalIgnoreCase))
            && RouteOf(component.Url.AbsolutePath.TrimEnd('/') + r.Path.Split('?')[0], route.Route));

    /// <summary>Whether <paramref name="route"/> (numbers and ids as <c>{id}</c>) is the path <paramref name="template"/> names.</summary>
    internal static bool RouteOf(string template, string route) =>
        Contracts.PathTemplates.Matches(Contracts.PathTemplates.Split(template), Contracts.PathTemplates.Split(route));

    /// <summary>
    /// Findings over everything <paramref name="traffic"/> saw of <paramref name="targets"/>; also how many responses were
    /// judged. AG9063 is not raised on a component's <paramref name="publicReads"/>.
    /// </summary>
    internal static (List<Finding> Findings, List<Metric> Metrics, long Judged) Judge(
        IReadOnlyList<HttpComponent> targets, PassiveTraffic traffic, PassiveScanOptions options, IReadOnlyDictionary<string, List<string>>? publicReads = null)
    {
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        var routes = traffic.Routes();
        var origins = traffic.Origins();
        long judged = 0;
        foreach (var component in targets)
        {
            var mine = routes.Where(r => Owner(targets, r) == component).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            var responses = mine.Sum(r => r.Responses);
            judged += responses;
            metrics.Add(Metric.ForComponent("security_passive_responses", component.Name, responses, "count"));
            metrics.Add(Metric.ForComponent("security_passive_routes", component.Name, mine.Count, "count"));

            var open = publicReads?.GetValueOrDefault(component.Name) ?? [];
            bool Declared(RouteView route, HitView hit) =>
                hit.Hit.Rule == PassiveRules.CacheableAuthenticated && hit.Evidence.StartsWith("GET ", StringComparison.Ordinal) && open.Any(t => RouteOf(t, route.Route));
            foreach (var rule in mine.SelectMany(r => r.Hits.Where(h => !Declared(r, h)).Select(h => (Route: r, Hit: h))).GroupBy(x => x.Hit.Hit.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var all = rule.ToList();
                if (PassiveRules.ServerWide.Contains(rule.Key) && all.Count > 1)
                {
                    // Located at a route of the component's own, not at the check's not-found probe, when there is one.
                    findings.Add(OnRoutes(component, [.. all.OrderBy(x => x.Route.Route.EndsWith(options.NotFoundPath, StringComparison.Ordinal)).ThenBy(x => x.Route.Route, StringComparer.Ordinal)], mine));
                    continue;
                }

                var shown = all.Take(options.MaxRoutesPerRule).ToList();
                for (var i = 0; i < shown.Count; i++)
                {
                    var (route, hit) = shown[i];
                    var more = i == shown.Count - 1 && all.Count > shown.Count
                        ? $" (and {all.Count - shown.Count} more routes: {PassiveText.Cut(string.Join(", ", all.Skip(shown.Count).Select(x => x.Route.Route)), 300)})"
                        : string.Empty;
                    var outOf = hit.Judged ?? route.Responses;
                    var of = outOf > 1 ? $" ({hit.Count} of {outOf} responses)" : string.Empty;
                    var stream = TokenQueryStream(component, route, hit);
                    findings.Add(Findings.Create(hit.Hit.Rule, hit.Hit.Severity,
                        component: component.Name,
                        location: $"{hit.Evidence.Split(' ')[0]} {route.Route}",
                        message: stream is null
                            ? $"{route.Route}: {hit.Hit.Message}{of}{more}"
                            : $"{component.Name} accepts the access token in the URL of {route.Route} (the manifest's realtime tokenQuery: {stream.TokenQuery}): " +
                              $"URLs end up in logs and Referer headers{of}; the evidence is Archgate's own request, sent as tokenQuery says{more}",
                        evidence: $"{hit.Evidence}; {hit.Hit.Detail}",
                        hint: stream is null ? PassiveRules.Find(hit.Hit.Rule)?.Help
                            : "have the stream take a short-lived, single-use ticket (issued to an authenticated request) in its URL instead of the access token, " +
                              "or a cookie; drop tokenQuery when its clients can send an Authorization header"));
                }
            }

            var seen = mine.Select(r => r.Origin).Distinct(StringComparer.OrdinalIgnoreCase).Select(o => origins[o]).ToList();
            var withBody = seen.Sum(o => o.WithBody);
            if (withBody > 0 && seen.Sum(o => o.Secured) == 0)
            {
                var html = component.Kind == ComponentKind.Frontend || seen.Sum(o => o.Html) > 0;
                findings.Add(Findings.Create(PassiveRules.HeadersAbsent, html ? Severity.High : Severity.Medium,
                    component: component.Name,
                    location: component.Url.ToString(),
                    message: $"none of {component.Name}'s {withBody} responses with a body carried a browser security header ({string.Join(", ", PassiveDetectors.SecurityHeaders)})" +
                        (html ? "; it serves HTML, so its pages have no defence against framing, sniffing or injected scripts" : string.Empty),
                    evidence: seen.Select(o => o.FirstUnsecured).FirstOrDefault(e => e is not null),
                    hint: PassiveRules.Find(PassiveRules.HeadersAbsent)!.Help));
            }
        }

        return (findings, metrics, judged);
    }

    /// <summary>
    /// One finding for a server-wide header rule (<see cref="PassiveRules.ServerWide"/>) seen on several routes of
    /// <paramref name="component"/>: located at the first of them, its message naming how many routes, out of how many
    /// the component answered, and which.
    /// </summary>
    private static Finding OnRoutes(HttpComponent component, List<(RouteView Route, HitView Hit)> all, List<RouteView> routes)
    {
        var (first, hit) = all[0];
        var responses = all.Sum(x => x.Hit.Count);
        var names = PassiveText.Cut(string.Join(", ", all.Select(x => x.Route.Route)), 300);
        return Findings.Create(hit.Hit.Rule, hit.Hit.Severity,
            component: component.Name,
            location: $"{hit.Evidence.Split(' ')[0]} {first.Route}",
            message: $"{component.Name}: {hit.Hit.Message} on {all.Count} of its {routes.Count} routes ({responses} responses): {names}",
            evidence: $"{hit.Evidence}; {hit.Hit.Detail}",
            hint: PassiveRules.Find(hit.Hit.Rule)?.Help);
    }

    /// <summary>The target a route belongs to: same origin, longest base path that prefixes the route.</summary>
    private static HttpComponent? Owner(IReadOnlyList<HttpComponent> targets, RouteView route) =>
        targets.Where(c => string.Equals(PassiveTraffic.Origin(c.Url), route.Origin, StringComparison.OrdinalIgnoreCase)
                && route.Route.StartsWith(c.Url.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal))
            .OrderByDescending(c => c.Url.AbsolutePath.Length)
            .FirstOrDefault();

    /// <summary>Links the visit followed, and links it found but left (over <see cref="PassiveScanOptions.MaxCrawl"/> or past the deadline).</summary>
    private readonly record struct Crawl(int Followed, int Left);

    /// <summary>
    /// The check's own visit of a component: its pages (or its root), health endpoint and not-found answer, the
    /// scripts and stylesheets the pages load, then, breadth first, the links of its HTML and the paths of its
    /// robots.txt and sitemap.xml (<see cref="PassiveCrawl"/>). Answered is false when it did not answer at all.
    /// </summary>
    private async Task<(bool Answered, Crawl Crawl)> VisitAsync(HttpComponent component, HttpClient http, HttpClient discovery, DateTimeOffset deadline, CheckContext context, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        paths.AddRange(component is FrontendComponent { Pages.Count: > 0 } frontend ? frontend.Pages : ["/"]);
        if (component.HealthPath is { } health)
        {
            paths.Add(health);
        }

        paths.Add(options.NotFoundPath);
        var answered = false;
        var assets = new List<Uri>();
        var visited = new HashSet<Uri>();
        var links = new Queue<Uri>();
        void Found(IEnumerable<Uri> found)
        {
            foreach (var link in found.Where(l => PassiveCrawl.Follows(component, l) && !visited.Contains(l) && !links.Contains(l)))
            {
                links.Enqueue(link);
            }
        }

        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var url = Under(component.Url, path);
            visited.Add(url);
            context.Activity?.Report($"passive: GET {url}");
            var (ok, html, location) = await GetAsync(http, url, cancellationToken);
            answered |= ok;
            Found(location is null ? [] : [location]);
            if (html is not null)
            {
                assets.AddRange(Assets(url, html).Where(a => !assets.Contains(a)));
                Found(PassiveCrawl.Links(url, html));
            }
        }

        foreach (var asset in assets.Distinct().Take(options.MaxAssets))
        {
            visited.Add(asset);
            context.Activity?.Report($"passive: GET {asset}");
            await GetAsync(http, asset, cancellationToken);
        }

        if (!answered)
        {
            return (false, default);
        }

        var robots = Under(component.Url, "/robots.txt");
        var sitemaps = new List<Uri> { Under(component.Url, "/sitemap.xml") };
        if (await ReadAsync(discovery, robots, cancellationToken) is { } robotsText)
        {
            var (robotPaths, named) = PassiveCrawl.Robots(robots, robotsText);
            Found(robotPaths);
            sitemaps.AddRange(named.Where(s => PassiveCrawl.Follows(component, s) && !sitemaps.Contains(s)));
        }

        foreach (var sitemap in sitemaps.Take(3))
        {
            if (await ReadAsync(discovery, sitemap, cancellationToken) is { } xml)
            {
                Found(PassiveCrawl.Sitemap(sitemap, xml));
            }
        }

        var followed = 0;
        while (links.Count > 0 && followed < options.MaxCrawl && DateTimeOffset.UtcNow < deadline)
        {
            var link = links.Dequeue();
            visited.Add(link);
            followed++;
            context.Activity?.Report($"passive: GET {link} (link {followed} of at most {options.MaxCrawl})");
            var (_, html, location) = await GetAsync(http, link, cancellationToken);
            Found(location is null ? [] : [location]);
            if (html is not null)
            {
                Found(PassiveCrawl.Links(link, html));
            }
        }

        return (true, new Crawl(followed, links.Count));
    }

    /// <summary>A discovery file's text (robots.txt, sitemap.xml) when it answers 200, at most 256 KiB; else null.</summary>
    private async Task<string?> ReadAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return null;
            }

            return (await ProbeHttp.ReadBodyAsync(response.Content, 256 * 1024, timeout.Token)).Text;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>One recorded GET: whether it answered, its body when it is HTML, and where it redirects to.</summary>
    private async Task<(bool Answered, string? Html, Uri? Location)> GetAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await http.GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var media = response.Content.Headers.ContentType?.MediaType;
            var location = (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } l ? new Uri(url, l) : null;
            return (true, media is "text/html" or "application/xhtml+xml" ? body : null, location);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (false, null, null);
        }
    }

    /// <summary>Same-origin scripts and stylesheets a page loads.</summary>
    private static IEnumerable<Uri> Assets(Uri page, string html)
    {
        foreach (Match m in AssetReference().Matches(html))
        {
            if (Uri.TryCreate(page, System.Net.WebUtility.HtmlDecode(m.Groups["url"].Value), out var target)
                && PassiveTraffic.Origin(target) == PassiveTraffic.Origin(page))
            {
                yield return target;
            }
        }
    }

    private static Uri Under(Uri root, string path) => new(root, root.AbsolutePath.TrimEnd('/') + "/" + path.TrimStart('/'));

    [GeneratedRegex(@"<(?:script\b[^>]*\bsrc|link\b[^>]*\bhref)\s*=\s*[""']?(?<url>[^""'\s>]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AssetReference();
}
