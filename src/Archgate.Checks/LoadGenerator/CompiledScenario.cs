using System.Text;
using System.Text.Json;

namespace Archgate.Checks.LoadGenerator;

/// <summary>A request with its route index and pre-split template, ready to send many times.</summary>
internal sealed class CompiledRequest
{
    public CompiledRequest(LoadRequest request, int routeIndex, Uri target)
    {
        Request = request;
        RouteIndex = routeIndex;
        Method = request.Method.ToUpperInvariant();
        var basePath = target.AbsolutePath.TrimEnd('/');
        PathTemplate = basePath + request.Path;
        BodyText = request.Body is { } body && IsUtf8(body) ? Encoding.UTF8.GetString(body) : null;
        IsStatic = !HasVariables(PathTemplate) && !request.Headers.Any(h => HasVariables(h.Value)) && (BodyText is null || !HasVariables(BodyText));
        IsHead = Method == "HEAD";
        IsJson = Http.TemplateVariables.IsJson(request.Headers);
        OwnsCookie = request.Headers.Any(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase));
    }

    public LoadRequest Request { get; }

    public int RouteIndex { get; }

    public string Method { get; }

    public string PathTemplate { get; }

    public bool IsStatic { get; }

    public bool IsHead { get; }

    /// <summary>The body is JSON (its <c>Content-Type</c> says so): variables are filled in as JSON values.</summary>
    public bool IsJson { get; }

    /// <summary>The request sets <c>Cookie</c> itself, so the user's jar stays out of it.</summary>
    public bool OwnsCookie { get; }

    public bool HasCaptures => Request.Captures.Count > 0;

    /// <summary>Its index in <see cref="CompiledScenario.CapturePoints"/>, where its misses are counted; -1 when it captures nothing.</summary>
    public int CapturePoint { get; init; } = -1;

    /// <summary>Transport-specific cache for static requests (the raw client keeps the encoded bytes here).</summary>
    public object? TransportCache { get; set; }

    private string? BodyText { get; }

    public string RenderPath(VirtualUserVariables variables) => IsStatic ? PathTemplate : variables.Fill(PathTemplate, json: false);

    public string RenderHeader(string value, VirtualUserVariables variables) => IsStatic ? value : variables.Fill(value, json: false);

    public byte[]? RenderBody(VirtualUserVariables variables) =>
        IsStatic || BodyText is null ? Request.Body : Encoding.UTF8.GetBytes(variables.Fill(BodyText, IsJson));

    private static bool HasVariables(string text) => LoadPlanValidator.VariablePattern().IsMatch(text);

    private static bool IsUtf8(byte[] body)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>A journey with compiled requests.</summary>
internal sealed record CompiledJourney(LoadJourney Journey, CompiledRequest[] Setup, CompiledRequest[] Steps);

/// <summary>The plan's journeys compiled once: routes numbered, templates split, weights cumulated.</summary>
internal sealed class CompiledScenario
{
    private readonly int[] _cumulativeWeights;

    private CompiledScenario(CompiledJourney[] journeys, string[] routes, CapturePoint[] capturePoints)
    {
        Journeys = journeys;
        Routes = routes;
        CapturePoints = capturePoints;
        _cumulativeWeights = new int[journeys.Length];
        var sum = 0;
        for (var i = 0; i < journeys.Length; i++)
        {
            sum += journeys[i].Journey.Weight;
            _cumulativeWeights[i] = sum;
        }
    }

    public CompiledJourney[] Journeys { get; }

    public string[] Routes { get; }

    /// <summary>The requests that capture, in the scenario's order: where a capture that found nothing is counted.</summary>
    public CapturePoint[] CapturePoints { get; }

    public static CompiledScenario Compile(LoadPlan plan)
    {
        var routes = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var points = new List<CapturePoint>();
        var captures = 0;
        CompiledRequest Compile(LoadJourney journey, LoadRequest r, string place, IEnumerable<LoadRequest> after)
        {
            if (!index.TryGetValue(r.RouteName, out var i))
            {
                i = routes.Count;
                routes.Add(r.RouteName);
                index[r.RouteName] = i;
            }

            var point = -1;
            if (r.Captures.Count > 0)
            {
                point = points.Count;
                points.Add(new CapturePoint(journey.Name, place, r.RouteName, r.Captures, [.. after.Select(a => a.RouteName).Distinct(StringComparer.Ordinal)], captures));
                captures += r.Captures.Count;
            }

            return new CompiledRequest(r, i, plan.Target) { CapturePoint = point };
        }

        var journeys = plan.Journeys
            .Select(j => new CompiledJourney(j,
                [.. j.Setup.Select((r, k) => Compile(j, r, $"setup {k + 1}", j.Setup.Skip(k + 1).Concat(j.Steps)))],
                [.. j.Steps.Select((r, k) => Compile(j, r, $"step {k + 1}", j.Steps.Skip(k + 1)))]))
            .ToArray();
        return new CompiledScenario(journeys, [.. routes], [.. points]);
    }

