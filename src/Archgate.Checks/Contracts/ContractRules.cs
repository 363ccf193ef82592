namespace Archgate.Checks.Contracts;

/// <summary>Rule ids of step 2 (API contract validation); documented in docs/rules.md.</summary>
internal static class ContractRules
{
    /// <summary>The metric of a provider's contract mismatch rate (failed / tested), step 2's escalation input.</summary>
    public const string MismatchRateMetric = "contract_mismatch_rate";

    /// <summary>The OpenAPI document cannot be read or has errors.</summary>
    public const string DocumentInvalid = "AG2001";

    /// <summary>The OpenAPI document has warnings.</summary>
    public const string DocumentWarning = "AG2002";

    /// <summary>A breaking change touches what a consumer's pact relies on.</summary>
    public const string ConsumerBroken = "AG2090";
}
