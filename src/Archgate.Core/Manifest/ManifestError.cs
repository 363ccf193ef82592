namespace Archgate.Manifest;

/// <summary>One problem in a manifest: where it is, what is wrong, and how to mend it.</summary>
/// <param name="File">The manifest path as the user gave it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Path">Where in the document, for example <c>components.api.dependsOn</c>.</param>
/// <param name="Message">What is wrong. Never contains a secret.</param>
/// <param name="Hint">How to mend it, or null.</param>
public sealed record ManifestError(string File, int Line, int Column, string Path, string Message, string? Hint)
{
    /// <summary>Whether it is a warning (the manifest loads; a deprecated spelling, for example) rather than an error.</summary>
    public bool IsWarning { get; init; }

    /// <summary><c>file:line:column: [warning: ]path: message</c>, then <c>  hint: ...</c> on its own line.</summary>
    public override string ToString()
    {
        var message = IsWarning ? $"warning: {Message}" : Message;
        var head = Path.Length == 0
            ? $"{File}:{Line}:{Column}: {message}"
            : $"{File}:{Line}:{Column}: {Path}: {message}";
        return Hint is null ? head : $"{head}{Environment.NewLine}  hint: {Hint}";
    }
}

/// <summary>The outcome of loading a manifest: a model, or every error found.</summary>
public sealed record ManifestLoadResult(Model.SystemModel? Model, IReadOnlyList<ManifestError> Errors)
{
    /// <summary>What loaded but should be written differently (deprecated spellings), each with the spelling to use.</summary>
    public IReadOnlyList<ManifestError> Warnings { get; init; } = [];

    /// <summary>
    /// The variables used without default that are not set, each once. Errors unless the load allowed them
    /// (<see cref="ManifestLoadOptions.AllowUnsetVariables"/>); then the values that use them were not checked.
    /// </summary>
    public IReadOnlyList<string> UnsetVariables { get; init; } = [];

    /// <summary>
    /// The secret references (<c>vault:secret/data/shop#key</c>) left unread, each once, when the load read no secret store
    /// (<see cref="ManifestLoadOptions.ReadSecretStores"/>): their form was checked, the values that use them were not.
    /// </summary>
    public IReadOnlyList<string> UnreadSecrets { get; init; } = [];

    /// <summary>True when the manifest loaded without errors.</summary>
    public bool Succeeded => Model is not null && Errors.Count == 0;
}
