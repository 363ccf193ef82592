using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Tests.Frontend;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// A create whose body names another resource (an order's <c>holdId</c>) names one the run created, as path parameters
/// do; its create goes after that resource's, and what the run made is deleted, the order before its hold.
/// </summary>
public sealed class ConformanceReferencesTests
{
    [Fact]
    public async Task An_order_names_the_hold_the_run_created_and_everything_made_is_deleted()
    {
        // ex11: the session ordered "hold 1" from the contract's example, which an earlier run had ordered, and could not delete it after.
        using var api = new FakeTicketApi();

        var result = await RunCheckAsync(FakeTicketApi.Contract, api.Server);

        var dump = Dump(result, api.Server);
        var example = api.Server.Requests.First(r => r.Method == "POST" && r.PathAndQuery == "/orders" && r.Body.Contains("gift", StringComparison.Ordinal));
        var firstHold = api.Server.Requests.First(r => r.Method == "POST" && r.PathAndQuery == "/holds");
        Assert.DoesNotContain("\"holdId\":1,", example.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"seatId\":5}", firstHold.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Location == "cleanup");
        Assert.True(api.Ids("orders").Count == 1, dump);
        Assert.Equal([5L], api.Ids("seats"));
        Assert.Equal([1L], api.Ids("holds"));
        Assert.Equal([1L], api.Ids("orders"));
        Assert.DoesNotContain(result.Findings, f => f.Severity >= Archgate.Protocol.Severity.Medium && f.Location?.StartsWith("POST /orders", StringComparison.Ordinal) == true);
    }
}
