using HostAllowList = Archgate.Model.HostAllowList;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Archgate.Checks.LoadGenerator;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary><c>archgate load URL</c>: load one URL the way wrk or hey would, with k6-style thresholds.</summary>
internal sealed class LoadCommand : AsyncCommand<LoadCommand.Settings>
{
    /// <summary>Time allowed after the duration for in-flight requests before connections are closed.</summary>
    internal static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<URL>")]
        [Description("Target URL, e.g. http://127.0.0.1:8080/orders. Only allow-listed hosts (loopback by default).")]
        public string Url { get; init; } = "";

        [CommandOption("-u|--users <N>")]
        [Description("Closed model: N virtual users (connections), each sending its next request when the last answered. Default 50.")]
        public int? Users { get; init; }

        [CommandOption("-r|--rate <RATE>")]
        [Description("Open model: a fixed arrival rate such as 1000/s or 6000/m; latency is measured from the intended send time.")]
        public string? Rate { get; init; }

        [CommandOption("--max-in-flight <N>")]
        [Description("Open model: most requests in flight at once (connections). Default 500.")]
        public int MaxInFlight { get; init; } = 500;

        [CommandOption("-d|--duration <TIME>")]
        [Description("How long to load, e.g. 10s, 1m, 500ms. Default 10s.")]
        public string Duration { get; init; } = "10s";

        [CommandOption("--ramp-up <TIME>")]
        [Description("Ramp users or rate up from 0 over this time at the start. Default 0.")]
        public string RampUp { get; init; } = "0s";

        [CommandOption("-m|--method <METHOD>")]
        [Description("HTTP method. Default GET.")]
        public string Method { get; init; } = "GET";

        [CommandOption("-H|--header <HEADER>")]
        [Description("Request header 'Name: value'; repeat for more.")]
        public string[] Headers { get; init; } = [];

        [CommandOption("--body <FILE>")]
        [Description("File whose bytes are the request body.")]
        public string? Body { get; init; }

        [CommandOption("--timeout <TIME>")]
        [Description("Request timeout, on the whole answer (headers and body); a request still in flight at the end counts as a timeout too. Default 10s.")]
        public string Timeout { get; init; } = "10s";

        [CommandOption("--threshold <EXPR>")]
        [Description("k6-style threshold, e.g. 'http_req_duration: p(95)<200' or 'http_req_failed: rate<0.01'; repeat for more. A failed threshold exits 4.")]
        public string[] Thresholds { get; init; } = [];

        [CommandOption("--allow-no-data")]
        [Description("A threshold with nothing to judge (no successful request) passes as 'no data' instead of failing.")]
        public bool AllowNoData { get; init; }

        [CommandOption("--allow <HOST>")]
        [Description("Also allow this host (name, address or CIDR) as a target; repeat for more. Loopback is always allowed.")]
        public string[] Allow { get; init; } = [];

        [CommandOption("--transport <KIND>")]
        [Description("auto (lean HTTP/1.1 client for http, HttpClient for https), raw or httpclient. Default auto.")]
        public string Transport { get; init; } = "auto";

