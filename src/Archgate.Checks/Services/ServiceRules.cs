namespace Archgate.Checks.Services;

/// <summary>Rule ids of step 4 (service-to-service); documented in docs/rules.md.</summary>
internal static class ServiceRules
{
    /// <summary>The health endpoint answered, but not with 2xx.</summary>
    public const string Unhealthy = "AG4001";

    /// <summary>The health endpoint could not be reached at all.</summary>
    public const string Unreachable = "AG4002";

    /// <summary>A component Archgate started exited during the run; raised by the protocol runner on the check that saw it (Core's <see cref="Launch.ExitRules"/>).</summary>
    public const string ComponentExited = Launch.ExitRules.ComponentExited;

    /// <summary>With the dependency failing, calls kept reaching it after the breaker's threshold: no fail-fast.</summary>
    public const string NoFailFast = "AG4010";

    /// <summary>With the dependency failing, the caller's drive operation answered outside its declared fallback (a 5xx, or no answer).</summary>
    public const string NoFallback = "AG4011";

    /// <summary>After the dependency recovered, no call succeeded again within the break duration and a grace period: the breaker did not close.</summary>
    public const string NoRecovery = "AG4012";

    /// <summary>The breaker could not be exercised: the drive operation made no calls on the edge, or the caller could not be signed in.</summary>
    public const string NotExercised = "AG4013";

    /// <summary>Information: the breaker failed fast, fell back and recovered; the evidence is its timeline.</summary>
    public const string BreakerWorks = "AG4014";

    /// <summary>The caller's readiness reports a dependency it calls as degraded or unhealthy: the edge is broken.</summary>
    public const string BrokenEdge = "AG4020";

    /// <summary>While one dependency failed, more dependants than the escalation threshold failed too: a cascade.</summary>
    public const string Cascade = "AG4030";

    /// <summary>Information: a caller of the failed dependency stayed healthy (isolation that worked).</summary>
    public const string Isolated = "AG4031";

    /// <summary>Information: a component's health already failed before the dependency was refused, so the cascade check does not judge it.</summary>
    public const string DownBeforeFault = "AG4032";

    /// <summary>
    /// Information: a pure consumer (a service that consumes from the refused broker, serves no API and that nothing
    /// depends on) said it was unhealthy while the broker was away: its honest state, with nothing to spread to; it must
    /// still recover.
    /// </summary>
    public const string ConsumerWaits = "AG4033";

    /// <summary>
    /// A caller stayed ready while every edge into a dependency was refused, and its readiness kept reporting that
    /// dependency healthy: the report hides the broken edge it exists to show.
    /// </summary>
    public const string HidesBrokenEdge = "AG4034";

    /// <summary>
    /// After the cascade analysis brought a dependency back, a caller's readiness still reported it degraded or down once
    /// the recovery wait was over: the caller does not reconnect (a broker connection, a pool) by itself.
    /// </summary>
    public const string NoReconnect = "AG4090";

    /// <summary>A service declared as requiring its callers' credential answered a direct call without one with something other than 401 or 403.</summary>
    public const string AcceptsAnonymousCalls = "AG4050";

    /// <summary>The dependency refused the caller's own calls at the edge's proxy (401/403): the caller sends no valid credential.</summary>
    public const string CallerRefused = "AG4051";

    /// <summary>The authenticated-call check could not see the caller's calls: the drive made none reach the proxy, or the dependency could not be reached.</summary>
    public const string AuthNotExercised = "AG4052";

    /// <summary>Information: the dependency refuses anonymous calls and takes the caller's.</summary>
    public const string AuthWorks = "AG4053";

    /// <summary>A declared module of a modular monolith has no readable assembly in <c>modules.assemblies</c>.</summary>
    public const string ModuleAssemblyMissing = "AG4040";

    /// <summary>A module's assembly references a module it is not allowed to depend on.</summary>
    public const string ForbiddenModuleDependency = "AG4041";

    /// <summary>Modules reference each other in a cycle.</summary>
    public const string ModuleCycle = "AG4042";

    /// <summary>Information: the modules reference only what they may; the evidence is the compiled module graph.</summary>
    public const string ModulesAsDeclared = "AG4043";

    /// <summary>The startup log shows a module initialized before a module it references.</summary>
    public const string InitOrderViolated = "AG4044";

    /// <summary>A declared module never logged its initialization.</summary>
    public const string ModuleNotInitialized = "AG4045";

    /// <summary>The declared startup log cannot be read.</summary>
    public const string StartupLogMissing = "AG4046";

    /// <summary>Metric: references between modules in the compiled assemblies.</summary>
    public const string ModuleDependenciesMetric = "module_dependencies";

    /// <summary>The service's discovery source (registry, DNS) could not be read, or does not know the name.</summary>
    public const string DiscoveryFailed = "AG4080";

    /// <summary>The discovery source lists fewer instances than <c>discovery.instances</c> (none at all included).</summary>
    public const string TooFewInstances = "AG4081";

    /// <summary>An instance the discovery source lists (as healthy, or without a state) does not answer its health endpoint: registered but dead.</summary>
    public const string DeadInstance = "AG4082";

    /// <summary>The registry itself reports an instance as not healthy (Consul critical, Eureka DOWN, Kubernetes not ready).</summary>
    public const string RegistryReportsDown = "AG4083";

    /// <summary>Information: every discovered instance answered its health endpoint; the evidence lists them.</summary>
    public const string InstancesHealthy = "AG4084";

    /// <summary>Round-robin balancing: an instance's count of calls is more than 10 % off an equal share.</summary>
    public const string Unbalanced = "AG4085";

    /// <summary>Least-connections balancing: the slowed instance got no fewer calls than the fastest.</summary>
    public const string SlowInstanceNotAvoided = "AG4086";

    /// <summary>Balancing could not be judged: no call reached an instance, or the caller could not be signed in.</summary>
    public const string BalancingNotExercised = "AG4087";

    /// <summary>Information: the calls were spread as the policy says; the evidence is the count per instance.</summary>
    public const string Balanced = "AG4088";

    /// <summary>Metric: calls an instance received under the balancing check's load.</summary>
    public const string BalancedCallsMetric = "balanced_calls";

    /// <summary>Metric: instances the discovery source lists.</summary>
    public const string DiscoveredInstancesMetric = "discovered_instances";

    /// <summary>Metric: discovered instances that answered their health endpoint.</summary>
    public const string HealthyInstancesMetric = "discovered_instances_healthy";

    /// <summary>Metric: calls that reached the dependency within the quiet window after the breaker's threshold.</summary>
    public const string CallsAfterThresholdMetric = "breaker_calls_after_threshold";
}
