using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Performance;

/// <summary>
/// What a load agent prints on stdout, one JSON object per line: <c>ready</c>, then <c>progress</c> about once a
/// second, then one <c>cell</c> per stage and route (counters and the HDR histogram in its compressed encoding,
/// base64), a <c>captureMiss</c> per capture that found nothing, then <c>done</c>. The coordinator merges the cells of every agent into one <see cref="LoadResult"/>:
/// counts add and histograms merge, so totals and percentiles are those of one run of all the load.
/// </summary>
public static class LoadAgentProtocol
{
    /// <summary>The line an agent prints once its plan is built and its setup done; it then waits for <see cref="Go"/> on stdin.</summary>
    public const string Ready = """{"type":"ready"}""";

    /// <summary>The line the coordinator writes to every agent's stdin when all are ready, so their stages start together.</summary>
    public const string Go = "go";

    /// <summary>A progress line.</summary>
    public static string Progress(LoadProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new JsonObject
        {
            ["type"] = "progress",
            ["stage"] = p.Stage,
            ["users"] = p.Target,
            ["requests"] = p.Requests,
            ["rps"] = Math.Round(p.RequestsPerSecond, 1),
            ["p95"] = Math.Round(p.P95Ms, 3),
            ["errors"] = p.Errors,
        }.ToJsonString();
    }

    /// <summary>Every line of a finished segment: one cell per stage and route, then done.</summary>
    public static IEnumerable<string> Result(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var stage in result.Stages)
        {
            foreach (var route in stage.Routes)
            {
                var m = route.Metrics;
                yield return new JsonObject
                {
                    ["type"] = "cell",
                    ["stage"] = stage.Name,
                    ["target"] = stage.Target,
                    ["route"] = route.Route,
                    ["requests"] = m.Requests,
                    ["status4xx"] = m.Errors.Status4xx,
                    ["status5xx"] = m.Errors.Status5xx,
                    ["timeouts"] = m.Errors.Timeouts,
                    ["connectionErrors"] = m.Errors.ConnectionErrors,
                    ["late"] = m.LateRequests,
                    ["bytesSent"] = m.BytesSent,
                    ["bytesReceived"] = m.BytesReceived,
                    ["durationMs"] = Math.Round(m.Duration.TotalMilliseconds, 3),
                    ["histogram"] = Convert.ToBase64String(m.Latency.Encode()),
                }.ToJsonString();
            }
        }

        foreach (var miss in result.CaptureMisses)
        {
            yield return new JsonObject
            {
                ["type"] = "captureMiss",
                ["journey"] = miss.Journey,
                ["request"] = miss.Request,
                ["route"] = miss.Route,
                ["variable"] = miss.Variable,
                ["from"] = miss.From,
                ["afterSuccess"] = miss.AfterSuccess,
                ["afterFailure"] = miss.AfterFailure,
                ["sample"] = miss.Sample,
                ["notSent"] = new JsonArray([.. miss.NotSent.Select(r => JsonValue.Create(r))]),
            }.ToJsonString();
        }

