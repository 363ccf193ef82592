using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;

namespace Archgate.Checks.Services;

/// <summary>One answer of the caller to a drive request: when, what status (null: no answer), how long it took.</summary>
internal sealed record CallerAnswer(TimeSpan At, int? Status, TimeSpan Latency, string? Error);

/// <summary>
/// Sends an edge's drive operation to the caller as the caller's <c>auth</c> says (a login's bearer token, an API key,
/// basic or a fixed bearer token), each request bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class CallerClient(Component caller, HttpClient http)
{
    /// <summary>How long one drive request may take. <value>15 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private string? _token;

    /// <summary>Logs in when the caller's auth is a login; returns a problem, or null.</summary>
    public async Task<string?> SignInAsync(CancellationToken ct)
    {
        if (caller.Auth is not LoginAuth login)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(login.Method), new Uri(caller.Url!, login.Path))
            {
                Content = JsonContent.Create(new Dictionary<string, string> { ["username"] = login.User, ["password"] = login.Password }),
            };
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            _token = response.IsSuccessStatusCode ? Authenticator.Token(body, login.TokenPath) : null;
            return _token is null ? $"{caller.Name}'s login {login} answered {(int)response.StatusCode} without a token" : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return $"{caller.Name}'s login failed: {ex.GetType().Name}";
        }
    }

    /// <summary>Sends <paramref name="probe"/>; a failure to answer is a value, never an exception.</summary>
    public async Task<CallerAnswer> SendAsync(EdgeProbe probe, TimeSpan at, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), new Uri(caller.Url!, probe.Path));
            if (probe.Json is not null)
            {
                request.Content = new StringContent(probe.Json, Encoding.UTF8, "application/json");
            }

            Authorize(request);
            using var response = await http.SendAsync(request, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return new CallerAnswer(at, (int)response.StatusCode, watch.Elapsed, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new CallerAnswer(at, null, watch.Elapsed, ex is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.GetType().Name);
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        switch (caller.Auth)
        {
            case LoginAuth when _token is not null:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                break;
            case BearerAuth bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer.Token);
                break;
            case BasicAuth basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.User}:{basic.Password}")));
                break;
            case ApiKeyAuth { In: ApiKeyLocation.Header } key:
                request.Headers.TryAddWithoutValidation(key.Header, key.Value);
                break;
        }
    }
}
