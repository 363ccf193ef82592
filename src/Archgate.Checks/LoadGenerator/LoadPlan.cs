using HostAllowList = Archgate.Model.HostAllowList;

namespace Archgate.Checks.LoadGenerator;

/// <summary>How load is offered to the target.</summary>
public enum LoadModel
{
    /// <summary>Closed model: a number of virtual users, each sending its next request when the last one answered (wrk, k6 <c>ramping-vus</c>).</summary>
    ClosedUsers,

    /// <summary>
    /// Open model: requests arrive at a rate whatever the target does (wrk2, k6 <c>ramping-arrival-rate</c>).
    /// Latency is measured from the intended send time (coordinated-omission correction).
    /// </summary>
    OpenArrivalRate,
}

/// <summary>Which HTTP client sends the requests.</summary>
public enum LoadTransport
{
    /// <summary>The lean HTTP/1.1 client for <c>http://</c> targets, <see cref="System.Net.Http.HttpClient"/> for <c>https://</c>.</summary>
    Auto,

    /// <summary>The lean HTTP/1.1 client over raw sockets (plain http only; keep-alive, no pipelining).</summary>
    RawHttp1,

    /// <summary>A tuned <see cref="System.Net.Http.SocketsHttpHandler"/> (https, HTTP/2).</summary>
    HttpClient,
}

/// <summary>
/// One stage of a load profile. The stage's <see cref="Target"/> is a number of virtual users
/// (closed model) or an arrival rate in requests per second (open model).
/// </summary>
/// <param name="Name">Name used in results and thresholds (<c>{stage:stress}</c>).</param>
/// <param name="Duration">How long the stage lasts, ramp included.</param>
/// <param name="Target">Users (closed model) or iterations per second (open model) held during the stage.</param>
public sealed record LoadStage(string Name, TimeSpan Duration, double Target)
{
    /// <summary>
    /// Time at the start of the stage over which the target moves linearly from the previous
    /// stage's target (0 for the first stage) to <see cref="Target"/>; then it holds.
    /// Setting it to <see cref="Duration"/> gives k6's ramping stages.
    /// </summary>
    /// <value>Default <see cref="TimeSpan.Zero"/>: the stage starts at its target.</value>
    public TimeSpan RampUp { get; init; } = TimeSpan.Zero;
}

/// <summary>Where a <see cref="LoadCapture"/> reads its value from.</summary>
public enum LoadCaptureSource
{
    /// <summary>A response header, by name (case-insensitive).</summary>
    Header,

    /// <summary>The first JSON string or number property of the response body with that name, at any depth.</summary>
    JsonProperty,
}

/// <summary>Takes a value from a response into a variable of the virtual user, used later as <c>{Variable}</c>.</summary>
/// <param name="Variable">Variable name, referenced in paths, headers and bodies as <c>{name}</c>.</param>
/// <param name="Source">Header or JSON property.</param>
/// <param name="Name">The header or property name.</param>
public sealed record LoadCapture(string Variable, LoadCaptureSource Source, string Name);

/// <summary>
/// One request of a scenario. <see cref="Path"/> is a template: <c>/orders/{id}</c> is filled from the
/// virtual user's variables (captures, <c>{vu}</c>, <c>{iteration}</c>) and results are reported under
/// the template (<c>GET /orders/{id}</c>), not under each concrete URL.
/// </summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Path and query template relative to the plan's target, starting with <c>/</c>.</param>
public sealed record LoadRequest(string Method, string Path)
{
    /// <summary>Route name in results and thresholds.</summary>
    /// <value>Default <c>null</c>: <c>"{Method} {Path}"</c> without the query string.</value>
    public string? Name { get; init; }

    /// <summary>Request headers (templates allowed in values).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Request body (templates allowed when it is UTF-8 text).</summary>
    /// <value>Default <c>null</c>: no body.</value>
    public byte[]? Body { get; init; }

    /// <summary>Values to capture from the response.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<LoadCapture> Captures { get; init; } = [];

    /// <summary>Pause after this request when it is a journey step, instead of the journey's <see cref="LoadJourney.ThinkTime"/>.</summary>
    /// <value>Default <c>null</c>: the journey's.</value>
    public TimeSpan? ThinkTime { get; init; }

    /// <summary>The route name results are reported under.</summary>
    public string RouteName => Name ?? $"{Method} {StripQuery(Path)}";

    private static string StripQuery(string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? path : path[..q];
    }
}

/// <summary>
/// A sequence of requests a virtual user walks through, e.g. browse then order. A scenario of
/// weighted single requests is a list of one-step journeys.
/// </summary>
/// <param name="Name">Journey name.</param>
/// <param name="Steps">Requests sent in order on every iteration.</param>
public sealed record LoadJourney(string Name, IReadOnlyList<LoadRequest> Steps)
{
    /// <summary>Relative weight when a virtual user picks its next journey.</summary>
    /// <value>Default 1.</value>
    public int Weight { get; init; } = 1;

