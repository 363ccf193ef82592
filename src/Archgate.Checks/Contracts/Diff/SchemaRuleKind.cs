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

/// <summary>A kind of schema change; with a <see cref="SchemaContext"/> it makes one rule of the catalogue.</summary>
/// <param name="Number">The last two digits of the rule's code.</param>
/// <param name="Template">The id with <c>{side}</c> (request/response) and <c>{noun}</c> (parameter/property/header).</param>
/// <param name="RequestLevel">The level in a request.</param>
/// <param name="ResponseLevel">The level in a response.</param>
/// <param name="Summary">What it detects.</param>
/// <param name="PropertyOnly">True for kinds about object properties, which exist only as <c>{side}-property</c> rules.</param>
internal sealed record SchemaRuleKind(
    int Number,
    string Template,
    ChangeLevel? RequestLevel,
    ChangeLevel? ResponseLevel,
    string Summary,
    bool PropertyOnly = false);
