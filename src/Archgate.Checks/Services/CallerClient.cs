using System.Diagnostics;
using System.Text;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>One answer of the caller to a drive request: when, what status (null: no answer), how long it took.</summary>
internal sealed record CallerAnswer(TimeSpan At, int? Status, TimeSpan Latency, string? Error);

/// <summary>
/// Sends an edge's drive operation to the caller as the caller's <c>auth</c> says (a login's bearer token, an API key,
/// basic or a fixed bearer token), each request bounded by <see cref="Timeout"/>; <c>{uuid}</c> (new each send) and
/// <c>{run}</c> (the send's number) are filled in its path and body. A drive that names a journey runs the journey
/// instead: its setup once, its steps before each send, and its last step as the drive request, whose answer is the
/// caller's (the journey's own requests carry its sign-in; the caller's <c>auth</c> is not added).
/// </summary>
internal sealed class CallerClient(HttpComponent caller, HttpClient http, TokenSource tokens, SystemModel? system = null)
{
    /// <summary>How long one drive request may take. <value>15 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private Credentials _credentials = Credentials.None;
    private static readonly Dictionary<string, string> NoVariables = [];

    private int _sends;
    private DriveJourney? _journey;

    /// <summary>A client for <paramref name="caller"/> with the run's token source and the manifest's journeys.</summary>
    public static CallerClient Of(HttpComponent caller, CheckContext context) => new(caller, context.Http, TokenSource.Of(context), context.System);

    /// <summary>Gets the caller's credentials from the run's token source (a login signs in once per run); returns a problem, or null.</summary>
    public async Task<string?> SignInAsync(CancellationToken ct)
    {
        _credentials = await tokens.CredentialsAsync(caller.Auth, caller.Url, Timeout, ct);
        return _credentials.Ok ? null : $"{caller.Name}: {_credentials.Problem}";
    }

    /// <summary>Sends <paramref name="probe"/>; a failure to answer is a value, never an exception.</summary>
    public async Task<CallerAnswer> SendAsync(EdgeProbe probe, TimeSpan at, CancellationToken ct)
    {
        _sends++;
        if (probe.Journey is { } journey)
        {
            return await SendJourneyAsync(journey, at, ct);
        }

        var variables = JourneyRunner.Start(NoVariables, _sends); // {run} and a fresh {uuid}, as a journey's run has them
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            var url = ProbeHttp.Under(caller.Url, TemplateVariables.Fill(probe.Path, variables, json: false));
            if (_credentials.Query.Count > 0)
            {
                var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
                url = new Uri(url.AbsoluteUri + separator + string.Join("&", _credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
            }

            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), url);
            if (probe.Json is not null)
            {
                request.Content = new StringContent(TemplateVariables.Fill(probe.Json, variables, json: true), Encoding.UTF8, "application/json");
            }

            _credentials.Apply(request);
            using var response = await http.SendAsync(request, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return new CallerAnswer(at, (int)response.StatusCode, watch.Elapsed, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new CallerAnswer(at, null, watch.Elapsed, ex is OperationCanceledException ? StoppedWaiting : ProbeHttp.Classify(ex).Cause);
        }
    }

    private static string StoppedWaiting => $"Archgate stopped waiting after {Timeout.TotalSeconds:0} s";

    /// <summary>One send of a journey drive: the setup the first time, then the steps, the last one's answer returned.</summary>
    private async Task<CallerAnswer> SendJourneyAsync(string name, TimeSpan at, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        if (_journey is null || _journey.Name != name)
        {
            if (system?.Journeys.FirstOrDefault(j => j.Name == name) is not { } declared)
            {
                return new CallerAnswer(at, null, watch.Elapsed, $"no journey '{name}' to drive with");
            }

            var ready = await Performance.LoadScenario.WithContractLoginsAsync(system, declared, ct);
            var shared = new Dictionary<string, string>(declared.Variables, StringComparer.Ordinal);
            var setup = ready.Setup.Count == 0 ? null : await JourneyRunner.RunAsync(http, caller.Url, ready.Setup, shared, ct);
            _journey = new DriveJourney(name, ready, shared, setup is { Ok: false } ? $"journey '{name}': its setup failed at {setup.FailedStep}: {setup.Problem}" : null);
        }

        if (_journey.SetupProblem is { } problem)
        {
            return new CallerAnswer(at, null, watch.Elapsed, problem);
        }

        var steps = _journey.Ready.Steps;
        var variables = JourneyRunner.Start(_journey.Shared, _sends);
        var before = await JourneyRunner.RunAsync(http, caller.Url, [.. steps.Take(steps.Count - 1)], variables, ct);
        if (!before.Ok)
        {
            return new CallerAnswer(at, null, watch.Elapsed, $"journey '{name}' failed at {before.FailedStep} before the drive request: {before.Problem}");
        }

        // The drive request itself: sent whatever it answers (under a fault the caller's answer is what the check judges).
        var request = steps[^1].Request!;
        var (path, headers, body) = JourneyRunner.Prepare(request, variables);
        var answer = await ApiCall.SendAsync(http, request.Method, ApiCall.Resolve(caller.Url, path), headers, body, Timeout, ct);
        return answer.Failure is null
            ? new CallerAnswer(at, answer.Status, answer.Elapsed, null)
            : new CallerAnswer(at, null, answer.Elapsed, answer.Elapsed >= Timeout ? StoppedWaiting : answer.Failure.Cause);
    }

    /// <summary>A journey drive's state in this client: the journey with its sign-ins, the setup's captures, or why the setup failed.</summary>
    private sealed record DriveJourney(string Name, Journey Ready, Dictionary<string, string> Shared, string? SetupProblem);
}