    /// <summary>Requests sent once per virtual user before its first iteration of this journey (log in, capture a token).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<LoadRequest> Setup { get; init; } = [];

    /// <summary>Pause after each step, as a user reading the page would.</summary>
    /// <value>Default <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.Zero;

    /// <summary>A journey of a single request.</summary>
    public static LoadJourney OfRequest(LoadRequest request, int weight = 1) =>
        new(request.RouteName, [request]) { Weight = weight };
}

/// <summary>Everything the load engine needs for one run. Immutable; check it with <see cref="Validate"/>.</summary>
/// <param name="Target">Base URL of the system under load, e.g. <c>http://127.0.0.1:8080</c>.</param>
/// <param name="Journeys">The scenario: weighted journeys.</param>
public sealed record LoadPlan(Uri Target, IReadOnlyList<LoadJourney> Journeys)
{
    /// <summary>Closed (users) or open (arrival rate) model.</summary>
    /// <value>Default <see cref="LoadModel.ClosedUsers"/>.</value>
    public LoadModel Model { get; init; } = LoadModel.ClosedUsers;

    /// <summary>Stages run one after the other.</summary>
    /// <value>Default <see cref="LoadProfiles.BaselineAndStress"/> with 10 s stages: 100 users then 500 users.</value>
    public IReadOnlyList<LoadStage> Stages { get; init; } = LoadProfiles.BaselineAndStress();

    /// <summary>A request that has not answered after this long is abandoned and counted as a timeout.</summary>
    /// <value>Default 10 s.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the last stage, in-flight requests may finish for this long; then connections are closed.</summary>
    /// <value>Default 5 s.</value>
    public TimeSpan GracefulStop { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Open model only: most requests in flight at once (the connection pool). An arrival that finds every connection busy is sent late.</summary>
    /// <value>Default 500.</value>
    public int MaxConcurrency { get; init; } = 500;

    /// <summary>Open model only: an arrival sent more than this after its intended time counts as late.</summary>
    /// <value>Default 10 ms.</value>
    public TimeSpan LateAfter { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The HTTP client used.</summary>
    /// <value>Default <see cref="LoadTransport.Auto"/>.</value>
    public LoadTransport Transport { get; init; } = LoadTransport.Auto;

    /// <summary>
    /// The lean client on .NET's socket engine even where its epoll client runs (Linux, x86-64); for tests
    /// of that path and for comparing the two. Also set by <c>ARCHGATE_LOAD_SOCKETS=portable</c>.
    /// </summary>
    public bool PortableSockets { get; init; } = Environment.GetEnvironmentVariable("ARCHGATE_LOAD_SOCKETS") == "portable";

    /// <summary>Hosts load may be sent to.</summary>
    /// <value>Default <see cref="HostAllowList.Loopback"/>: 127.0.0.0/8, localhost, ::1.</value>
    public HostAllowList AllowedHosts { get; init; } = HostAllowList.Loopback;

    /// <summary>How often progress is reported.</summary>
    /// <value>Default 1 s.</value>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seed of the journey picker, so runs are repeatable.</summary>
    /// <value>Default 1.</value>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Cookies every virtual user starts with (the shared setup's login session). Each user then keeps its own jar:
    /// what an answer sets goes with the user's later requests, and an anti-CSRF cookie is echoed in its header on
    /// writes (<see cref="LoadCookies"/>).
    /// </summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<KeyValuePair<string, string>> Cookies { get; init; } = [];

    /// <summary>
    /// Receives a sample of the responses, one per route and status (step 9's passive rules judge them), or null.
    /// </summary>
    /// <value>Default null: no response is read beyond what captures need.</value>
    public Http.IExchangeObserver? ResponseObserver { get; init; }

    /// <summary>Sum of the stage durations.</summary>
    public TimeSpan TotalDuration => Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    /// <summary>Every problem with the plan, each with a hint; empty when the plan can run. Nothing is sent.</summary>
    public IReadOnlyList<string> Validate() => LoadPlanValidator.Validate(this);
}

/// <summary>Ready-made stage lists.</summary>
public static class LoadProfiles
{
    /// <summary>
    /// The step-8 default: a baseline stage at <paramref name="baselineUsers"/> then a stress stage at
    /// <paramref name="stressUsers"/>, each lasting <paramref name="stageDuration"/> (default 10 s).
    /// </summary>
    public static IReadOnlyList<LoadStage> BaselineAndStress(TimeSpan? stageDuration = null, int baselineUsers = 100, int stressUsers = 500)
    {
        var d = stageDuration ?? TimeSpan.FromSeconds(10);
        return [new LoadStage("baseline", d, baselineUsers), new LoadStage("stress", d, stressUsers)];
    }

    /// <summary>One stage holding <paramref name="target"/> (users or rate) for <paramref name="duration"/>.</summary>
    public static IReadOnlyList<LoadStage> Constant(double target, TimeSpan duration) => [new LoadStage("main", duration, target)];
}