        [CommandOption("--json")]
        [Description("Print the result as one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"URL '{Url}' is not an absolute http or https URL; hint: http://127.0.0.1:8080/");
            }

            if (Users is not null && Rate is not null)
            {
                errors.Add("--users and --rate exclude each other; hint: --users for a closed model, --rate (with --max-in-flight) for an open one");
            }

            if (Users is < 1)
            {
                errors.Add("--users must be at least 1");
            }

            if (Rate is not null && !TryParseRate(Rate, out _))
            {
                errors.Add($"--rate '{Rate}' is not a rate; hint: 1000/s, 6000/m or 1000");
            }

            if (MaxInFlight < 1)
            {
                errors.Add("--max-in-flight must be at least 1");
            }

            foreach (var (name, value) in new[] { ("--duration", Duration), ("--ramp-up", RampUp), ("--timeout", Timeout) })
            {
                if (!TryParseDuration(value, out var d) || (name != "--ramp-up" && d <= TimeSpan.Zero))
                {
                    errors.Add($"{name} '{value}' is not a positive duration; hint: 10s, 500ms, 1m30s");
                }
            }

            if (TryParseDuration(Duration, out var total) && TryParseDuration(RampUp, out var ramp) && ramp > total)
            {
                errors.Add("--ramp-up must not be longer than --duration");
            }

            foreach (var header in Headers)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    errors.Add($"--header '{header}' is not 'Name: value'");
                }
            }

            if (Body is not null && !File.Exists(Body))
            {
                errors.Add($"--body '{Body}': no such file");
            }

            if (Transport is not ("auto" or "raw" or "httpclient"))
            {
                errors.Add($"--transport '{Transport}': use auto, raw or httpclient");
            }

            foreach (var t in Thresholds)
            {
                if (!Threshold.TryParse(t, out _, out var error))
                {
                    errors.Add("--threshold " + error);
                }
            }

            return errors.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join(Environment.NewLine, errors));
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var plan = BuildPlan(settings);
        var problems = plan.Validate();
        if (problems.Count > 0)
        {
            foreach (var p in problems)
            {
                await Console.Error.WriteLineAsync("archgate load: " + Printable.Escape(Redact.Url(p)));
            }

            return ExitCodes.Usage;
        }

        var thresholds = settings.Thresholds.Select(Threshold.Parse).ToArray();
        var interactive = !Console.IsErrorRedirected && !settings.Json;
        var progress = interactive ? new Progress<LoadProgress>(p => WriteProgress(plan, p)) : null;

        // Bounded whatever the target does: duration, then the engine's graceful stop, then a last margin.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(plan.TotalDuration + plan.GracefulStop + plan.RequestTimeout + TimeSpan.FromSeconds(5));
        LoadResult result;
        try
        {
            result = await new LoadEngine().RunAsync(plan, progress, bound.Token);
        }
        catch (OperationCanceledException)
        {
            if (interactive)
            {
                await Console.Error.WriteLineAsync();
            }

            await Console.Error.WriteLineAsync("archgate load: cancelled");
            return ExitCodes.Cancelled;
        }

        if (interactive)
        {
            await Console.Error.WriteAsync("\r" + new string(' ', 100) + "\r");
        }

        var outcomes = thresholds.Select(t => t.Evaluate(result)).ToArray();
        if (settings.Json)
        {
            WriteJson(Console.Out, plan, result, outcomes, settings.AllowNoData);
        }
        else
        {
            WriteSummary(Console.Out, plan, result, outcomes, settings.AllowNoData);
        }

        if (result.Overall.Requests > 0 && result.Overall.Errors.ConnectionErrors == result.Overall.Requests)
        {
            await Console.Error.WriteLineAsync($"archgate load: could not reach {plan.Target}: every request failed to connect; hint: is the target running?");
            return ExitCodes.Infrastructure;
        }

        return outcomes.Any(o => o.Fails(settings.AllowNoData)) ? ExitCodes.NoGo : ExitCodes.Go;
    }

    internal static LoadPlan BuildPlan(Settings settings)
    {
        var url = new Uri(settings.Url);
        var baseUri = new Uri(url.GetLeftPart(UriPartial.Authority));
        var headers = settings.Headers.Select(h =>
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            return new KeyValuePair<string, string>(h[..colon].Trim(), h[(colon + 1)..].Trim());
        }).ToArray();
        var request = new LoadRequest(settings.Method.ToUpperInvariant(), url.PathAndQuery)
        {
            Headers = headers,
            Body = settings.Body is null ? null : File.ReadAllBytes(settings.Body),
        };
        var duration = ParseDuration(settings.Duration);
        var rampUp = ParseDuration(settings.RampUp);
        var timeout = ParseDuration(settings.Timeout);
        var open = settings.Rate is not null;
        var target = open && TryParseRate(settings.Rate!, out var rate) ? rate : settings.Users ?? 50;
        return new LoadPlan(baseUri, [LoadJourney.OfRequest(request)])
        {
            Model = open ? LoadModel.OpenArrivalRate : LoadModel.ClosedUsers,
            Stages = [new LoadStage("main", duration, target) { RampUp = rampUp }],
            RequestTimeout = timeout,
            GracefulStop = GracePeriod,
            MaxConcurrency = settings.MaxInFlight,
            AllowedHosts = HostAllowList.Loopback.With(settings.Allow),
            Transport = settings.Transport switch
            {
                "raw" => LoadTransport.RawHttp1,
                "httpclient" => LoadTransport.HttpClient,
                _ => LoadTransport.Auto,
            },
        };
    }

    private static TimeSpan ParseDuration(string text) =>
        TryParseDuration(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration");

    /// <summary>10s, 500ms, 2m, 1m30s, 1h; a bare number is seconds.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            duration = TimeSpan.FromSeconds(bare);
            return bare >= 0;
        }

        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            if (!double.TryParse(s[start..unitStart], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            double? seconds = s[unitStart..i] switch
            {
                "ms" => value / 1000,
                "s" => value,
                "m" => value * 60,
                "h" => value * 3600,
                _ => null,
            };
            if (seconds is null)
            {
                return false;
            }

            duration += TimeSpan.FromSeconds(seconds.Value);
        }

        return true;
    }

    /// <summary>1000/s, 6000/m or a bare number per second.</summary>
    internal static bool TryParseRate(string text, out double perSecond)
    {
        var parts = text.Trim().Split('/', 2);
        perSecond = 0;
        if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0 || double.IsInfinity(n))
        {
            return false;
        }

        var per = parts.Length == 1 ? "s" : parts[1].Trim();
        double? divisor = per switch { "s" => 1, "m" or "min" => 60, "h" => 3600, _ => null };
        if (divisor is null)
        {
            return false;
        }

        perSecond = n / divisor.Value;
        return true;
    }

    private static void WriteProgress(LoadPlan plan, LoadProgress p)
    {
        var load = plan.Model == LoadModel.ClosedUsers ? $"users {p.Target:0}" : $"rate {p.Target:0}/s";
        var late = plan.Model == LoadModel.OpenArrivalRate ? $"  late {p.LateRequests}" : "";
        var line = $"[{p.Elapsed:mm\\:ss}] {load}  in-flight {p.InFlight}  {p.RequestsPerSecond:0} req/s  p95 {p.P95Ms:0.00} ms  errors {p.Errors}{late}";
        Console.Error.Write("\r" + line.PadRight(100));
    }

    private static string Verdict(ThresholdOutcome t, bool allowNoData) => t.Status switch
    {
        ThresholdStatus.Pass => "pass",
        ThresholdStatus.Fail => "fail",
        _ => t.Fails(allowNoData) ? "fail" : "no-data",
    };

    private static void WriteSummary(TextWriter o, LoadPlan plan, LoadResult r, IReadOnlyList<ThresholdOutcome> outcomes, bool allowNoData)
    {
        var m = r.Overall;
        var model = plan.Model == LoadModel.ClosedUsers
            ? $"{plan.Stages[0].Target:0} users"
            : $"{plan.Stages[0].Target:0.##} req/s arrival rate (max {plan.MaxConcurrency} in flight)";
        o.WriteLine($"archgate load {plan.Stages[0].Duration.TotalSeconds:0.###}s @ {r.Target}, {model}, {r.Transport}");
        o.WriteLine();
        o.WriteLine($"  requests      {m.Requests} in {m.Duration.TotalSeconds:0.00}s, {m.RequestsPerSecond:0.0} req/s");
        o.WriteLine($"  latency (ms)  p50 {m.P50Ms:0.000}  p90 {m.P90Ms:0.000}  p95 {m.P95Ms:0.000}  p99 {m.P99Ms:0.000}  max {m.MaxMs:0.000}");
        var e = m.Errors;
        o.WriteLine($"  errors        {e.Total} ({m.FailedRate:0.##%}): 4xx {e.Status4xx}, 5xx {e.Status5xx}, timeout {e.Timeouts}, connection {e.ConnectionErrors}");
        if (plan.Model == LoadModel.OpenArrivalRate)
        {
            o.WriteLine($"  late          {m.LateRequests} sent more than {plan.LateAfter.TotalMilliseconds:0} ms after their intended time (all connections busy)");
            o.WriteLine($"  send lag (ms) p50 {r.ScheduleLag.PercentileMilliseconds(50):0.000}  p99 {r.ScheduleLag.PercentileMilliseconds(99):0.000}  max {r.ScheduleLag.MaxMilliseconds:0.000} after the intended time");
        }

        o.WriteLine($"  bytes         {m.BytesReceived} received ({m.BytesReceived / Math.Max(0.001, m.Duration.TotalSeconds) / 1024 / 1024:0.00} MB/s), {m.BytesSent} sent");
        if (r.InterruptedRequests > 0)
        {
            o.WriteLine($"  interrupted   {r.InterruptedRequests} still in flight at the stop (counted as timeouts)");
        }

        if (r.DroppedArrivals > 0)
        {
            o.WriteLine($"  dropped       {r.DroppedArrivals} arrivals never sent (every connection was busy when the run stopped)");
        }

        foreach (var t in outcomes)
        {
            var observed = t.Observed is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : $"no data: {t.Reason}";
            var verdict = Verdict(t, allowNoData) switch { "pass" => "pass", "fail" => "FAIL", _ => "no data" };
            o.WriteLine($"  threshold     {verdict}  {t.Threshold.Text}  (observed {observed})");
        }
    }

    internal static void WriteJson(TextWriter o, LoadPlan plan, LoadResult r, IReadOnlyList<ThresholdOutcome> outcomes, bool allowNoData)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var m = r.Overall;
            w.WriteStartObject();
            w.WriteString("url", plan.Target.ToString().TrimEnd('/') + plan.Journeys[0].Steps[0].Path);
            w.WriteString("model", plan.Model == LoadModel.ClosedUsers ? "closed" : "open");
            w.WriteNumber(plan.Model == LoadModel.ClosedUsers ? "users" : "rate", plan.Stages[0].Target);
            w.WriteString("transport", r.Transport.ToString());
            w.WriteNumber("durationSeconds", Math.Round(m.Duration.TotalSeconds, 3));
            w.WriteNumber("requests", m.Requests);
            w.WriteNumber("requestsPerSecond", Math.Round(m.RequestsPerSecond, 1));
            w.WriteStartObject("latencyMs");
            w.WriteNumber("p50", Math.Round(m.P50Ms, 3));
            w.WriteNumber("p90", Math.Round(m.P90Ms, 3));
            w.WriteNumber("p95", Math.Round(m.P95Ms, 3));
            w.WriteNumber("p99", Math.Round(m.P99Ms, 3));
            w.WriteNumber("max", Math.Round(m.MaxMs, 3));
            w.WriteNumber("mean", Math.Round(m.Latency.MeanMilliseconds, 3));
            w.WriteEndObject();
            w.WriteStartObject("errors");
            w.WriteNumber("total", m.Errors.Total);
            w.WriteNumber("rate", Math.Round(m.FailedRate, 6));
            w.WriteNumber("status4xx", m.Errors.Status4xx);
            w.WriteNumber("status5xx", m.Errors.Status5xx);
            w.WriteNumber("timeout", m.Errors.Timeouts);
            w.WriteNumber("connection", m.Errors.ConnectionErrors);
            w.WriteEndObject();
            w.WriteNumber("lateRequests", m.LateRequests);
            if (plan.Model == LoadModel.OpenArrivalRate)
            {
                // How far behind its intended time each request left (the arrival clock's accuracy).
                w.WriteStartObject("scheduleLagMs");
                w.WriteNumber("p50", Math.Round(r.ScheduleLag.PercentileMilliseconds(50), 3));
                w.WriteNumber("p99", Math.Round(r.ScheduleLag.PercentileMilliseconds(99), 3));
                w.WriteNumber("max", Math.Round(r.ScheduleLag.MaxMilliseconds, 3));
                w.WriteEndObject();
            }

            w.WriteNumber("interruptedRequests", r.InterruptedRequests);
            w.WriteNumber("droppedArrivals", r.DroppedArrivals);
            w.WriteNumber("bytesReceived", m.BytesReceived);
            w.WriteNumber("bytesSent", m.BytesSent);
            w.WriteNumber("peakInFlight", r.PeakConcurrency);
            w.WriteStartArray("thresholds");
            foreach (var t in outcomes)
            {
                w.WriteStartObject();
                w.WriteString("threshold", t.Threshold.Text);
                w.WriteString("status", Verdict(t, allowNoData));
                if (t.Observed is { } v)
                {
                    w.WriteNumber("observed", Math.Round(v, 3));
                }
                else
                {
                    w.WriteNull("observed");
                    w.WriteString("reason", t.Reason);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
