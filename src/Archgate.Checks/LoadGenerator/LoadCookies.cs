using Archgate.Checks.Http;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// A virtual user's cookies, kept as a browser (and k6's per-VU jar) keeps them: it starts with the shared setup's
/// (<see cref="LoadPlan.Cookies"/>), what an answer sets is sent with the user's later requests, a deletion forgets it,
/// and an anti-CSRF cookie is echoed in its header on writes (<see cref="SessionCookie.CsrfHeaderOf"/>). A request
/// that sets <c>Cookie</c> itself keeps its own. The target is one origin, so domain and path are not compared.
/// </summary>
/// <remarks>
/// The hot path stays cheap: a user without cookies costs an empty-list check, and a user with cookies reuses the
/// bytes of each request it encoded until a cookie changes; the server setting the same
/// value again changes nothing.
/// </remarks>
internal sealed class LoadCookies
{
    private readonly List<KeyValuePair<string, string>> _cookies = [];
    private readonly Dictionary<CompiledRequest, byte[]> _encoded = [];

    /// <summary>The <c>Set-Cookie</c> values of the answer being read, applied by <see cref="ApplyReceived"/>.</summary>
    public List<string> Received { get; } = [];

    public bool IsEmpty => _cookies.Count == 0;

    /// <summary>The <c>Cookie</c> header's value (<c>a=1; b=2</c>); empty when there are none.</summary>
    public string Header { get; private set; } = string.Empty;

    /// <summary>The cookies, in the order they were first set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All => _cookies;

    /// <summary>Starts the jar with the shared setup's cookies.</summary>
    public void Seed(IEnumerable<KeyValuePair<string, string>> cookies)
    {
        foreach (var (name, value) in cookies)
        {
            Set(name, value);
        }
    }

    /// <summary>The headers a request gets from the jar, besides its own <paramref name="own"/> headers.</summary>
    public IEnumerable<KeyValuePair<string, string>> HeadersFor(string method, IReadOnlyList<KeyValuePair<string, string>> own) =>
        SessionCookie.RequestHeaders(_cookies, Header, method, own);

    /// <summary>Bytes encoded for <paramref name="request"/> since the cookies last changed, if any.</summary>
    public bool TryEncoded(CompiledRequest request, out byte[] bytes) => _encoded.TryGetValue(request, out bytes!);

    /// <summary>Keeps the bytes encoded for a static <paramref name="request"/> until a cookie changes.</summary>
    public void KeepEncoded(CompiledRequest request, byte[] bytes) => _encoded[request] = bytes;

    /// <summary>Applies the <see cref="Received"/> <c>Set-Cookie</c> values and clears them.</summary>
    public void ApplyReceived()
    {
        if (Received.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var header in Received)
        {
            switch (SessionCookie.Change(header, now))
            {
                case (var name, { } value):
                    Set(name, value);
                    break;
                case (var name, null):
                    Remove(name);
                    break;
            }
        }

        Received.Clear();
    }

    private void Set(string name, string value)
    {
        var i = IndexOf(name);
        if (i >= 0 && _cookies[i].Value == value)
        {
            return;
        }

        if (i >= 0)
        {
            _cookies[i] = new(name, value);
        }
        else
        {
            _cookies.Add(new(name, value));
        }

        Changed();
    }

    private void Remove(string name)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            _cookies.RemoveAt(i);
            Changed();
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _cookies.Count; i++)
        {
            if (string.Equals(_cookies[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Changed()
    {
        _encoded.Clear();
        Header = SessionCookie.CookieHeader(_cookies);
    }
}
