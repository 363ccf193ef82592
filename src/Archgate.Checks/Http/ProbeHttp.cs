using System.Net;
using System.Net.Sockets;
using Archgate.Model;

namespace Archgate.Checks.Http;

/// <summary>The request was for a host outside <c>targets.allow</c>; nothing was sent.</summary>
public sealed class HostNotAllowedException(string host)
    : HttpRequestException($"host '{host}' is not in targets.allow; Archgate sends nothing there")
{
    /// <summary>The refused host.</summary>
    public string Host { get; } = host;
}

/// <summary>Why an HTTP probe failed, and whether trying again may help.</summary>
/// <param name="Cause">Short cause: <c>connection refused</c>, <c>timeout</c>, <c>HTTP 503</c>...</param>
/// <param name="Transient">True when the failure may go away by itself.</param>
public sealed record ProbeFailure(string Cause, bool Transient);

/// <summary>The HTTP client all probes use, and the classification of its failures.</summary>
public static class ProbeHttp
{
    /// <summary>
    /// A manifest path of a component (a health path, a probe's path) under its url, the url's own path included:
    /// <c>http://host/api/v1</c> and <c>/health</c> is <c>http://host/api/v1/health</c>. A relative path is resolved as a link is;
    /// no path is the url itself.
    /// </summary>
    public static Uri Under(Uri url, string? path) =>
        path is null ? url : path.StartsWith('/') ? new Uri(url.GetLeftPart(UriPartial.Authority) + url.AbsolutePath.TrimEnd('/') + path) : new Uri(url, path);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, IExchangeObserver> Observers = [];

    /// <summary>
    /// A client that refuses hosts outside <paramref name="allowedHosts"/>, follows no redirects, keeps no
    /// cookies and uses no proxy. Per-request timeouts are set by each check with a linked token. With an
    /// <paramref name="observer"/>, every response the client receives is shown to it (step 9's passive rules read
    /// the traffic of the whole run this way); <see cref="ObserverOf"/> finds it again.
    /// </summary>
    public static HttpClient CreateClient(IReadOnlyList<string> allowedHosts, IExchangeObserver? observer = null)
    {
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        HttpMessageHandler inner = observer is null ? sockets : new RecordingHandler(observer) { InnerHandler = sockets };
        var client = new HttpClient(new AllowListHandler(allowedHosts) { InnerHandler = inner })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (observer is not null)
        {
            Observers.Add(client, observer);
        }

        return client;
    }

    /// <summary>The observer <paramref name="client"/> was created with, or null.</summary>
    public static IExchangeObserver? ObserverOf(HttpClient client) => Observers.TryGetValue(client, out var o) ? o : null;

    /// <summary>Classifies an exception thrown by a probe (not by cancellation of the run).</summary>
    public static ProbeFailure Classify(Exception ex) => ex switch
    {
        HostNotAllowedException => new("host not allowed", false),
        TaskCanceledException or TimeoutException or OperationCanceledException => new("timeout", true),
        HttpRequestException { InnerException: SocketException s } => Classify(s),
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => new("host name not found", false),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => new("connection failed", true),
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => new("connection closed by server", true),
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => new("TLS handshake failed", false),
        // A pooled connection the server closed while the request went out (a stream's connection reused after it was
        // cut): the transport's error is inside an IOException, and another try on a fresh connection usually works.
        HttpRequestException { InnerException: IOException { InnerException: SocketException s } } => Classify(s),
        HttpRequestException { InnerException: IOException io } => new($"connection broken: {FirstLine(io.Message)}", true),
        HttpRequestException h => new($"{(h.HttpRequestError == HttpRequestError.Unknown ? "request failed" : h.HttpRequestError.ToString())}: {FirstLine(h.Message)}", false),
        SocketException s => Classify(s),
        _ => new(ex.GetType().Name, false),
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim().TrimEnd('.');

    private static ProbeFailure Classify(SocketException s) => s.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new("connection refused", true),
        SocketError.TimedOut => new("timeout", true),
        SocketError.HostNotFound or SocketError.NoData => new("host name not found", false),
        SocketError.ConnectionReset => new("connection reset", true),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => new("host unreachable", true),
        _ => new($"socket error {s.SocketErrorCode}", true),
    };

    /// <summary>Classifies an HTTP status: 5xx and 429 are transient, others are not.</summary>
    public static ProbeFailure Classify(HttpStatusCode status) =>
        new($"HTTP {(int)status}", (int)status >= 500 || status == HttpStatusCode.TooManyRequests);

    /// <summary>
    /// Up to <paramref name="max"/> bytes of an answer's body, as UTF-8. A connection closed in the middle of the body
    /// (a server that answers 413 to a large upload before reading it, then closes) ends the body there: the status and
    /// headers are the answer, and what arrived is its body (<see cref="BodyRead.Cut"/>), not a failed request.
    /// </summary>
    public static async Task<BodyRead> ReadBodyAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(max, 64 * 1024)];
        using var text = new MemoryStream();
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var room = max - (int)text.Length;
                text.Write(buffer, 0, Math.Min(read, room));
                if (read > room)
                {
                    return new BodyRead(System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), true, false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return new BodyRead(System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), false, true);
        }

        return new BodyRead(System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), false, false);
    }

    /// <summary>The first <paramref name="max"/> characters of a body, redacted, for evidence.</summary>
    public static string Excerpt(string body, int max = 300)
    {
        var text = body.Length > max ? body[..max] + "..." : body;
        return Redact.Text(text);
    }

    private sealed class AllowListHandler(IReadOnlyList<string> allowed) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri?.Host ?? string.Empty;
            return TargetPolicy.IsAllowed(host, allowed)
                ? base.SendAsync(request, cancellationToken)
                : Task.FromException<HttpResponseMessage>(new HostNotAllowedException(host));
        }
    }
}

/// <summary>An answer's body as <see cref="ProbeHttp.ReadBodyAsync"/> read it.</summary>
/// <param name="Text">The body, or its first bytes.</param>
/// <param name="Over">It had more than the bytes asked for; <paramref name="Text"/> is their start.</param>
/// <param name="Cut">The connection closed before the body ended; <paramref name="Text"/> is what arrived.</param>
public readonly record struct BodyRead(string Text, bool Over, bool Cut);
