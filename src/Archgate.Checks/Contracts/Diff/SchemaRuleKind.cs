namespace Archgate.Checks.Contracts.Diff;

/// <summary>Which part of an operation a schema sits in; the side decides the direction of "breaking".</summary>
/// <remarks>
/// In a request, a stricter schema breaks clients (they send what is now refused); in a response, a looser
/// schema does (they receive what they were told never comes).
/// </remarks>
internal enum SchemaContext
{
    RequestParameter,
    RequestBody,
    ResponseBody,
    ResponseHeader,
}

/// <summary>Where a kind of schema change can happen.</summary>
internal enum KindScope
{
    /// <summary>Parameters, bodies and headers.</summary>
    Any,

    /// <summary>Request and response bodies (and objects nested in parameters and headers): keywords of structured values.</summary>
    Body,

    /// <summary>Object properties only: exists as <c>{side}-property</c> rules.</summary>
    Property,
}

/// <summary>A kind of schema change; with a <see cref="SchemaContext"/> it makes one rule of the catalogue.</summary>
/// <param name="Number">The last two digits of the rule's code.</param>
/// <param name="Template">The id with <c>{side}</c> (request/response) and <c>{noun}</c> (parameter/property/header).</param>
/// <param name="RequestLevel">The level in a request (bodies; parameters too unless <see cref="ParameterLevel"/> says otherwise).</param>
/// <param name="ResponseLevel">The level in a response; null when the kind cannot happen there.</param>
/// <param name="Summary">What it detects.</param>
/// <param name="Scope">Where it can happen.</param>
internal sealed record SchemaRuleKind(
    int Number,
    string Template,
    ChangeLevel? RequestLevel,
    ChangeLevel? ResponseLevel,
    string Summary,
    KindScope Scope = KindScope.Any)
{
    /// <summary>The level for a request parameter, when oasdiff judges parameters differently from body properties.</summary>
    public ChangeLevel? ParameterLevel { get; init; }

    /// <summary>
    /// oasdiff's names, with <c>{side}</c> and <c>{noun}</c> (<c>parameter</c>, <c>body</c>, <c>property</c>, <c>header</c>);
    /// the first that oasdiff has is the alias. Empty: the id template itself.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>A one-line example of the change, for the catalogue page.</summary>
    public string Example { get; init; } = "";
}
