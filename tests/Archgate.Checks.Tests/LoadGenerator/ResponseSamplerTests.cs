using System.Text;
using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Passive;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.LoadGenerator;

/// <summary>The load engine hands step 9's passive rules one response per route and status, with headers and body.</summary>
public sealed class ResponseSamplerTests
{
    [Theory]
    [InlineData(LoadTransport.RawHttp1)]
    [InlineData(LoadTransport.HttpClient)]
    public async Task One_response_per_route_and_status_reaches_the_observer_and_a_stress_only_500_is_among_them(LoadTransport transport)
    {
        var flaky = 0;
        using var server = new LocalHttpServer(context =>
        {
            if (context.Request.Url!.AbsolutePath == "/flaky" && Interlocked.Increment(ref flaky) % 2 == 0)
            {
                return LocalHttpServer.WriteAsync(context, 500, Encoding.UTF8.GetBytes(
                    "System.InvalidOperationException: boom\n   at Shop.Api.Orders.Place(String body) in /src/Orders.cs:line 42\n   at Shop.Api.Program.Main()"), "text/plain");
            }

            return context.Request.Url.AbsolutePath == "/page"
                ? LocalHttpServer.WriteAsync(context, 200, Encoding.UTF8.GetBytes("<!doctype html><html><body>shop</body></html>"), "text/html")
                : LocalHttpServer.WriteAsync(context, 200, Encoding.UTF8.GetBytes("""{"ok":true}"""), "application/json");
        }, concurrent: true);
        // A 2 s stage sends thousands of requests on a quiet machine; a busy one (ci2) has sent 29. Runs until one sent
        // enough for the 1-in-128 sample to meet a 500, at most five.
        async Task<(LoadResult Result, PassiveTraffic Traffic)> RunOnceAsync()
        {
            var traffic = PassiveSecurity.Recorder();
            var plan = new LoadPlan(server.Url, [
                LoadJourney.OfRequest(new LoadRequest("GET", "/page")),
                LoadJourney.OfRequest(new LoadRequest("GET", "/flaky")),
            ])
            {
                Stages = LoadProfiles.Constant(4, TimeSpan.FromSeconds(2)),
                GracefulStop = TimeSpan.FromSeconds(1),
                RequestTimeout = TimeSpan.FromSeconds(5),
                Transport = transport,
                ResponseObserver = traffic,
            };
            return (await new LoadEngine().RunAsync(plan).WaitAsync(TimeSpan.FromSeconds(30)), traffic);
        }

        static long Sent(LoadResult result) => result.Routes.Single(r => r.Route == "GET /flaky").Metrics.Requests;
        var (result, traffic) = await RunOnceAsync();
        for (var run = 1; run < 5 && Sent(result) <= 300; run++)
        {
            (result, traffic) = await RunOnceAsync();
        }

        var routes = traffic.Routes();
        var page = Assert.Single(routes, r => r.Route == "/page");
        var flakyRoute = Assert.Single(routes, r => r.Route == "/flaky");
        Assert.True(Sent(result) > 300, $"only {Sent(result)} requests in the last of five runs: too few to sample a 500 (1 in {ResponseSampler.Period} per user)");
        Assert.Equal(1, page.Responses); // one 200
        Assert.Equal(2, flakyRoute.Responses); // one 200, one 500
        Assert.Contains(page.Hits, h => h.Hit.Rule == PassiveRules.CspMissing); // judged on the HTML body
        Assert.Contains(flakyRoute.Hits, h => h.Hit.Rule == PassiveRules.StackTrace);
    }
}
