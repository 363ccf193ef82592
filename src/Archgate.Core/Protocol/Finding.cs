namespace Archgate.Protocol;

/// <summary>How much a finding matters. Ordered from least to most severe.</summary>
public enum Severity
{
    /// <summary>For information only.</summary>
    Info,

    /// <summary>Worth fixing some day.</summary>
    Low,

    /// <summary>Should be fixed before the next release.</summary>
    Medium,

    /// <summary>Blocks integration of the component.</summary>
    High,

    /// <summary>Blocks the whole system.</summary>
    Critical,
}

/// <summary>One observation of a check, with a stable rule id (<c>AG3001</c>) and a way to mend it.</summary>
public sealed record Finding
{
    /// <summary>Stable rule id, documented in docs/rules.md.</summary>
    public required string Rule { get; init; }

    /// <summary>How much it matters.</summary>
    public required Severity Severity { get; init; }

    /// <summary>The component it is about, or null for the system as a whole.</summary>
    public string? Component { get; init; }

    /// <summary>Where: an operation, a table, a URL, a manifest key.</summary>
    public string? Location { get; init; }

    /// <summary>What was found.</summary>
    public required string Message { get; init; }

    /// <summary>What was seen, already redacted.</summary>
    public string? Evidence { get; init; }

    /// <summary>How to mend it.</summary>
    public string? Hint { get; init; }
}

/// <summary>A measurement, k6 style: a name, tags, a value and a unit.</summary>
public sealed record Metric(string Name, IReadOnlyDictionary<string, string> Tags, double Value, string Unit)
{
    /// <summary>A metric tagged with one component.</summary>
    public static Metric ForComponent(string name, string component, double value, string unit) =>
        new(name, new Dictionary<string, string> { ["component"] = component }, value, unit);

    /// <summary><c>name{k=v,...}</c>.</summary>
    public override string ToString() =>
        Tags.Count == 0 ? Name : $"{Name}{{{string.Join(",", Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
}
