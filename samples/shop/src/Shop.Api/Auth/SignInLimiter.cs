namespace Shop.Api.Auth;

/// <summary>
/// Limits password guessing (OWASP ASVS V2.2.1): failed sign-ins are counted per account and per client address over
/// the last minute; past <see cref="PerAccount"/> for an account, or <see cref="PerAddress"/> from an address, every
/// sign-in for that account, or from that address, is refused until the oldest failure leaves the minute (429 with
/// <c>Retry-After</c>). Successful sign-ins never count, so a load test may sign in as often as it likes; one clears
/// the failures of its account (not of its address).
/// </summary>
internal sealed class SignInLimiter(TimeProvider time)
{
    /// <summary>Failed sign-ins for one account within <see cref="Window"/> before it is refused.</summary>
    public const int PerAccount = 5;

    /// <summary>Failed sign-ins from one client address within <see cref="Window"/> before it is refused.</summary>
    public const int PerAddress = 20;

    /// <summary>How long a failed sign-in counts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Past this many keys the expired ones are swept, so made-up accounts cannot grow the map without bound.
    private const int SweepAbove = 10_000;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long a sign-in for <paramref name="account"/> from <paramref name="address"/> must wait; null when it may go ahead.</summary>
    public TimeSpan? RetryAfter(string account, string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var waits = new[] { Wait(AccountKey(account), PerAccount, now), Wait(AddressKey(address), PerAddress, now) }.OfType<TimeSpan>().ToList();
            return waits.Count == 0 ? null : waits.Max();
        }
    }

    /// <summary>Counts a failed sign-in for <paramref name="account"/> from <paramref name="address"/>.</summary>
    public void Failed(string account, string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count > SweepAbove)
            {
                foreach (var key in _failures.Keys.ToList())
                {
                    Expire(key, now);
                }
            }

            foreach (var key in new[] { AccountKey(account), AddressKey(address) })
            {
                if (!_failures.TryGetValue(key, out var times))
                {
                    _failures[key] = times = new Queue<DateTimeOffset>();
                }

                times.Enqueue(now);
            }
        }
    }

    /// <summary>A successful sign-in: its account's failures no longer count.</summary>
    public void Succeeded(string account)
    {
        lock (_lock)
        {
            _failures.Remove(AccountKey(account));
        }
    }

    private static string AccountKey(string account) => "account:" + account.Trim().ToLowerInvariant();

    private static string AddressKey(string address) => "address:" + address;

    /// <summary>Until the oldest failure that keeps <paramref name="key"/> at its limit leaves the window; null below the limit.</summary>
    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (Expire(key, now) is not { Count: var count } times || count < limit)
        {
            return null;
        }

        // The failure whose leaving brings the count below the limit.
        var freeing = times.ElementAt(count - limit);
        return freeing + Window - now;
    }

    private Queue<DateTimeOffset>? Expire(string key, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var times))
        {
            return null;
        }

        while (times.Count > 0 && times.Peek() + Window <= now)
        {
            times.Dequeue();
        }

        if (times.Count == 0)
        {
            _failures.Remove(key);
            return null;
        }

        return times;
    }
}
