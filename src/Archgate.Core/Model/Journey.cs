namespace Archgate.Model;

/// <summary>
/// A declarative user journey of step 7 (<c>journeys</c>): ordered HTTP steps against one service, with captures
/// and expectations, as concise as Hurl. A critical journey runs <see cref="Runs"/> times and must succeed in at
/// least 95 % of them.
/// </summary>
/// <param name="Name">What the user does, for example <c>sign in, order and see it in orders</c>.</param>
/// <param name="Service">The service whose URL the steps' paths are relative to.</param>
/// <param name="Steps">The steps of one run, in order.</param>
public sealed record Journey(string Name, string Service, IReadOnlyList<JourneyStep> Steps)
{
    /// <summary>Whether the journey feeds the "Critical user paths succeed" criterion. <value>false</value>.</summary>
    public bool Critical { get; init; }

    /// <summary>How many times a critical journey runs. <value>20</value> (a non-critical journey runs once).</summary>
    public int Runs { get; init; } = DefaultRuns;

    /// <summary>Steps run once before the runs (a login); their captures are shared by every run. <value>None</value>.</summary>
    public IReadOnlyList<JourneyStep> Setup { get; init; } = [];

    /// <summary>Variables set before the first step (<c>vars</c>), used as <c>{name}</c>. <value>None</value>.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the journey is declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The frontend whose URL browser steps' <c>goto</c> paths are relative to (<c>frontend</c>). <value>null: the first frontend with a url</value>.</summary>
    public string? Frontend { get; init; }

    /// <summary>The engines a journey with browser steps runs in (<c>browsers</c>). <value>All three: chromium, firefox, webkit</value>.</summary>
    public IReadOnlyList<BrowserEngine> Browsers { get; init; } = AllBrowsers;

    /// <summary>Whether any step (setup or run) opens a page: then the journey runs once in each of <see cref="Browsers"/>.</summary>
    public bool HasBrowserSteps => Steps.Any(s => s.Browser is not null) || Setup.Any(s => s.Browser is not null);

    /// <summary>Chromium, Firefox and WebKit.</summary>
    public static IReadOnlyList<BrowserEngine> AllBrowsers { get; } = [BrowserEngine.Chromium, BrowserEngine.Firefox, BrowserEngine.Webkit];

    /// <summary>The default number of runs of a critical journey.</summary>
    public const int DefaultRuns = 20;
}

/// <summary>One step of a journey: an HTTP request (with its captures) and what its answer must be, or a browser action.</summary>
/// <param name="Request">Method, path, headers, body and captures, as in the load scenario; null for a browser step.</param>
/// <param name="Expect">What the answer must be.</param>
public sealed record JourneyStep(ScenarioRequest? Request, JourneyExpectations Expect)
{
    /// <summary>A browser step: what to do in the page. <value>null: an HTTP step</value>.</summary>
    public BrowserAction? Browser { get; init; }

    /// <summary>A browser step.</summary>
    public static JourneyStep Of(BrowserAction action) => new(null, JourneyExpectations.Default) { Browser = action };
}

/// <summary>A browser engine a journey's browser steps run in.</summary>
public enum BrowserEngine
{
    /// <summary>Chromium (the engine of Chrome and Edge), Debian's, through Playwright.</summary>
    Chromium,

    /// <summary>Firefox ESR, Debian's, through WebDriver BiDi.</summary>
    Firefox,

    /// <summary>WebKit (Safari's engine), Debian's WebKitGTK, through W3C WebDriver (WebKitWebDriver).</summary>
    Webkit,
}

/// <summary>What a browser step does.</summary>
public enum BrowserActionKind
{
    /// <summary>Opens a page (<c>goto: /orders</c>), relative to the frontend's URL.</summary>
    Goto,

    /// <summary>Clicks the first visible element a CSS selector matches (<c>click: "#login"</c>).</summary>
    Click,

    /// <summary>Types a value into a field (<c>fill: { "#username": ann }</c>).</summary>
    Fill,

    /// <summary>Waits until the page (or an element) shows a text (<c>expect text: paid</c>).</summary>
    ExpectText,

    /// <summary>Waits until an element is visible (<c>expect visible: "#orders tr"</c>).</summary>
    ExpectVisible,

    /// <summary>Waits until the page got an answer to a request (<c>wait for response: POST /orders</c>).</summary>
    WaitForResponse,
}

