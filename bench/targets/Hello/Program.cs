// A minimal target for the load benchmark. Endpoints:
//   /            a short text (the throughput endpoint wrk and archgate load are compared on)
//   /delay?ms=N  answers after a fixed delay of N ms (accuracy: reported percentiles ~ N)
//   /stall       answers at once, except during the first second of every 5 s period, when it
//                holds the request until that second ends (coordinated omission demonstration)
using System.Diagnostics;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var started = Stopwatch.StartNew();
const long StallPeriodMs = 5_000;
const long StallLengthMs = 1_000;

app.MapGet("/", () => "Hello, World!");
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
