namespace Archgate.Checks.Contracts.Pact;

/// <summary>Rule ids of consumer pact verification (AG2050-AG2069); documented in docs/rules.md.</summary>
internal static class PactRules
{
    /// <summary>The provider's response does not satisfy the interaction (status, header or body).</summary>
    public const string InteractionFailed = "AG2050";

    /// <summary>The pact file cannot be read or is not a valid pact.</summary>
    public const string PactInvalid = "AG2051";

    /// <summary>No component with a URL plays the pact's provider.</summary>
    public const string ProviderUnknown = "AG2052";

    /// <summary>Setting up or tearing down a provider state failed.</summary>
    public const string StateChangeFailed = "AG2053";

    /// <summary>The interaction's request could not be sent or got no answer.</summary>
    public const string RequestFailed = "AG2054";

    /// <summary>The login that yields the live token failed.</summary>
    public const string LoginFailed = "AG2055";

    /// <summary>A non-HTTP interaction (v4 message) was skipped.</summary>
    public const string InteractionSkipped = "AG2056";

    /// <summary>An interaction passed.</summary>
    public const string InteractionPassed = "AG2057";

    /// <summary>A matcher or generator of the pact is not supported and was not applied (a warning, never a failure).</summary>
    public const string NotApplied = "AG2058";
}
