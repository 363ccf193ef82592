using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Passive;

/// <summary>
/// The run-wide recorder of step 9's passive rules: every response a recording probe client receives (steps 2, 4,
/// 5, 7, 8's setup and 9) is judged by the rules as it arrives, and only what a finding needs is kept: per origin
/// and route the methods seen, the response count and, per rule, the first (or worst) hit with its evidence and a
/// count. Bodies are never stored. Memory is bounded by <see cref="MaxRoutes"/>.
/// </summary>
public sealed class PassiveTraffic : IExchangeObserver
{
    /// <summary>Routes kept; responses of further routes are counted in <see cref="DroppedResponses"/>. <value>2000</value>.</summary>
    public const int MaxRoutes = 2000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Origin, string Route), RouteRecord> _routes = [];
    private readonly Dictionary<string, OriginRecord> _origins = new(StringComparer.OrdinalIgnoreCase);

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
            r.Methods.Add(exchange.Method);
            foreach (var hit in hits)
            {
                if (!r.Hits.TryGetValue(hit.Rule, out var kept))
                {
                    r.Hits[hit.Rule] = new HitRecord(hit, evidence) { Count = 1 };
                }
                else
                {
                    kept.Count++;
                    if (hit.Severity > kept.Hit.Severity)
                    {
                        r.Hits[hit.Rule] = new HitRecord(hit, evidence) { Count = kept.Count };
                    }
                }
            }
        }
    }

    /// <summary>What was seen, per origin and route, sorted.</summary>
    internal IReadOnlyList<RouteView> Routes()
    {
        lock (_gate)
        {
            return _routes.OrderBy(r => r.Key.Origin, StringComparer.Ordinal).ThenBy(r => r.Key.Route, StringComparer.Ordinal)
                .Select(r => new RouteView(r.Key.Origin, r.Key.Route, r.Value.Methods.Order(StringComparer.Ordinal).ToList(), r.Value.Responses,
                    r.Value.Hits.Values.Select(h => new HitView(h.Hit, h.Evidence, h.Count)).OrderBy(h => h.Hit.Rule, StringComparer.Ordinal).ToList()))
                .ToList();
        }
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

        public HashSet<string> Methods { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HitRecord> Hits { get; } = new(StringComparer.Ordinal);
    }

    private sealed record HitRecord(PassiveHit Hit, string Evidence)
    {
        public long Count { get; set; }
    }
}

/// <summary>One route as the recorder saw it.</summary>
internal sealed record RouteView(string Origin, string Route, IReadOnlyList<string> Methods, long Responses, IReadOnlyList<HitView> Hits);

/// <summary>One rule's kept hit on a route: the decisive one, with how many responses of the route it hit.</summary>
internal sealed record HitView(PassiveHit Hit, string Evidence, long Count);

/// <summary>Per origin: responses, those with a body, those with any security header, HTML ones, the first without.</summary>
internal sealed record OriginView(long Responses, long WithBody, long Secured, long Html, string? FirstUnsecured);
