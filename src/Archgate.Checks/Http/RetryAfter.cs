using System.Net.Http.Headers;

namespace Archgate.Checks.Http;

/// <summary>How long a <c>Retry-After</c> asks a client to wait: one reading for every probe that meets one.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// The wait <paramref name="value"/> asks for: its seconds, or its HTTP date less the answer's own <c>Date</c>
    /// (<paramref name="serverDate"/>, the server's clock; <paramref name="now"/> when there is none), never below zero.
    /// Null without one.
    /// </summary>
    public static TimeSpan? Wait(RetryConditionHeaderValue? value, DateTimeOffset? serverDate, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }

        var wait = value.Delta ?? (value.Date is { } date ? date - (serverDate ?? now) : null);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>The wait a <c>Retry-After</c> header's text asks for (<see cref="Wait"/>, against <paramref name="now"/>); null when absent or unreadable.</summary>
    public static TimeSpan? Of(string? header, DateTimeOffset now) =>
        RetryConditionHeaderValue.TryParse(header?.Trim(), out var value) ? Wait(value, null, now) : null;
}
