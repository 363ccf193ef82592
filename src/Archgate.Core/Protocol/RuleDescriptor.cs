namespace Archgate.Protocol;

/// <summary>
/// What a rule is: its stable id (docs/rules.md), its default severity and, where the family keeps them, a title, the
/// hint that says how to mend it and the catalogues it maps to (OWASP API Security Top 10, CWE, ZAP). Every finding is
/// built from one by <see cref="Findings.Create"/>.
/// </summary>
/// <param name="Id">The rule id, <c>AG3001</c>.</param>
/// <param name="Severity">The severity a finding gets unless the call states another.</param>
public sealed record RuleDescriptor(string Id, Severity Severity)
{
    /// <summary>A short name, or null.</summary>
    public string? Title { get; init; }

    /// <summary>How to mend what the rule finds, used when a finding states no hint of its own; or null.</summary>
    public string? Hint { get; init; }

    /// <summary>The OWASP API Security Top 10 2023 category, <c>API2:2023 Broken Authentication</c>, or null.</summary>
    public string? Owasp { get; init; }

    /// <summary>The CWE number, or null.</summary>
    public int? Cwe { get; init; }

    /// <summary>ZAP's alert id for the same rule, or null.</summary>
    public int? Zap { get; init; }

    /// <summary>The catalogues as a finding's hint ends with them: <c>OWASP API2:2023 Broken Authentication, CWE-306, ZAP 40018</c>; null when none.</summary>
    public string? References
    {
        get
        {
            var parts = new List<string>(3);
            if (Owasp is not null)
            {
                parts.Add($"OWASP {Owasp}");
            }

            if (Cwe is { } cwe)
            {
                parts.Add($"CWE-{cwe}");
            }

            if (Zap is { } zap)
            {
                parts.Add($"ZAP {zap}");
            }

            return parts.Count == 0 ? null : string.Join(", ", parts);
        }
    }
}

/// <summary>The one way checks build a <see cref="Finding"/>: from a rule's descriptor, a place and what was seen.</summary>
public static class Findings
{
    /// <summary>Characters of evidence a finding keeps (the same cap the run applies before storing). <value>32,768</value>.</summary>
    public const int MaxEvidence = ResultMasking.MaxEvidence;

    /// <summary>
    /// A finding of <paramref name="rule"/> about <paramref name="component"/> at <paramref name="location"/>. The severity
    /// is the rule's unless <paramref name="severity"/> says otherwise; the hint is <paramref name="hint"/>, else the
    /// rule's, followed by the rule's catalogue references in parentheses when it has any; the evidence is cut to
    /// <see cref="MaxEvidence"/> characters, the cut said in place.
    /// </summary>
    public static Finding Create(RuleDescriptor rule, string? component, string? location, string message, string? evidence = null, string? hint = null, Severity? severity = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var text = hint ?? rule.Hint;
        var references = rule.References;
        return new Finding
        {
            Rule = rule.Id,
            Severity = severity ?? rule.Severity,
            Component = component,
            Location = location,
            Message = message,
            Evidence = evidence is null ? null : ResultMasking.Cap(evidence, MaxEvidence),
            Hint = references is null ? text : text is null ? $"({references})" : $"{text} ({references})",
        };
    }

    /// <summary>As <see cref="Create(RuleDescriptor, string?, string?, string, string?, string?, Severity?)"/> for a rule that has no descriptor beyond its id.</summary>
    public static Finding Create(string rule, Severity severity, string? component, string? location, string message, string? evidence = null, string? hint = null) =>
        Create(new RuleDescriptor(rule, severity), component, location, message, evidence, hint);
}
