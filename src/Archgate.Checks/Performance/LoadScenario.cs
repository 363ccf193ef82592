using System.Net.Http.Headers;
using System.Text;
using Archgate.Checks.Http;
using Archgate.Checks.LoadGenerator;
using Archgate.Model;
using EngineStage = Archgate.Checks.LoadGenerator.LoadStage;

namespace Archgate.Checks.Performance;

/// <summary>The outcome of the scenario's shared setup: captured variables, or why it failed.</summary>
/// <param name="Variables">Captured values by variable name.</param>
/// <param name="Failure">What went wrong, or null.</param>
/// <param name="Transient">True when trying again may help (refused, timeout, 5xx).</param>
public sealed record SetupOutcome(IReadOnlyDictionary<string, string> Variables, string? Failure, bool Transient);

/// <summary>
/// Turns the manifest's <c>load</c> section into a <see cref="LoadPlan"/> for the load engine: the target
/// component, its journeys with captures and think time, its stages, and a segment of them for an agent.
/// </summary>
public static class LoadScenario
{
    /// <summary>Time allowed after the last stage for requests in flight. <value>2 s</value>.</summary>
    public static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(2);

    /// <summary>The component loaded: <c>load.target</c>, else the first critical service, else the first service.</summary>
    public static HttpComponent? Target(SystemModel system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.Load.Target is { } name)
        {
            return system.Find<HttpComponent>(name);
        }

