namespace Archgate.Checks.Services;

/// <summary>Rule ids of step 4 (service-to-service); documented in docs/rules.md.</summary>
internal static class ServiceRules
{
    /// <summary>The health endpoint answered, but not with 2xx.</summary>
    public const string Unhealthy = "AG4001";

    /// <summary>The health endpoint could not be reached at all.</summary>
    public const string Unreachable = "AG4002";
}
