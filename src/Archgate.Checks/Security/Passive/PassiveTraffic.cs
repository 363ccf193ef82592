using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Passive;

/// <summary>
/// The run-wide recorder of step 9's passive rules: every response a recording probe client receives (steps 2, 4,
/// 5, 7, 8's setup and 9) is judged by the rules as it arrives, and only what a finding needs is kept: per origin
/// and route the methods seen, the response count and, per rule, the first (or worst) hit with its evidence and a
/// count. Bodies are never stored: AG9063 keeps a print (<see cref="AnswerPrint"/>: status, body hash, ETag) of
/// each GET answered 2xx without credentials, and holds back its hits on GETs with credentials until the report,
/// since the same URL's anonymous answer may come later. Memory is bounded by <see cref="MaxRoutes"/> and
/// <see cref="MaxComparedUrls"/>.
/// </summary>
public sealed class PassiveTraffic : IExchangeObserver
{
    /// <summary>Routes kept; responses of further routes are counted in <see cref="DroppedResponses"/>. <value>2000</value>.</summary>
    public const int MaxRoutes = 2000;

    /// <summary>
    /// URLs whose answers AG9063 compares, with and without credentials each; beyond them an answer with credentials
    /// is reported as it is, uncompared. <value>4096</value>.
    /// </summary>
    public const int MaxComparedUrls = 4096;

