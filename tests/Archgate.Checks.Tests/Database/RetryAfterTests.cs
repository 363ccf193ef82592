using System.Net.Http.Headers;
using Archgate.Checks.Database;

namespace Archgate.Checks.Tests.Database;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 15, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(string? retryAfter, string? date = null)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (date is not null)
        {
            response.Headers.TryAddWithoutValidation("Date", date);
        }

        return response.Headers;
    }

    [Fact]
    public void Seconds_are_the_wait() =>
        Assert.Equal(TimeSpan.FromSeconds(3), ProbeRequests.RetryAfter(Headers("3"), Now));

    [Fact]
    public void A_date_is_read_against_the_servers_own_Date_not_the_local_clock() =>
        Assert.Equal(TimeSpan.FromSeconds(2), ProbeRequests.RetryAfter(Headers("Sun, 06 Dec 2026 14:00:02 GMT", "Sun, 06 Dec 2026 14:00:00 GMT"), Now));

    [Fact]
    public void A_date_without_the_servers_Date_is_read_against_now() =>
        Assert.Equal(TimeSpan.FromSeconds(5), ProbeRequests.RetryAfter(Headers("Sun, 06 Dec 2026 15:00:05 GMT"), Now));

    [Fact]
    public void A_date_in_the_past_asks_for_no_wait_and_no_header_for_none()
    {
        Assert.Equal(TimeSpan.Zero, ProbeRequests.RetryAfter(Headers("Sun, 06 Dec 2026 14:59:00 GMT"), Now));
        Assert.Null(ProbeRequests.RetryAfter(Headers(null), Now));
    }
}
