using Archgate.Checks.LoadGenerator;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Checks.Tests.LoadGenerator;

/// <summary>
/// Fake-clock tests step the clock only when the engine has caught up; other tests of this assembly running
/// at the same time (PostgreSQL, processes) starve the thread pool on 2 cores, so these run on their own.
/// </summary>
[CollectionDefinition(nameof(FakeClockCollection), DisableParallelization = true)]
public sealed class FakeClockCollection;

/// <summary>The executors' scheduling on a fake clock: users, rates, stage transitions, coordinated omission.</summary>
[Collection(nameof(FakeClockCollection))]
public class LoadEngineTests
{
    static LoadEngineTests() => ThreadPool.SetMinThreads(Math.Max(16, Environment.ProcessorCount * 4), 16);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task The_closed_model_runs_each_stage_with_its_number_of_users()
    {
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100));
        var plan = Plan(LoadModel.ClosedUsers, [new LoadStage("baseline", TimeSpan.FromSeconds(1), 2), new LoadStage("stress", TimeSpan.FromSeconds(1), 5)]);

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 2 : t < TimeSpan.FromSeconds(2) ? 5 : 0);

        Assert.Equal(20, result.Stages[0].Metrics.Requests);
        Assert.Equal(50, result.Stages[1].Metrics.Requests);
        Assert.Equal(5, result.PeakConcurrency);
        Assert.Equal(5, transport.Connections);
        Assert.Equal(100, result.Overall.P50Ms, 0);
        Assert.Equal(100, result.Overall.MaxMs, 0);
        Assert.Equal(20, result.Stages[0].Metrics.RequestsPerSecond, 6);
        Assert.DoesNotContain(transport.Sent, s => s.At >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Ramping_down_stops_users_between_requests()
    {
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100));
        var plan = Plan(LoadModel.ClosedUsers, [new LoadStage("high", TimeSpan.FromSeconds(1), 4), new LoadStage("low", TimeSpan.FromSeconds(1), 1)]);

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 4 : t < TimeSpan.FromSeconds(2) ? 1 : 0);

        Assert.Equal(40, result.Stages[0].Metrics.Requests);
        Assert.Equal(10, result.Stages[1].Metrics.Requests);
    }

    [Fact]
    public async Task The_open_model_sends_on_schedule_when_the_target_keeps_up()
    {
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(30));
        var plan = Plan(LoadModel.OpenArrivalRate, LoadProfiles.Constant(20, TimeSpan.FromSeconds(1))) with { MaxConcurrency = 4 };

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) && t.TotalMilliseconds % 50 < 30 ? 1 : 0);

        Assert.Equal(20, result.Overall.Requests);
        Assert.Equal(0, result.Overall.LateRequests);
        Assert.Equal(30, result.Overall.MaxMs, 0);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 50.0), transport.Sent.Select(s => Math.Round(s.At.TotalMilliseconds)));
        // ceil(20/s x 0.1 s) = 2 connections opened and warmed before the clock started; they were enough.
        Assert.Equal(2, transport.Warmed);
        Assert.Equal(2, transport.Connections);
    }

    [Fact]
    public async Task The_open_model_counts_requests_it_could_not_send_on_time_and_measures_them_from_the_intended_time()
    {
        // 10/s but one connection and 250 ms answers: the target can do 4/s, so arrivals queue up.
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(250));
        var plan = Plan(LoadModel.OpenArrivalRate, LoadProfiles.Constant(10, TimeSpan.FromSeconds(1))) with { MaxConcurrency = 1 };

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(2.5) ? 1 : 0);

        Assert.Equal(10, result.Overall.Requests);
        Assert.Equal(9, result.Overall.LateRequests);

        // The last arrival was due at 0.9 s and answered at 2.5 s: 1.6 s, not the 250 ms a closed model would report.
        Assert.Equal(1600, result.Overall.MaxMs, 1600 * 0.002);
        Assert.Equal(250, result.Overall.Latency.PercentileMilliseconds(0), 0);
        Assert.True(result.Overall.P50Ms > 800);
    }

    [Fact]
    public async Task A_journey_logs_in_once_per_user_and_uses_the_captured_token()
    {
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100));
        var login = new LoadRequest("POST", "/login") { Captures = [new LoadCapture("token", LoadCaptureSource.Header, "x-token")] };
        var browse = new LoadRequest("GET", "/orders?t={token}");
        var journey = new LoadJourney("shop", [browse]) { Setup = [login] };
        var plan = new LoadPlan(new Uri("http://127.0.0.1:1/"), [journey])
        {
            Stages = LoadProfiles.Constant(2, TimeSpan.FromSeconds(1)),
            GracefulStop = TimeSpan.FromSeconds(1),
        };

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 2 : 0);

        Assert.Equal(2, result.Routes.Single(r => r.Route == "POST /login").Metrics.Requests);
        Assert.Equal(18, result.Routes.Single(r => r.Route == "GET /orders").Metrics.Requests);
        Assert.Contains(transport.Sent, s => s.Path == "/orders?t=t-0");
        Assert.Contains(transport.Sent, s => s.Path == "/orders?t=t-1");
    }

    [Fact]
    public async Task A_capture_that_finds_nothing_ends_the_iteration_at_its_request_and_is_counted_as_itself()
    {
        // The answers have no 'id': GET /orders/{order} went out with {order} unfilled and its failures were counted
        // under it, so the report said "GET /orders/{order}: 100 % errors" and nothing of the capture.
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100), status: 503);
        var place = new LoadRequest("POST", "/orders") { Captures = [new LoadCapture("order", LoadCaptureSource.JsonProperty, "id")] };
        var journey = new LoadJourney("buy", [place, new LoadRequest("GET", "/orders/{order}"), new LoadRequest("GET", "/orders")]);
        var plan = new LoadPlan(new Uri("http://127.0.0.1:1/"), [journey])
        {
            Stages = LoadProfiles.Constant(1, TimeSpan.FromSeconds(1)),
            GracefulStop = TimeSpan.FromSeconds(1),
        };

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 1 : 0);

        Assert.Equal(10, transport.Sent.Count);
        Assert.All(transport.Sent, s => Assert.Equal("/orders", s.Path));
        Assert.Equal(10, result.Routes.Single(r => r.Route == "POST /orders").Metrics.Requests);
        Assert.Equal(0, result.Routes.Single(r => r.Route == "GET /orders/{order}").Metrics.Requests);
        Assert.Equal(0, result.Iterations); // none completed
        var miss = Assert.Single(result.CaptureMisses);
        Assert.Equal(("buy", "step 1", "POST /orders", "order", "JSON property 'id'"), (miss.Journey, miss.Request, miss.Route, miss.Variable, miss.From));
        Assert.Equal((0, 10), (miss.AfterSuccess, miss.AfterFailure));
        Assert.Equal("status 503, empty body", miss.Sample);
        Assert.Equal(["GET /orders/{order}", "GET /orders"], miss.NotSent);
    }

    [Fact]
    public async Task A_users_setup_whose_capture_finds_nothing_is_sent_again_at_its_next_iteration()
    {
        // The login answers 200 without the token (the fake transport answers with an X-Token header and no body).
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100));
        var login = new LoadRequest("POST", "/login") { Captures = [new LoadCapture("token", LoadCaptureSource.JsonProperty, "accessToken")] };
        var journey = new LoadJourney("shop", [new LoadRequest("GET", "/orders?t={token}")]) { Setup = [login] };
        var plan = new LoadPlan(new Uri("http://127.0.0.1:1/"), [journey])
        {
            Stages = LoadProfiles.Constant(1, TimeSpan.FromSeconds(1)),
            GracefulStop = TimeSpan.FromSeconds(1),
        };

        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 1 : 0);

        Assert.Equal(10, result.Routes.Single(r => r.Route == "POST /login").Metrics.Requests);
        Assert.Equal(0, result.Routes.Single(r => r.Route == "GET /orders").Metrics.Requests);
        var miss = Assert.Single(result.CaptureMisses);
        Assert.Equal(("shop", "setup 1", "token", 10L, 0L), (miss.Journey, miss.Request, miss.Variable, miss.AfterSuccess, miss.AfterFailure));
        Assert.Equal("status 200, empty body", miss.Sample);
        Assert.Equal(["GET /orders"], miss.NotSent);
    }

    [Fact]
    public async Task A_step_with_its_own_think_time_is_followed_at_once_by_the_next()
    {
        // The journey pauses 400 ms after each step, but not after /place: /follow goes out as soon as /place
        // answers, so its latency is what follows the placing (a placed order followed to paid), not a pause later.
        var time = new FakeTimeProvider();
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(100));
        var place = new LoadRequest("POST", "/place") { ThinkTime = TimeSpan.Zero };
        var journey = new LoadJourney("order", [place, new LoadRequest("GET", "/follow")]) { ThinkTime = TimeSpan.FromMilliseconds(400) };
        var plan = new LoadPlan(new Uri("http://127.0.0.1:1/"), [journey])
        {
            Stages = LoadProfiles.Constant(1, TimeSpan.FromSeconds(1)),
            GracefulStop = TimeSpan.FromSeconds(1),
        };

        // place 0-100 ms, follow 100-200, pause to 600, place 600-700, follow 700-800, pause past the end.
        var result = await Drive(time, transport, plan, t => t < TimeSpan.FromMilliseconds(200) || (t >= TimeSpan.FromMilliseconds(600) && t < TimeSpan.FromMilliseconds(800)) ? 1 : 0);

        Assert.Equal(2, result.Routes.Single(r => r.Route == "POST /place").Metrics.Requests);
        Assert.Equal(2, result.Routes.Single(r => r.Route == "GET /follow").Metrics.Requests);
        Assert.Equal([0.0, 100, 600, 700], transport.Sent.Select(s => Math.Round(s.At.TotalMilliseconds)));
    }

    [Fact]
    public async Task Progress_reports_the_current_target_and_throughput()
    {
        var time = new FakeTimeProvider();
        // 70 ms answers never fall on a whole second, so each report counts whole requests unambiguously.
        var transport = new FakeTransport(time, TimeSpan.FromMilliseconds(70));
        var plan = Plan(LoadModel.ClosedUsers, [new LoadStage("baseline", TimeSpan.FromSeconds(1), 2), new LoadStage("stress", TimeSpan.FromSeconds(3), 5)]);
        var reports = new List<LoadProgress>();

        await Drive(time, transport, plan, t => t < TimeSpan.FromSeconds(1) ? 2 : t < TimeSpan.FromSeconds(4) ? 5 : 0, new SyncProgress(reports));

        var third = Assert.Single(reports, r => r.Elapsed == TimeSpan.FromSeconds(3));
        Assert.Equal("stress", third.Stage);
        Assert.Equal(5, third.Target);
        Assert.Equal(70, third.RequestsPerSecond, 6);
        Assert.Equal(3, reports.Count);
    }

    private static LoadPlan Plan(LoadModel model, IReadOnlyList<LoadStage> stages) =>
        new(new Uri("http://127.0.0.1:1/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/"))])
        {
            Model = model,
            Stages = stages,
            GracefulStop = TimeSpan.FromSeconds(5),
            ProgressInterval = TimeSpan.FromSeconds(1),
        };

    /// <summary>
    /// Advances the fake clock in small steps; before each step waits (in real time, briefly) until the
    /// users expected at this moment have their request in flight, so that starting users on the thread
    /// pool cannot fall behind the fake clock.
    /// </summary>
    private static async Task<LoadResult> Drive(FakeTimeProvider time, FakeTransport transport, LoadPlan plan, Func<TimeSpan, int> expectedInFlight, IProgress<LoadProgress>? progress = null)
    {
        var engine = new LoadEngine(time, (_, _, _) => Task.FromResult<ILoadTransport>(transport));
        var start = time.GetUtcNow();
        // Off xUnit's synchronization context, so continuations run inline inside Advance as they would on the thread pool.
        var run = Task.Run(() => engine.RunAsync(plan, progress));
        for (var i = 0; i < 2_000 && !run.IsCompleted; i++)
        {
            var expected = expectedInFlight(time.GetUtcNow() - start);
            var waitUntil = DateTime.UtcNow.AddSeconds(10);
            while (transport.InFlight < expected && DateTime.UtcNow < waitUntil && !run.IsCompleted)
            {
                await Task.Delay(1);
            }

            // Off xUnit's context too: the users' continuations run inside Advance and must not capture it.
            await Task.Run(() => time.Advance(Step));
        }

        return await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class SyncProgress(List<LoadProgress> reports) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