    /// <summary>Different answers kept per URL and side; a URL answered more ways than this is personalized enough.</summary>
    private const int MaxPrintsPerUrl = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Origin, string Route), RouteRecord> _routes = [];
    private readonly Dictionary<string, OriginRecord> _origins = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Origin, string Url), List<AnswerPrint>> _anonymous = [];
    private int _comparedUrls;
    private long _sequence;

    /// <summary>Responses of routes beyond <see cref="MaxRoutes"/>, judged by no rule.</summary>
    public long DroppedResponses { get; private set; }

    /// <inheritdoc />
    public void Observe(ObservedExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var hits = PassiveDetectors.Evaluate(exchange);
        var origin = Origin(exchange.Url);
        var route = PassiveText.Route(exchange.Url.AbsolutePath);
        var hasBody = exchange.Body.Length > 0;
        var secured = PassiveDetectors.SecurityHeaders.Any(h => exchange.Header(h) is not null);
        var evidence = $"{exchange.Method} {PassiveText.MaskUrl(exchange.Url)} -> {exchange.Status}";
        var url = exchange.Url.PathAndQuery;
        var get = exchange.Method == "GET";
        var anonymous = get && !exchange.Authenticated && exchange.Status is >= 200 and < 300;
        var compared = get && hits.Any(h => h.Rule == PassiveRules.CacheableAuthenticated);
        var print = anonymous || compared ? AnswerPrint.Of(exchange) : default; // hashed outside the lock

        lock (_gate)
        {
            if (!_origins.TryGetValue(origin, out var o))
            {
                _origins[origin] = o = new OriginRecord();
            }

            o.Responses++;
            o.WithBody += hasBody ? 1 : 0;
            o.Secured += secured ? 1 : 0;
            // A page is HTML answered 2xx: the HTML error page a server framework writes for an unknown method or path
            // (Python's http.server answers OPTIONS with one) does not make an API a site.
            var page = exchange.IsHtml && hasBody && exchange.Status is >= 200 and < 300 && (exchange.Method is "GET" or "POST");
            o.Html += page ? 1 : 0;
            if ((o.FirstUnsecured is null || (page && !o.UnsecuredIsHtml)) && hasBody && !secured)
            {
                o.FirstUnsecured = evidence; // an HTML page, when there is one, shows best what is missing
                o.UnsecuredIsHtml = page;
            }

            if (anonymous)
            {
                RememberAnonymous((origin, url), print);
            }

            if (!_routes.TryGetValue((origin, route), out var r))
            {
                if (_routes.Count >= MaxRoutes)
                {
                    DroppedResponses++;
                    return;
                }

                _routes[(origin, route)] = r = new RouteRecord();
            }

            r.Responses++;
            r.CacheJudged += PassiveDetectors.CacheJudged(exchange) ? 1 : 0;
            r.Methods.Add(exchange.Method);
            foreach (var hit in hits)
            {
                if (compared && hit.Rule == PassiveRules.CacheableAuthenticated && HoldBack(r, url, hit, evidence, print))
                {
                    continue;
                }

                if (!r.Hits.TryGetValue(hit.Rule, out var kept))
                {
                    r.Hits[hit.Rule] = kept = new HitRecord(hit, evidence);
                }
                else if (hit.Severity > kept.Hit.Severity)
                {
                    r.Hits[hit.Rule] = kept = new HitRecord(hit, evidence) { Count = kept.Count, Browser = kept.Browser, Names = kept.Names };
                }

                kept.Count++;
                kept.Browser += exchange.FromBrowser ? 1 : 0;
                kept.Names.UnionWith(hit.Names);
            }
        }
    }

    /// <summary>What was seen, per origin and route, sorted.</summary>
    internal IReadOnlyList<RouteView> Routes()
    {
        lock (_gate)
        {
            return _routes.OrderBy(r => r.Key.Origin, StringComparer.Ordinal).ThenBy(r => r.Key.Route, StringComparer.Ordinal)
                .Select(r =>
                {
                    var hits = r.Value.Hits.Values.Where(h => h.Hit.Rule != PassiveRules.CacheableAuthenticated).Select(h => new HitView(h.Hit, h.Evidence, h.Count) { Browser = h.Browser, Names = h.Names.Order(StringComparer.Ordinal).ToList() }).ToList();
                    if (CacheHit(r.Key.Origin, r.Value) is { } cache)
                    {
                        hits.Add(cache);
                    }

                    return new RouteView(r.Key.Origin, r.Key.Route, r.Value.Methods.Order(StringComparer.Ordinal).ToList(), r.Value.Responses,
                        hits.OrderBy(h => h.Hit.Rule, StringComparer.Ordinal).ToList());
                })
                .ToList();
        }
    }

    private void RememberAnonymous((string Origin, string Url) key, AnswerPrint print)
    {
        if (!_anonymous.TryGetValue(key, out var prints))
        {
            if (_anonymous.Count >= MaxComparedUrls)
            {
                return;
            }

            _anonymous[key] = prints = [];
        }

        if (prints.Count < MaxPrintsPerUrl && !prints.Contains(print))
        {
            prints.Add(print);
        }
    }

    /// <summary>Keeps an AG9063 hit on a GET with credentials to be compared at the report; false when over the bounds.</summary>
    private bool HoldBack(RouteRecord r, string url, PassiveHit hit, string evidence, AnswerPrint print)
    {
        if (!r.HeldBack.TryGetValue(url, out var answers))
        {
            if (_comparedUrls >= MaxComparedUrls)
            {
                return false;
            }

            _comparedUrls++;
            r.HeldBack[url] = answers = [];
        }

        if (answers.Find(a => a.Print == print) is { } same)
        {
            same.Count++;
            return true;
        }

        if (answers.Count >= MaxPrintsPerUrl)
        {
            return false;
        }

        answers.Add(new HeldHit(print, hit, evidence, _sequence++) { Count = 1 });
        return true;
    }

    /// <summary>
    /// AG9063 on a route: its hits reported as they came (not GET, over the bounds) and its held-back GETs whose URL was
    /// not answered alike without credentials; null when none is left.
    /// </summary>
    private HitView? CacheHit(string origin, RouteRecord r)
    {
        r.Hits.TryGetValue(PassiveRules.CacheableAuthenticated, out var direct);
        var personal = r.HeldBack
            .SelectMany(u => u.Value.Select(a => (Url: u.Key, Answer: a)))
            .Where(x => !(_anonymous.TryGetValue((origin, x.Url), out var prints) && prints.Any(p => x.Answer.Print.SameAs(p))))
            .OrderBy(x => x.Answer.Sequence)
            .ToList();
        var count = (direct?.Count ?? 0) + personal.Sum(x => x.Answer.Count);
        if (direct is not null)
        {
            return new HitView(direct.Hit, direct.Evidence, count, r.CacheJudged);
        }

        if (personal.Count == 0)
        {
            return null;
        }

        var (firstUrl, first) = personal[0];
        var why = _anonymous.ContainsKey((origin, firstUrl))
            ? "this GET without credentials got another answer"
            : "no 2xx answer to this GET without credentials was seen";
        return new HitView(first.Hit with { Detail = $"{first.Hit.Detail}; {why}" }, first.Evidence, count, r.CacheJudged);
    }

    /// <summary>What was seen per origin.</summary>
    internal IReadOnlyDictionary<string, OriginView> Origins()
    {
        lock (_gate)
        {
            return _origins.ToDictionary(o => o.Key, o => new OriginView(o.Value.Responses, o.Value.WithBody, o.Value.Secured, o.Value.Html, o.Value.FirstUnsecured), StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary><c>scheme://host:port</c>, lower case.</summary>
    internal static string Origin(Uri url) => $"{url.Scheme}://{url.Host}:{url.Port}".ToLowerInvariant();

    private sealed class OriginRecord
    {
        public long Responses;
        public long WithBody;
        public long Secured;
        public long Html;
        public string? FirstUnsecured;
        public bool UnsecuredIsHtml;
    }

    private sealed class RouteRecord
    {
        public long Responses;

        /// <summary>The responses AG9063 judged (<see cref="PassiveDetectors.CacheJudged"/>).</summary>
        public long CacheJudged;

        public HashSet<string> Methods { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HitRecord> Hits { get; } = new(StringComparer.Ordinal);

        /// <summary>AG9063's hits on GETs with credentials, per path and query, one per different answer.</summary>
        public Dictionary<string, List<HeldHit>> HeldBack { get; } = new(StringComparer.Ordinal);
    }

    private sealed record HitRecord(PassiveHit Hit, string Evidence)
    {
        public long Count { get; set; }

        /// <summary>The hits on requests a browser sent (<see cref="ObservedExchange.FromBrowser"/>).</summary>
        public long Browser { get; set; }

        /// <summary>Every hit's <see cref="PassiveHit.Names"/>.</summary>
        public HashSet<string> Names { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record HeldHit(AnswerPrint Print, PassiveHit Hit, string Evidence, long Sequence)
    {
        public long Count { get; set; }
    }
}

/// <summary>One route as the recorder saw it.</summary>
internal sealed record RouteView(string Origin, string Route, IReadOnlyList<string> Methods, long Responses, IReadOnlyList<HitView> Hits);

/// <summary>One rule's kept hit on a route: the decisive one, with how many responses of the route it hit.</summary>
/// <param name="Judged">How many responses of the route the rule judged, when it judges only some; null: all of them.</param>
internal sealed record HitView(PassiveHit Hit, string Evidence, long Count, long? Judged = null)
{
    /// <summary>How many of the hits were on requests a browser sent; the others Archgate's own clients sent.</summary>
    public long Browser { get; init; }

    /// <summary>The secret-carrying URL parameters every hit named (AG9068).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>Per origin: responses, those with a body, those with any security header, HTML ones, the first without.</summary>
internal sealed record OriginView(long Responses, long WithBody, long Secured, long Html, string? FirstUnsecured);
