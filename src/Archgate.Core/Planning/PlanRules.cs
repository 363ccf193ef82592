namespace Archgate.Planning;

/// <summary>Rule ids of step 1 (integration planning); documented in docs/rules.md.</summary>
public static class PlanRules
{
    /// <summary>The dependency graph has a cycle.</summary>
    public const string DependencyCycle = "AG1001";

    /// <summary>A dependsOn entry names no declared component.</summary>
    public const string DanglingReference = "AG1002";

    /// <summary>A service declares no health endpoint.</summary>
    public const string NoHealthEndpoint = "AG1010";

    /// <summary>A service declares no API contract.</summary>
    public const string NoContract = "AG1011";

    /// <summary>A third party has no timeout policy, or one above 10 s.</summary>
    public const string ThirdPartyNoTimeout = "AG1012";

    /// <summary>A critical component sits on a long dependency chain.</summary>
    public const string CriticalLongChain = "AG1013";
}