/// <summary>One browser step of a journey.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Target">The path (goto), CSS selector (click, fill, expect visible, expect text in an element), or request path (wait for response); null for a text anywhere in the page.</param>
public sealed record BrowserAction(BrowserActionKind Kind, string? Target)
{
    /// <summary>The text to type (fill) or to see (expect text); variables allowed. <value>null</value>.</summary>
    public string? Value { get; init; }

    /// <summary>The request's method (wait for response). <value>null</value>.</summary>
    public string? Method { get; init; }

    /// <summary>Accepted statuses (wait for response). <value>Empty: any 2xx</value>.</summary>
    public IReadOnlyList<int> Status { get; init; } = [];

    /// <summary>How the step reads in results: <c>click #login</c>.</summary>
    public string Describe() => Kind switch
    {
        BrowserActionKind.Goto => $"goto {Target}",
        BrowserActionKind.Click => $"click {Target}",
        BrowserActionKind.Fill => $"fill {Target}",
        BrowserActionKind.ExpectText => Target is null ? $"expect text '{Value}'" : $"expect text '{Value}' in {Target}",
        BrowserActionKind.ExpectVisible => $"expect visible {Target}",
        _ => $"wait for response {Method} {Target}{(Status.Count > 0 ? $" ({string.Join(" or ", Status)})" : string.Empty)}",
    };
}

/// <summary>What a journey step's answer must be (<c>expect</c>).</summary>
public sealed record JourneyExpectations
{
    /// <summary>Accepted statuses. <value>Empty: any 2xx</value>.</summary>
    public IReadOnlyList<int> Status { get; init; } = [];

    /// <summary>Longest time the step may take. <value>null: no bound</value>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// How long a read may be polled until the other expectations hold (<c>within</c>): state that a worker, a queue or
    /// a timer changes later (an order becomes paid, a hold expires). <value>null: the first answer is judged</value>.
    /// </summary>
    public TimeSpan? Within { get; init; }

    /// <summary>Assertions on the JSON body, in order. <value>None</value>.</summary>
    public IReadOnlyList<JsonAssertion> Json { get; init; } = [];

    /// <summary>Response headers that must have these values (variables allowed). <value>None</value>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Any 2xx.</summary>
    public static JourneyExpectations Default { get; } = new();
}

/// <summary>How a JSON assertion compares.</summary>
public enum JsonAssertionKind
{
    /// <summary>The value at the path equals the expected one (numbers and strings compared as text).</summary>
    Equals,

    /// <summary>The value (a string or an array, or any value of a <c>[*]</c> path) contains the expected one.</summary>
    Contains,

    /// <summary>The value, as text, matches the regular expression.</summary>
    Matches,

    /// <summary>The path selects at least one value (<c>true</c>) or none (<c>false</c>).</summary>
    Exists,
}

/// <summary>One assertion on a JSON body: <c>"$.status": paid</c>, <c>"$.items[*].id": { contains: "{order}" }</c>.</summary>
/// <param name="Path">JSONPath: <c>$</c>, <c>.name</c>, <c>[index]</c>, <c>[*]</c>.</param>
/// <param name="Kind">How to compare.</param>
/// <param name="Expected">The expected value, variables allowed.</param>
public sealed record JsonAssertion(string Path, JsonAssertionKind Kind, string Expected)
{
    /// <summary>
    /// The expected value is a JSON number, boolean or null as written (unquoted in YAML: <c>$.seats: 2</c>): an equality
    /// then wants that JSON value, and a string <c>"2"</c> does not meet it. <value>false</value>: compared as text.
    /// </summary>
    public bool Literal { get; init; }
}

/// <summary>
/// Where a service's resource is stored (<c>resources</c>): step 7 reads the row after a journey writes it and
/// compares it with the API's answer.
/// </summary>
/// <param name="Path">The item path of the resource in the API, for example <c>/orders/{id}</c>.</param>
/// <param name="Database">The database component that stores it.</param>
/// <param name="Table">Its table.</param>
/// <param name="Key">The key column, matched against the path's parameter.</param>
public sealed record ResourceMapping(string Path, string Database, string Table, string Key)
{
    /// <summary>
    /// JSON property to column, where the default (camelCase to snake_case: <c>shippingAddress</c> to
    /// <c>shipping_address</c>) does not fit. <value>None</value>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();