        yield return new JsonObject
        {
            ["type"] = "done",
            ["target"] = result.Target.ToString(),
            ["iterations"] = result.Iterations,
            ["interrupted"] = result.InterruptedRequests,
            ["peakConcurrency"] = result.PeakConcurrency,
            ["transport"] = result.Transport.ToString(),
            ["abortReason"] = result.AbortReason,
        }.ToJsonString();
    }

    /// <summary>One agent's lines read back.</summary>
    public sealed class Segment
    {
        internal List<(string Stage, double Target, string Route, RequestMetrics Metrics)> Cells { get; } = [];

        internal List<CaptureMiss> CaptureMisses { get; } = [];

        /// <summary>True once its <c>done</c> line was read.</summary>
        public bool Done { get; private set; }

        internal long Iterations { get; private set; }

        internal long Interrupted { get; private set; }

        internal int PeakConcurrency { get; private set; }

        internal LoadTransport Transport { get; private set; }

        internal string? AbortReason { get; private set; }

        /// <summary>The latest progress line, if any.</summary>
        public JsonObject? LastProgress { get; private set; }

        /// <summary>Reads one line; returns its type (<c>ready</c>, <c>progress</c>, <c>cell</c>, <c>done</c>) or null when it is not a protocol line.</summary>
        /// <exception cref="FormatException">A protocol line is malformed (a histogram that does not decode, a missing field).</exception>
        public string? Read(string line)
        {
            ArgumentNullException.ThrowIfNull(line);
            if (!line.StartsWith('{'))
            {
                return null;
            }

            JsonObject o;
            try
            {
                o = JsonNode.Parse(line)?.AsObject() ?? throw new FormatException("empty line");
            }
            catch (JsonException e)
            {
                throw new FormatException($"not a JSON line: {e.Message}", e);
            }

            var type = (string?)o["type"];
            switch (type)
            {
                case "progress":
                    LastProgress = o;
                    break;
                case "cell":
                    Cells.Add((
                        Text(o, "stage"),
                        Number(o, "target"),
                        Text(o, "route"),
                        new RequestMetrics(
                            LatencyHistogram.Decode(Convert.FromBase64String(Text(o, "histogram"))),
                            Long(o, "requests"),
                            new ErrorCounts(Long(o, "status4xx"), Long(o, "status5xx"), Long(o, "timeouts"), Long(o, "connectionErrors")),
                            Long(o, "late"),
                            Long(o, "bytesSent"),
                            Long(o, "bytesReceived"),
                            TimeSpan.FromMilliseconds(Number(o, "durationMs")))));
                    break;
                case "captureMiss":
                    CaptureMisses.Add(new CaptureMiss(Text(o, "journey"), Text(o, "request"), Text(o, "route"), Text(o, "variable"), Text(o, "from"),
                        Long(o, "afterSuccess"), Long(o, "afterFailure"), Text(o, "sample"),
                        [.. (o["notSent"] as JsonArray ?? throw new FormatException("'notSent' is missing")).Select(r => (string?)r ?? string.Empty)]));
                    break;
                case "done":
                    Done = true;
                    Iterations = Long(o, "iterations");
                    Interrupted = Long(o, "interrupted");
                    PeakConcurrency = (int)Long(o, "peakConcurrency");
                    Transport = Enum.TryParse<LoadTransport>((string?)o["transport"], out var t) ? t : LoadTransport.Auto;
                    AbortReason = (string?)o["abortReason"];
                    break;
            }

            return type;
        }

        private static string Text(JsonObject o, string key) => (string?)o[key] ?? throw new FormatException($"'{key}' is missing");

        private static long Long(JsonObject o, string key) => o[key]?.GetValue<long>() ?? throw new FormatException($"'{key}' is missing");

        private static double Number(JsonObject o, string key) => o[key]?.GetValue<double>() ?? throw new FormatException($"'{key}' is missing");
    }

    /// <summary>
    /// The segments of every agent as one result, losslessly: per stage and route, counters add and histograms
    /// merge (the agents ran over the same window); stages follow each other; routes and overall are merges.
    /// </summary>
    public static LoadResult Merge(Uri target, IReadOnlyList<Segment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var stageNames = segments.SelectMany(s => s.Cells.Select(c => c.Stage)).Distinct(StringComparer.Ordinal).ToList();
        var routeNames = segments.SelectMany(s => s.Cells.Select(c => c.Route)).Distinct(StringComparer.Ordinal).ToList();
        var stages = new List<StageResult>();
        foreach (var stage in stageNames)
        {
            var cells = segments.SelectMany(s => s.Cells).Where(c => c.Stage == stage).ToList();
            var stageTarget = segments.Sum(s => s.Cells.FirstOrDefault(c => c.Stage == stage).Target);
            var duration = cells.Select(c => c.Metrics.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();
            var routes = routeNames.Select(route => new RouteResult(route, cells.Where(c => c.Route == route)
                .Select(c => c.Metrics)
                .Aggregate(RequestMetrics.Empty(duration), (a, b) => RequestMetrics.Combine(a, b, sameWindow: true)))).ToList();
            var total = routes.Select(r => r.Metrics).Aggregate(RequestMetrics.Empty(duration), (a, b) => RequestMetrics.Combine(a, b, sameWindow: true));
            stages.Add(new StageResult(stage, stageTarget, total, routes));
        }

        var routeTotals = routeNames.Select((route, i) => new RouteResult(route, stages.Select(s => s.Routes[i].Metrics)
            .Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false)))).ToList();
        var overall = stages.Count == 0 ? RequestMetrics.Empty(TimeSpan.Zero) : stages.Select(s => s.Metrics).Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false));
        return new LoadResult(
            target,
            LoadModel.ClosedUsers,
            overall,
            stages,
            routeTotals,
            segments.Sum(s => s.Iterations),
            segments.Sum(s => s.Interrupted),
            segments.Sum(s => s.PeakConcurrency),
            segments.Select(s => s.Transport).FirstOrDefault())
        {
            AbortReason = segments.Select(s => s.AbortReason).FirstOrDefault(r => r is not null),
            CaptureMisses = MergeMisses(segments.SelectMany(s => s.CaptureMisses)),
        };
    }

    /// <summary>One miss per journey, request and variable: counts add; the sample is a successful answer's when any agent has one.</summary>
    private static List<CaptureMiss> MergeMisses(IEnumerable<CaptureMiss> misses) =>
        [.. misses.GroupBy(m => (m.Journey, m.Request, m.Variable)).Select(g => g.First() with
        {
            AfterSuccess = g.Sum(m => m.AfterSuccess),
            AfterFailure = g.Sum(m => m.AfterFailure),
            Sample = (g.FirstOrDefault(m => m.AfterSuccess > 0) ?? g.First()).Sample,
        })];

    /// <summary>Parses <c>I/N</c> (0-based I) as an agent's segment.</summary>
    public static bool TryParseSegment(string text, out int index, out int count)
    {
        index = count = 0;
        var parts = (text ?? string.Empty).Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && count >= 1 && index < count;
    }
}