    public int Pick(Random random)
    {
        if (_cumulativeWeights.Length == 1)
        {
            return 0;
        }

        var roll = random.Next(_cumulativeWeights[^1]);
        var i = Array.BinarySearch(_cumulativeWeights, roll + 1);
        return i >= 0 ? i : ~i;
    }
}

/// <summary>A virtual user's variables: <c>{vu}</c>, <c>{iteration}</c>, <c>{uuid}</c> (one per iteration) and captured values, and its cookies.</summary>
internal sealed class VirtualUserVariables
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public VirtualUserVariables(int vu, IEnumerable<KeyValuePair<string, string>>? cookies = null)
    {
        _values["vu"] = vu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values["iteration"] = "0";
        _values["uuid"] = Guid.NewGuid().ToString();
        Cookies.Seed(cookies ?? []);
    }

    /// <summary>The user's cookie jar.</summary>
    public LoadCookies Cookies { get; } = new();

    private long _iteration;
    private bool _iterationStale;

    /// <summary>Sets <c>{iteration}</c>; formatted only when a template reads it (no string per iteration otherwise).</summary>
    public void SetIteration(long iteration)
    {
        _iteration = iteration;
        _iterationStale = true;
    }

    public void Set(string name, string value) => _values[name] = value;

    public string? Get(string name)
    {
        Refresh();
        return _values.GetValueOrDefault(name);
    }

    /// <summary>The template with the user's variables filled in (<see cref="Http.TemplateVariables"/>: as JSON values in a JSON body).</summary>
    public string Fill(string template, bool json)
    {
        Refresh();
        return Http.TemplateVariables.Fill(template, _values, json);
    }

    private void Refresh()
    {
        if (_iterationStale)
        {
            _values["iteration"] = _iteration.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _values["uuid"] = Guid.NewGuid().ToString();
            _iterationStale = false;
        }
    }

    /// <summary>
    /// Applies the request's captures to a response (a number or boolean keeps its JSON text too). Returns the index of
    /// the first capture that found nothing, which leaves its variable as it was (the caller ends the iteration there,
    /// so no later request goes out with it unfilled or stale), or -1 when every capture found its value.
    /// </summary>
    public int Capture(CompiledRequest request, ResponseCapture response)
    {
        var missed = -1;
        var captures = request.Request.Captures;
        for (var i = 0; i < captures.Count; i++)
        {
            var capture = captures[i];
            var literal = false;
            var value = capture.Source switch
            {
                LoadCaptureSource.Header => response.Headers.FirstOrDefault(h => string.Equals(h.Key, capture.Name, StringComparison.OrdinalIgnoreCase)).Value,
                _ => FindJsonProperty(response.Body.WrittenSpan, capture.Name, out literal),
            };
            if (value is not null)
            {
                Http.TemplateVariables.Capture(_values, capture.Variable, value, literal ? value : null);
            }
            else if (missed < 0)
            {
                missed = i;
            }
        }

        return missed;
    }

    /// <summary>
    /// The first property <paramref name="name"/> with a value (a string, number or boolean) at any depth, as text;
    /// <paramref name="literal"/> says whether it was a number or boolean, whose text is its JSON text.
    /// </summary>
    internal static string? FindJsonProperty(ReadOnlySpan<byte> json, string name, out bool literal)
    {
        literal = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name))
                {
                    if (!reader.Read())
                    {
                        return null;
                    }

                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            return reader.GetString();
                        case JsonTokenType.Number:
                            literal = true;
                            return Encoding.UTF8.GetString(reader.ValueSpan);
                        case JsonTokenType.True or JsonTokenType.False:
                            literal = true;
                            return reader.GetBoolean() ? "true" : "false";
                        default:
                            // An object or array of that name is not a value; keep looking inside it.
                            continue;
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }
}

/// <summary>Headers and body of a response, kept only for requests that capture values.</summary>
internal sealed class ResponseCapture
{
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public System.Buffers.ArrayBufferWriter<byte> Body { get; } = new();

    public void Clear()
    {
        Headers.Clear();
        Body.ResetWrittenCount();
    }
}
