namespace Archgate.Model;

/// <summary>One stage of load: this many virtual users for this long.</summary>
/// <param name="Users">Virtual users held during the stage.</param>
/// <param name="Duration">How long the stage lasts, ramp included.</param>
public sealed record LoadStage(int Users, TimeSpan Duration)
{
    /// <summary>Name in results and thresholds (<c>{stage:stress}</c>).</summary>
    /// <value>Default: <c>baseline</c> for the first stage, <c>stress</c> for the last, <c>stage N</c> between.</value>
    public string Name { get; init; } = string.Empty;

    /// <summary>Time at the start of the stage over which users ramp from the previous stage's number.</summary>
    /// <value>Default zero: the stage starts at its users.</value>
    public TimeSpan RampUp { get; init; }
}

/// <summary>Where a capture reads its value from.</summary>
public enum CaptureSource
{
    /// <summary>The first JSON property of that name in the response body, at any depth.</summary>
    JsonProperty,

    /// <summary>A response header, by name.</summary>
    Header,
}

/// <summary>Takes a value from a response into a variable, used later as <c>{Variable}</c>.</summary>
public sealed record ScenarioCapture(string Variable, CaptureSource Source, string Name);

/// <summary>One request of a load scenario, as the manifest declares it (<c>GET /orders</c> plus options).</summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Path template relative to the target's URL; <c>{name}</c> is a variable.</param>
public sealed record ScenarioRequest(string Method, string Path)
{
    /// <summary>Route name in results and thresholds.</summary>
    /// <value>Default null: <c>"{Method} {Path}"</c> without the query.</value>
    public string? Name { get; init; }

    /// <summary>Request headers; values may use variables.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Request body text (from <c>json</c> or <c>body</c>); may use variables.</summary>
    /// <value>Default null: no body.</value>
    public string? Body { get; init; }

    /// <summary>Values captured from the response.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<ScenarioCapture> Captures { get; init; } = [];

    /// <summary>
    /// The identity this step signs in as (<c>- login: ann</c>), or null: a <see cref="LoginAuth"/>, whose body names the
    /// fields as the manifest says, else <c>username</c> and <c>password</c>, until the checks fill in the names the target's
    /// contract gives; or a <see cref="ClientCredentialsAuth"/>, whose step is its token endpoint's grant (form-encoded,
    /// the client's basic header or form fields) capturing <c>access_token</c>.
    /// </summary>
    /// <value>Default null: an ordinary request.</value>
    public ServiceAuth? SignIn { get; init; }

    /// <summary>Pause after this step of a journey, instead of the journey's; <c>0s</c> sends the next step at once.</summary>
    /// <value>Default null: the journey's think time.</value>
    public TimeSpan? ThinkTime { get; init; }

    /// <summary>The route name results are reported under.</summary>
    public string RouteName => Name ?? $"{Method} {(Path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? Path[..q] : Path)}";
}

/// <summary>A weighted sequence of requests a virtual user walks through (a single weighted request is a journey of one).</summary>
/// <param name="Name">Journey name.</param>
/// <param name="Steps">Requests sent in order on every iteration.</param>
public sealed record ScenarioJourney(string Name, IReadOnlyList<ScenarioRequest> Steps)
{
    /// <summary>Relative weight when a user picks its next journey.</summary>
    /// <value>Default 1.</value>
    public int Weight { get; init; } = 1;

    /// <summary>Requests sent once per virtual user before its first iteration (log in as that user).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<ScenarioRequest> Setup { get; init; } = [];

    /// <summary>Pause after each step; null uses the profile's <see cref="LoadProfile.ThinkTime"/>.</summary>
    /// <value>Default null.</value>
    public TimeSpan? ThinkTime { get; init; }
}

/// <summary>The load profile of step 8: what to load, how hard, and what must hold.</summary>
public sealed record LoadProfile
{
    /// <summary>The name of the warm-up stage, which is never measured.</summary>
    public const string WarmupStage = "warmup";

    /// <summary>The default stages: 100 users for 10 s (baseline), then 500 users for 10 s (stress).</summary>
    public static IReadOnlyList<LoadStage> DefaultStages { get; } =
    [
        new LoadStage(100, TimeSpan.FromSeconds(10)) { Name = "baseline" },
        new LoadStage(500, TimeSpan.FromSeconds(10)) { Name = "stress" },
    ];

    // Declared after DefaultStages: static initializers run in textual order.
    /// <summary>The protocol's default: a 100-user baseline and a 500-user stress stage, short.</summary>
    public static LoadProfile Default { get; } = new();

    /// <summary>The component loaded (a service or frontend).</summary>
    /// <value>Default null: the first critical service, else the first service, in manifest order.</value>
    public string? Target { get; init; }

    /// <summary>Requests sent once before the stages, their captures shared by every user (k6's <c>setup()</c>).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<ScenarioRequest> Setup { get; init; } = [];

    /// <summary>The scenario: weighted journeys (weighted single requests are journeys of one step).</summary>
    /// <value>Default empty: <c>GET</c> of the target's health path, else <c>GET /</c>.</value>
    public IReadOnlyList<ScenarioJourney> Journeys { get; init; } = [];

    /// <summary>Pause of a user after each request, as a person reading a page would.</summary>
    /// <value>Default 1 s.</value>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Stages, run in order.</summary>
    /// <value>Default <see cref="DefaultStages"/>.</value>
    public IReadOnlyList<LoadStage> Stages { get; init; } = DefaultStages;

    /// <summary>
    /// Unmeasured load before the first stage (at most 10 users), so that a freshly started target's JIT
    /// compilation, connection pools and caches do not count against its SLO.
    /// </summary>
    /// <value>Default 2 s; zero turns it off.</value>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>k6-style thresholds, parsed.</summary>
    /// <value>Default empty; the target's SLO (p95, error rate) is judged in any case.</value>
    public IReadOnlyList<ThresholdSpec> Thresholds { get; init; } = [];

    /// <summary>
    /// A request not completely answered (status line, headers and body) after this long is abandoned and
    /// counts as a timeout; a request still in flight when the load stops counts as a timeout too.
    /// </summary>
    /// <value>Default 10 s.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a threshold or SLO that had nothing to judge (no successful request of its route or stage)
    /// passes with a warning. Off, such a threshold fails: a target that never answers must not meet its SLO.
    /// </summary>
    /// <value>Default false.</value>
    public bool AllowNoData { get; init; }

    /// <summary>Local agent processes that share the load (histograms merged losslessly).</summary>
    /// <value>Default 1: the load runs inside the Archgate process.</value>
    public int Agents { get; init; } = 1;

    /// <summary>Sum of the stage durations, warm-up included.</summary>
    public TimeSpan TotalDuration => Stages.Aggregate(Warmup, (sum, s) => sum + s.Duration);
}
