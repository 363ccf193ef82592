using System.Collections.Concurrent;

namespace Archgate.Protocol;

/// <summary>
/// Objects that every check of one run shares, created on first use: the token cache (one login per identity and
/// service for the whole run), and whatever else a check family keeps for the run. Thread-safe.
/// </summary>
public sealed class RunServices
{
    private readonly ConcurrentDictionary<Type, Lazy<object>> _items = new();

    /// <summary>The run's one <typeparamref name="T"/>, made by <paramref name="create"/> the first time it is asked for.</summary>
    public T Get<T>(Func<T> create)
        where T : class =>
        (T)_items.GetOrAdd(typeof(T), _ => new Lazy<object>(() => create())).Value;
}
