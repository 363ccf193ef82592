using System.Diagnostics;
using System.Text;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Services;

/// <summary>One answer of the caller to a drive request: when, what status (null: no answer), how long it took.</summary>
internal sealed record CallerAnswer(TimeSpan At, int? Status, TimeSpan Latency, string? Error);

/// <summary>
/// Sends an edge's drive operation to the caller as the caller's <c>auth</c> says (a login's bearer token, an API key,
/// basic or a fixed bearer token), each request bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class CallerClient(HttpComponent caller, HttpClient http, TokenSource tokens)
{
    /// <summary>How long one drive request may take. <value>15 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private Credentials _credentials = Credentials.None;

    /// <summary>Gets the caller's credentials from the run's token source (a login signs in once per run); returns a problem, or null.</summary>
    public async Task<string?> SignInAsync(CancellationToken ct)
    {
        _credentials = await tokens.CredentialsAsync(caller.Auth, caller.Url, Timeout, ct);
        return _credentials.Ok ? null : $"{caller.Name}: {_credentials.Problem}";
    }

    /// <summary>Sends <paramref name="probe"/>; a failure to answer is a value, never an exception.</summary>
    public async Task<CallerAnswer> SendAsync(EdgeProbe probe, TimeSpan at, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            var url = ProbeHttp.Under(caller.Url, probe.Path);
            if (_credentials.Query.Count > 0)
            {
                var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
                url = new Uri(url.AbsoluteUri + separator + string.Join("&", _credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
            }

            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), url);
            if (probe.Json is not null)
            {
                request.Content = new StringContent(probe.Json, Encoding.UTF8, "application/json");
            }

            _credentials.Apply(request);
            using var response = await http.SendAsync(request, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return new CallerAnswer(at, (int)response.StatusCode, watch.Elapsed, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new CallerAnswer(at, null, watch.Elapsed, ex is OperationCanceledException ? $"Archgate stopped waiting after {Timeout.TotalSeconds:0} s" : ex.GetType().Name);
        }
    }
}
