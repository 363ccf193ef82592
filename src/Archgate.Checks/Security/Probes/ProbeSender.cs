using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>One answer to a probe: status, headers, the body (up to the read limit) and the time it took.</summary>
internal sealed record ProbeExchange(int Status, IReadOnlyDictionary<string, string> Headers, string Body, string? MediaType, TimeSpan Elapsed)
{
    /// <summary>Whether the status is 2xx.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// Sends one probe family's requests to one service within its bounds (requests, time), counts them, and renders
/// the evidence of a finding: the request as curl with every secret masked, the status and the decisive excerpt.
/// </summary>
internal sealed class ProbeSender(CheckContext context, Uri baseUrl, SecurityProbeOptions options, IReadOnlyCollection<string> secrets)
{
    private readonly long _started = context.Time.GetTimestamp();

    /// <summary>Requests sent so far.</summary>
    public int Requests { get; private set; }

    /// <summary>Requests that got no answer (the first cause kept).</summary>
    public int Failures { get; private set; }

    /// <summary>Why the first request without an answer failed.</summary>
    public string? FailureCause { get; private set; }

    /// <summary>The service's base URL.</summary>
    public Uri BaseUrl => baseUrl;

    /// <summary>Time since the family started.</summary>
    public TimeSpan Elapsed => context.Time.GetElapsedTime(_started);

    /// <summary>Why no more requests may be sent (budget spent), or null.</summary>
    public string? Spent =>
        Requests >= options.MaxRequests ? $"the budget of {options.MaxRequests} requests is spent"
        : Elapsed >= options.Budget ? $"the time budget of {options.Budget.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s is spent"
        : Requests >= 2 && Failures == Requests ? $"the service answered none of the first {Requests} requests ({FailureCause})"
        : null;

    /// <summary>
    /// Sends <paramref name="request"/>; null when the budget is spent or nothing answered. A <paramref name="cleanUp"/>
    /// request (deleting what the probes made) goes beyond the budget, unless the service answered none so far.
    /// </summary>
    public async Task<ProbeExchange?> SendAsync(ProbeRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null, bool cleanUp = false)
    {
        if (Spent is not null && !(cleanUp && Failures < Requests))
        {
            return null;
        }

        Requests++;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url(baseUrl));
        Credentials.SetHeaders(message, request.Headers, request.Cookies);

        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(request.ContentType ?? "application/json", out var type)
                ? type
                : new MediaTypeHeaderValue("application/octet-stream");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? options.RequestTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await context.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name] = string.Join(", ", values);
            }

            var media = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            var body = media == "text/event-stream" ? string.Empty : await ReadAsync(response.Content, limit.Token);
            return new ProbeExchange((int)response.StatusCode, headers, body, media, clock.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Failures++;
            FailureCause ??= ProbeHttp.Classify(ex).Cause;
            return null;
        }
    }

    /// <summary>The request as curl, with the service's and the identities' secrets masked.</summary>
    public string Curl(ProbeRequest request) => Mask(CurlCommand.Render(request, baseUrl, secrets));

    /// <summary>Evidence: the curl, the status and an excerpt of the answer (or <paramref name="excerpt"/>).</summary>
    public string Evidence(ProbeRequest request, ProbeExchange? exchange, string? excerpt = null)
    {
        var text = new StringBuilder("request: ").Append(Curl(request));
        if (exchange is not null)
        {
            text.Append("; answered ").Append(exchange.Status.ToString(CultureInfo.InvariantCulture));
            var shown = excerpt ?? Excerpt(exchange.Body);
            if (shown.Length > 0)
            {
                text.Append(": ").Append(shown);
            }
        }

        return Mask(text.ToString());
    }

    /// <summary>A short, redacted, single-line excerpt of a body.</summary>
    public string Excerpt(string body, int max = 240) =>
        Mask(ProbeHttp.Excerpt(body.ReplaceLineEndings(" "), max));

    /// <summary>Masks every known secret in <paramref name="text"/>.</summary>
    public string Mask(string text)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Redact.Mask, StringComparison.Ordinal);
        }

        return Redact.Text(text);
    }

    private async Task<string> ReadAsync(HttpContent content, CancellationToken cancellationToken) =>
        (await ProbeHttp.ReadBodyAsync(content, options.MaxBodyBytes, cancellationToken)).Text;
}
