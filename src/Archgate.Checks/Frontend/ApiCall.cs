using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Archgate.Checks.Http;

namespace Archgate.Checks.Frontend;

/// <summary>What one call of a step 5 or step 7 check got: its status, headers and body, or why there was no answer.</summary>
/// <param name="Method">The method sent.</param>
/// <param name="Url">The URL sent to.</param>
/// <param name="Status">The status, 0 when nothing answered.</param>
/// <param name="Headers">Response headers (content headers included), by name, case-insensitive.</param>
/// <param name="Body">The response body as text.</param>
/// <param name="Elapsed">Time to the whole answer.</param>
/// <param name="Failure">Why nothing answered, or null.</param>
internal sealed record ApiAnswer(string Method, Uri Url, int Status, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan Elapsed, ProbeFailure? Failure)
{
    /// <summary>Whether the status is 2xx.</summary>
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The answer's <c>Set-Cookie</c> headers, one each (<see cref="Headers"/> cannot hold them apart).</summary>
    public IReadOnlyList<string> SetCookies { get; init; } = [];

    /// <summary>The cookies the answer set (deletions left out).</summary>
    public IReadOnlyList<SessionCookie> Cookies => [.. SetCookies.Select(c => SessionCookie.Parse(c, DateTimeOffset.UtcNow)).OfType<SessionCookie>()];

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary><c>POST /orders answered 201</c>, or the failure, for messages.</summary>
    public string Summary => $"{Method} {Url.PathAndQuery} {Outcome}";

    /// <summary>What came back, with its verb: "answered 200", or "got no answer (…)".</summary>
    public string Outcome => Failure is null ? $"answered {Status}" : $"got no answer ({Failure.Cause})";

    /// <summary>The request line, status and a redacted excerpt of the body, for evidence.</summary>
    public string Evidence(int max = 300) =>
        Failure is null ? $"{Method} {Url} -> {Status} {ProbeHttp.Excerpt(Body, max)}" : $"{Method} {Url} -> {Failure.Cause}";
}

/// <summary>Sends one request through the guarded client and returns its answer as a value.</summary>
internal static class ApiCall
{
    /// <summary>How long one call may take unless a check says otherwise. <value>10 s</value>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ApiAnswer> SendAsync(
        HttpClient http, string method, Uri url, IEnumerable<KeyValuePair<string, string>>? headers, string? body, TimeSpan timeout,
        CancellationToken cancellationToken, string contentType = "application/json")
    {
        using var message = new HttpRequestMessage(new HttpMethod(method), url);
        foreach (var (name, value) in headers ?? [])
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
                continue;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            message.Content = new StringContent(body, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(message, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            var answerHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                answerHeaders[name] = string.Join(", ", values);
            }

            return new ApiAnswer(method, url, (int)response.StatusCode, answerHeaders, text, watch.Elapsed, null)
            {
                SetCookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? [.. set] : [],
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ApiAnswer(method, url, 0, new Dictionary<string, string>(), string.Empty, watch.Elapsed, ProbeHttp.Classify(ex));
        }
    }

    /// <summary><paramref name="path"/> (with its query) against a component's base URL, its path included (<see cref="ProbeHttp.Under"/>).</summary>
    public static Uri Resolve(Uri baseUrl, string path) => ProbeHttp.Under(baseUrl, path);
}