    /// <summary>The frontend page that lists the resource (<c>page</c>), checked after a browser journey's write and a reload. <value>null: none</value>.</summary>
    public ResourcePage? Page { get; init; }
}

/// <summary>
/// A resource's declared state machine (<c>transitions</c>, by item template), for step 7's transition check: after each
/// action (named as the transition map names them: <c>submit</c>, <c>status=approved</c>, <c>POST ship</c>), the actions
/// that may follow it; <see cref="Start"/> lists what a fresh object takes. An action with an empty list is final.
/// </summary>
/// <param name="Item">The item template as written (<c>/parcels/{id}</c>).</param>
/// <param name="Allowed">Each state (the last accepted action, or <see cref="Start"/>) and the actions allowed after it.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record DeclaredTransitions(string Item, IReadOnlyDictionary<string, IReadOnlyList<string>> Allowed, SourceLocation Location)
{
    /// <summary>The state of a fresh object, before any action.</summary>
    public const string Start = "start";
}

/// <summary>
/// Where a frontend shows a resource (<c>resources.*.page</c>): after a browser journey wrote one, step 7 reloads this
/// page and looks for the item and the values of <see cref="Show"/> the API's read holds.
/// </summary>
/// <param name="Path">The page, relative to the journey's frontend, for example <c>/orders</c>.</param>
/// <param name="Item">A CSS selector of the resource's element on the page; <c>{id}</c> is its key, for example <c>tr[data-order-id="{id}"]</c>.</param>
public sealed record ResourcePage(string Path, string Item)
{
    /// <summary>
    /// The API properties the item must show: each value must be in the item's text or an attribute of the item or an
    /// element in it (<c>data-status="paid"</c>). <value>None: the item must be there</value>.
    /// </summary>
    public IReadOnlyList<string> Show { get; init; } = [];
}

/// <summary>How a real-time endpoint pushes its events.</summary>
public enum RealtimeKind
{
    /// <summary>Server-Sent Events (<c>sse:</c>): a <c>text/event-stream</c> answer to a GET.</summary>
    Sse,

    /// <summary>A WebSocket (<c>websocket:</c>): each text message one event, its type the JSON message's <c>type</c> (or <c>event</c>).</summary>
    WebSocket,
}

/// <summary>A real-time endpoint of a service (<c>realtime</c>): Server-Sent Events or a WebSocket, checked in step 5.</summary>
/// <param name="Path">The stream's path, for example <c>/orders/events</c>.</param>
/// <param name="Trigger">The write that must cause an event.</param>
public sealed record RealtimeEndpoint(string Path, ScenarioRequest Trigger)
{
    /// <summary>Server-Sent Events or a WebSocket. <value>SSE</value>.</summary>
    public RealtimeKind Kind { get; init; } = RealtimeKind.Sse;

    /// <summary>The query parameter that carries the token (EventSource and browsers' WebSocket cannot send headers); null sends it as a bearer header. <value>null</value>.</summary>
    public string? TokenQuery { get; init; }

    /// <summary>The event type the write must cause. <value>null: any event but the first</value>.</summary>
    public string? Event { get; init; }

    /// <summary>How soon the event must arrive after the write. <value>2 s</value>.</summary>
    public TimeSpan Within { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// What a frontend's pages show while its API is slowed or stopped (<c>states</c>): step 5's browser check puts the API
/// behind Archgate's fault proxy, reloads each page, and looks for these (Playwright selectors: CSS, or <c>text=…</c>).
/// </summary>
public sealed record PageStates
{
    /// <summary>The defaults: the check runs with the ARIA conventions below.</summary>
    public static PageStates Default { get; } = new();

    /// <summary>Whether the check runs (<c>states: off</c> turns it off). <value>true</value>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>What is visible while the page waits for its API. <value><c>[aria-busy=true], [role=progressbar], progress</c></value>.</summary>
    public string Loading { get; init; } = "[aria-busy=true], [role=progressbar], progress";

    /// <summary>What shows the user an error when the API is down. <value><c>[role=alert]</c></value>.</summary>
    public string Error { get; init; } = "[role=alert]";

    /// <summary>The latency the fault proxy adds to each API request while the loading state is looked for. <value>3 s</value>.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long after the reload the error must show with the API down. <value>10 s</value>.</summary>
    public TimeSpan Within { get; init; } = TimeSpan.FromSeconds(10);
}
