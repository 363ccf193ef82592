namespace Archgate.Model;

/// <summary>
/// How step 2 verifies consumer pacts against their providers: which component plays a pact's provider,
/// the provider-state change endpoint, and how a live token replaces the example token a pact carries.
/// </summary>
public sealed record PactSettings
{
    /// <summary>
    /// Pact provider name to component name, for pacts whose provider is named differently from the
    /// component. <value>Empty</value> by default: a pact's provider is the component of the same name.
    /// </summary>
    public IReadOnlyDictionary<string, string> Providers { get; init; } = new Dictionary<string, string>();

    /// <summary>Where provider states are set up and torn down. <value>null</value>: states are not set up.</summary>
    public PactStateChange? StateChange { get; init; }

    /// <summary>
    /// The identity whose live credentials replace the example <c>Authorization</c> header a pact carries
    /// (<c>contracts.auth</c>). <value>null</value>: requests are sent as the pact wrote them.
    /// </summary>
    public ServiceAuth? Auth { get; init; }

    /// <summary>
    /// The message provider endpoint that produces a pact's messages (v3 messages, v4 asynchronous and
    /// synchronous messages). <value>null</value>: message interactions are skipped with an info note.
    /// </summary>
    public PactMessageProvider? Messages { get; init; }

    /// <summary>The component that answers for pact provider <paramref name="provider"/> (mapped, else the same name).</summary>
    public string ComponentFor(string provider) => Providers.TryGetValue(provider, out var component) ? component : provider;
}

/// <summary>
/// A message provider, as the Pact message-verification convention has it: for each message interaction,
/// <c>POST {"description", "providerStates", "request"}</c> (JSON; <c>request</c> only for synchronous
/// messages) to <paramref name="Url"/>, which answers the message: its contents as the body, its content type
/// as <c>Content-Type</c>, its metadata as base64 JSON in the <c>Pact-Message-Metadata</c> header.
/// </summary>
/// <param name="Url">An absolute URL, or a path (starting with <c>/</c>) on the provider's URL.</param>
public sealed record PactMessageProvider(string Url);

/// <summary>The provider-state change endpoint, called before (setup) and after (teardown) each interaction.</summary>
/// <param name="Url">An absolute URL, or a path (starting with <c>/</c>) on the provider's URL.</param>
/// <param name="AsBody">
/// POST the state as a JSON body <c>{"state", "params", "action"}</c>; otherwise as query parameters.
/// <value>true</value> by default.
/// </param>
/// <param name="Teardown">Also call it after each interaction with <c>action: teardown</c>. <value>true</value> by default.</param>
public sealed record PactStateChange(string Url, bool AsBody = true, bool Teardown = true);
