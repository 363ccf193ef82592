// A minimal target for the load benchmark. Endpoints:
//   /            a short text (the throughput endpoint wrk and archgate load are compared on)
//   /delay?ms=N  answers after a fixed delay of N ms (accuracy: reported percentiles ~ N)
//   /stall       answers at once, except during the first second of every 5 s period, when it
//                holds the request until that second ends (coordinated omission demonstration)
//   /truth       the server's own view of /delay since the last call: count and p50/p95/p99 in ms, measured
//                from when the request reached the app to when its handler finished (then resets)
using System.Diagnostics;
using System.Globalization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var started = Stopwatch.StartNew();
const long StallPeriodMs = 5_000;
const long StallLengthMs = 1_000;

var truth = new List<double>();
app.Use(async (context, next) =>
{
    var t0 = Stopwatch.GetTimestamp();
    await next();
    if (context.Request.Path == "/delay")
    {
        var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        lock (truth)
        {
            truth.Add(ms);
        }
    }
});

app.MapGet("/", () => "Hello, World!");
app.MapGet("/truth", () =>
{
    double[] all;
    lock (truth)
    {
        all = [.. truth];
        truth.Clear();
    }

    Array.Sort(all);
    double P(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p / 100 * all.Length) - 1)];
    return Results.Text(string.Create(CultureInfo.InvariantCulture, $"{{\"count\":{all.Length},\"p50\":{P(50):0.###},\"p95\":{P(95):0.###},\"p99\":{P(99):0.###}}}"), "application/json");
});
app.MapGet("/delay", async (int? ms) =>
{
    await Task.Delay(Math.Clamp(ms ?? 10, 0, 10_000));
    return "delayed";
});
app.MapGet("/stall", async () =>
{
    var phase = started.ElapsedMilliseconds % StallPeriodMs;
    if (phase < StallLengthMs)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(StallLengthMs - phase));
    }

    return "ok";
});

app.Run();
