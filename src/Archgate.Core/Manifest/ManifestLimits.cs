namespace Archgate.Manifest;

/// <summary>
/// What a manifest may hold. A manifest beyond these ends as a positioned error (exit 2), never as a crash,
/// a hang or gigabytes of memory. docs/manifest.md states them.
/// </summary>
public static class ManifestLimits
{
    /// <summary>Largest manifest file read.</summary>
    /// <value>16 MB.</value>
    public const long MaxManifestBytes = 16 * 1024 * 1024;

    /// <summary>Largest contract file (OpenAPI document, pact) read.</summary>
    /// <value>64 MB.</value>
    public const long MaxContractBytes = 64 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists (block or flow, JSON style included), the root counting as 1.</summary>
    /// <value>64 levels.</value>
    public const int MaxDepth = 64;

    /// <summary>Most values (mappings, lists, scalars, keys included) in the document once every alias is expanded.</summary>
    /// <value>100,000.</value>
    public const int MaxNodes = 100_000;

    /// <summary>Longest single value (a scalar), in characters.</summary>
    /// <value>65,536.</value>
    public const int MaxValueLength = 64 * 1024;

    /// <summary>Longest key or <c>name</c>, in characters.</summary>
    /// <value>256.</value>
    public const int MaxIdentifierLength = 256;

    /// <summary>Longest duration (<c>timeout</c>, <c>backoff</c>, stage durations, ...).</summary>
    /// <value>7 days.</value>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);
}