        var services = system.OfKind<ServiceComponent>().ToList();
        return services.FirstOrDefault(s => s.Critical) ?? services.FirstOrDefault();
    }

    /// <summary>
    /// The system with each sign-in step's body (<c>- login: ann</c>) naming the user and password fields as the target's
    /// contract does (<c>email</c>, say), as every other check's login does; the manifest's <c>fields</c> still win.
    /// </summary>
    public static async Task<SystemModel> WithContractLoginsAsync(SystemModel system, HttpComponent target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        var profile = system.Load;
        if (target.Url is null)
        {
            return system;
        }

        var fill = await ContractLoginsAsync(system, profile.Setup.Concat(profile.Journeys.SelectMany(j => j.Setup.Concat(j.Steps))), target.Url, cancellationToken);
        return system with
        {
            Load = profile with
            {
                Setup = [.. profile.Setup.Select(fill)],
                Journeys = [.. profile.Journeys.Select(j => j with { Setup = [.. j.Setup.Select(fill)], Steps = [.. j.Steps.Select(fill)] })],
            },
        };
    }

    /// <summary>
    /// What turns a sign-in step (<c>- login: ann</c>) of <paramref name="steps"/> into one whose body names the user and
    /// password fields as the contract of the service that signs in does (<c>email</c>, say), and that goes to that
    /// service: the one at <paramref name="url"/>, or the component the identity names (<c>at</c>), as an absolute url.
    /// Other steps, and the fields the manifest sets, stay as they are. The manifest fixes a sign-in's body when it
    /// loads, before any contract is read: every runner of sign-in steps (the load, the journeys) fills it in through this.
    /// </summary>
    public static async Task<Func<ScenarioRequest, ScenarioRequest>> ContractLoginsAsync(SystemModel system, IEnumerable<ScenarioRequest> steps, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(url);
        var signIns = steps.Select(s => s.SignIn).ToList();
        var logins = signIns.OfType<LoginAuth>().Distinct().ToList();
        // A grant's form is whole when the manifest loads; only a token endpoint at another component needs its url.
        var grants = signIns.OfType<ClientCredentialsAuth>().Where(c => c.At is not null).Distinct()
            .ToDictionary(c => c, c => system.Find<HttpComponent>(c.At!)?.Url is { } at ? ProbeHttp.Under(at, c.Token.Path).AbsoluteUri : c.Token.Path);
        if (logins.Count == 0 && grants.Count == 0)
        {
            return step => step;
        }

        var fields = Contracts.Conformance.Authenticator.FieldsFromContracts(system);
        var sent = new Dictionary<LoginAuth, (string Path, string Body)>();
        foreach (var login in logins)
        {
            var at = login.At is { } name ? system.Find<HttpComponent>(name)?.Url ?? url : url;
            var path = at == url ? login.Path : ProbeHttp.Under(at, login.Path).AbsoluteUri;
            var body = login.UserField is null || login.PasswordField is null ? login.Body(await fields(login, at, cancellationToken)) : login.Body();
            sent[login] = (path, body);
        }

        return step => step.SignIn switch
        {
            LoginAuth login when sent.TryGetValue(login, out var filled) => step with { Path = filled.Path, Body = filled.Body },
            ClientCredentialsAuth client when grants.TryGetValue(client, out var endpoint) => step with { Path = endpoint },
            _ => step,
        };
    }

    /// <summary>
    /// <paramref name="journey"/> with its sign-in steps' bodies naming the fields as its service's contract does
    /// (<see cref="ContractLoginsAsync"/>).
    /// </summary>
    public static async Task<Journey> WithContractLoginsAsync(SystemModel system, Journey journey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(journey);
        if (system.Find<HttpComponent>(journey.Service)?.Url is not { } url)
        {
            return journey;
        }

        var fill = await ContractLoginsAsync(system, journey.Setup.Concat(journey.Steps).Select(s => s.Request).OfType<ScenarioRequest>(), url, cancellationToken);
        JourneyStep Fill(JourneyStep step) => step.Request is { } request ? step with { Request = fill(request) } : step;
        return journey with { Setup = [.. journey.Setup.Select(Fill)], Steps = [.. journey.Steps.Select(Fill)] };
    }

    /// <summary>The journeys, or the default one: <c>GET</c> of the target's health path, else <c>GET /</c>.</summary>
    public static IReadOnlyList<ScenarioJourney> Journeys(SystemModel system, HttpComponent target)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        return system.Load.Journeys.Count > 0
            ? system.Load.Journeys
            : [new ScenarioJourney("default", [new ScenarioRequest("GET", target.HealthPath ?? "/")])];
    }

    /// <summary>The plan for <paramref name="segment"/> (0-based) of <paramref name="segments"/> load agents (0 of 1: the whole load).</summary>
    public static LoadPlan BuildPlan(SystemModel system, HttpComponent target, IReadOnlyDictionary<string, string> shared, int segment = 0, int segments = 1)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(shared);
        var profile = system.Load;
        var journeys = Journeys(system, target).Select(j => new LoadJourney(j.Name, [.. j.Steps.Select(s => ToRequest(s, shared))])
        {
            Weight = j.Weight,
            Setup = [.. j.Setup.Select(s => ToRequest(s, shared))],
            ThinkTime = j.ThinkTime ?? profile.ThinkTime,
        }).ToList();
        return new LoadPlan(target.Url, journeys)
        {
            Stages = [.. Warmup(profile, segment, segments), .. profile.Stages.Select(s => new EngineStage(s.Name, s.Duration, Share(s.Users, segment, segments)) { RampUp = s.RampUp })],
            AllowedHosts = HostAllowList.Of(system.AllowedHosts),
            Cookies = [.. CookieJar.Cookies(shared)],
            GracefulStop = GracefulStop,
            RequestTimeout = profile.RequestTimeout,
            Seed = 1 + (segment * 100_003),
        };
    }

    /// <summary>The unmeasured warm-up stage (at most 10 users), or nothing.</summary>
    private static IEnumerable<EngineStage> Warmup(LoadProfile profile, int segment, int segments)
    {
        if (profile.Warmup > TimeSpan.Zero && profile.Stages.Count > 0)
        {
            yield return new EngineStage(LoadProfile.WarmupStage, profile.Warmup, Share(Math.Min(10, profile.Stages[0].Users), segment, segments));
        }
    }

    /// <summary>
    /// The result without its warm-up stage: routes and overall are merged again from the measured stages,
    /// so nothing of the warm-up counts.
    /// </summary>
    public static LoadResult WithoutWarmup(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var stages = result.Stages.Where(s => s.Name != LoadProfile.WarmupStage).ToList();
        if (stages.Count == result.Stages.Count)
        {
            return result;
        }

        if (stages.Count == 0)
        {
            return result with { Stages = [], Routes = [], Overall = RequestMetrics.Empty(TimeSpan.Zero), Iterations = 0 };
        }

        var routes = stages[0].Routes.Select((r, i) => new RouteResult(r.Route, stages.Select(s => s.Routes[i].Metrics)
            .Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false)))).ToList();
        var overall = stages.Select(s => s.Metrics).Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false));
        return result with { Stages = stages, Routes = routes, Overall = overall };
    }

    /// <summary>Agent <paramref name="segment"/>'s share of <paramref name="users"/>: the shares of all agents add up to it exactly.</summary>
    public static int Share(int users, int segment, int segments) =>
        (int)(((long)users * (segment + 1) / segments) - ((long)users * segment / segments));

    /// <summary>
    /// Runs <c>load.setup</c> once (log in, say) and returns the captured variables, shared by every user, with the
    /// cookies its answers set (<see cref="CookieJar"/>): they go with the later setup steps and start every user's jar.
    /// A login that sets a session cookie and answers no token is a sign-in all the same.
    /// </summary>
    public static async Task<SetupOutcome> RunSetupAsync(SystemModel system, HttpComponent target, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(http);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var setupUuid = Guid.NewGuid().ToString();
        foreach (var step in system.Load.Setup)
        {
            // {uuid} of the setup is its own: left out of the shared variables, it stays one per iteration of each user.
            var rendered = ToRequest(step, new Dictionary<string, string>(variables, StringComparer.Ordinal) { ["uuid"] = setupUuid });
            using var request = new HttpRequestMessage(new HttpMethod(rendered.Method), ProbeHttp.Under(target.Url, rendered.Path));
            string? contentType = null;
            foreach (var (name, value) in rendered.Headers.Concat(CookieJar.Headers(variables, rendered.Method, rendered.Headers)).ToList())
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = value;
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }

            if (rendered.Body is { } body)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "text/plain; charset=utf-8");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(system.Load.RequestTimeout);
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    var failure = ProbeHttp.Classify(response.StatusCode);
                    return new SetupOutcome(variables, step.SignIn is ClientCredentialsAuth client
                        ? $"setup {step.RouteName}: the token endpoint {client.Endpoint} refused the client credentials grant of '{client.Label}' (client '{client.ClientId}'): {(int)response.StatusCode}{TokenSource.OAuthError(text)}"
                        : $"setup {step.RouteName} answered {(int)response.StatusCode}: {ProbeHttp.Excerpt(text, 200)}", failure.Transient);
                }

                CookieJar.Keep(variables, response.Headers.TryGetValues("Set-Cookie", out var set) ? [.. set] : []);
                var session = SessionCookie.AnySession(SessionCookie.Set(response.Headers, DateTimeOffset.UtcNow));

                foreach (var capture in step.Captures)
                {
                    var literal = false;
                    var value = capture.Source == CaptureSource.Header
                        ? response.Headers.TryGetValues(capture.Name, out var values) ? values.FirstOrDefault() : null
                        : VirtualUserVariables.FindJsonProperty(Encoding.UTF8.GetBytes(text), capture.Name, out literal);
                    if (value is null && session)
                    {
                        continue;
                    }

                    if (value is null)
                    {
                        return new SetupOutcome(variables, $"setup {step.RouteName}: the response has no {(capture.Source == CaptureSource.Header ? "header" : "JSON property")} '{capture.Name}' to capture as {{{capture.Variable}}}", false);
                    }

                    TemplateVariables.Capture(variables, capture.Variable, value, literal ? value : null);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var failure = ProbeHttp.Classify(ex);
                return new SetupOutcome(variables, $"setup {step.RouteName}: {failure.Cause}", failure.Transient);
            }
        }

        return new SetupOutcome(variables, null, false);
    }

    /// <summary>The engine's request, with the shared variables already filled in (so it stays a static, pre-encoded request).</summary>
    private static LoadRequest ToRequest(ScenarioRequest s, IReadOnlyDictionary<string, string> shared)
    {
        var json = TemplateVariables.IsJson(s.Headers);
        string Fill(string text, bool body = false) => shared.Count == 0 ? text : TemplateVariables.Fill(text, shared, body && json);
        return new LoadRequest(s.Method, Fill(s.Path))
        {
            Name = s.RouteName,
            Headers = [.. s.Headers.Select(h => new KeyValuePair<string, string>(h.Key, Fill(h.Value)))],
            Body = s.Body is null ? null : Encoding.UTF8.GetBytes(Fill(s.Body, body: true)),
            Captures = [.. s.Captures.Select(c => new LoadCapture(c.Variable, c.Source == CaptureSource.Header ? LoadCaptureSource.Header : LoadCaptureSource.JsonProperty, c.Name))],
            ThinkTime = s.ThinkTime,
        };
    }
}
