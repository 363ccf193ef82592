using HostAllowList = Archgate.Model.HostAllowList;
using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public class HostAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("[::1]", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("example.com", false)]
    [InlineData("128.0.0.1", false)]
    public void The_default_allows_loopback_only(string host, bool allowed)
    {
        Assert.Equal(allowed, HostAllowList.Loopback.Allows(host));
    }

    [Fact]
    public void Added_names_and_ranges_are_allowed_and_nothing_else()
    {
        var list = HostAllowList.Loopback.With(["staging.internal", "10.1.2.0/24"]);

        Assert.True(list.Allows("staging.internal"));
        Assert.True(list.Allows("10.1.2.200"));
        Assert.False(list.Allows("10.1.3.1"));
        Assert.True(list.Allows("127.0.0.1"));
    }

    [Fact]
    public async Task A_plan_aimed_at_a_host_outside_the_list_is_refused_before_anything_is_sent()
    {
        var plan = new LoadPlan(new Uri("http://203.0.113.5/"), [LoadJourney.OfRequest(new LoadRequest("GET", "/"))]);

        var error = Assert.Single(plan.Validate());
        Assert.Contains("not in the allow-list", error, StringComparison.Ordinal);
        Assert.Contains("--allow 203.0.113.5", error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => new LoadEngine().RunAsync(plan));
    }

    [Fact]
    public void A_plan_reports_every_problem_at_once()
    {
        var plan = new LoadPlan(new Uri("http://127.0.0.1:1/"), [LoadJourney.OfRequest(new LoadRequest("GET", "orders/{id}"))])
        {
            Stages = [new LoadStage("bad", TimeSpan.Zero, -1)],
        };

        var errors = plan.Validate();

        Assert.Contains(errors, e => e.Contains("duration must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("target -1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must start with '/'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("variable '{id}' is never captured", StringComparison.Ordinal));
    }
}
