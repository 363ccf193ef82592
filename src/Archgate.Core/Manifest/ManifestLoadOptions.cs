namespace Archgate.Manifest;

/// <summary>How <see cref="ManifestLoader"/> treats what only matters to a command that contacts the system.</summary>
public sealed record ManifestLoadOptions
{
    /// <summary>What <c>archgate run</c>, <c>up</c> and every command that reaches the system load with.</summary>
    public static ManifestLoadOptions Default { get; } = new();

    /// <summary>
    /// What <c>archgate plan</c> and <c>validate</c> load with: the dependency graph and the order do not depend on
    /// any value from the environment, so a pull-request job without the secrets can still plan.
    /// </summary>
    public static ManifestLoadOptions WithoutSystem { get; } = new() { AllowUnsetVariables = true, ReadSecretStores = false };

    /// <summary>
    /// Whether a <c>${VAR}</c> that is unset and has no default is a warning rather than an error. Such a value is not
    /// checked: the key reads as if it were absent (its default, a stand-in that contacts nothing such as the URL
    /// <c>http://unresolved.invalid/</c>, or what holds it left out, as a load stage without users), and no error is
    /// reported about the value itself. Never for a command that contacts the system.
    /// </summary>
    /// <value>false: an unset variable is an error and the manifest does not load.</value>
    public bool AllowUnsetVariables { get; init; }

    /// <summary>
    /// Whether <c>${vault:...}</c> and <c>${aws-sm:...}</c> are read from their stores. When not, each reference's form
    /// is still checked (an error at its line), its value is not: it reads as absent, as an unset variable does with
    /// <see cref="AllowUnsetVariables"/>, with a warning, and <see cref="ManifestLoadResult.UnreadSecrets"/> lists it.
    /// </summary>
    /// <value>true: every reference is read, and a store that cannot answer is an error.</value>
    public bool ReadSecretStores { get; init; } = true;
}
