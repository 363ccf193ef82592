using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>A pact file: who consumes whom, and the HTTP interactions the consumer relies on.</summary>
/// <param name="Consumer">The consumer's name.</param>
/// <param name="Provider">The provider's name.</param>
/// <param name="SpecificationVersion">Major Pact specification version: 1, 2, 3 or 4.</param>
/// <param name="Interactions">The HTTP interactions, in file order.</param>
/// <param name="Skipped">Interactions that are not HTTP (v4 messages), described for an info note.</param>
internal sealed record PactDocument(
    string Consumer,
    string Provider,
    int SpecificationVersion,
    IReadOnlyList<PactInteraction> Interactions,
    IReadOnlyList<string> Skipped);

/// <summary>One request the consumer makes and the response it expects.</summary>
internal sealed record PactInteraction(
    string Description,
    IReadOnlyList<ProviderState> States,
    PactRequest Request,
    PactResponse Response);

/// <summary>A provider state, with its parameters (v3+).</summary>
internal sealed record ProviderState(string Name, JsonObject Params);

/// <summary>The request to replay.</summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Path, starting with <c>/</c>.</param>
/// <param name="Query">Query parameters in order; a name may repeat.</param>
/// <param name="Headers">Headers in order; a name may repeat.</param>
/// <param name="Body">The body, or null.</param>
internal sealed record PactRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    PactBody? Body);

/// <summary>The response the consumer expects, and how loosely each part may match.</summary>
internal sealed record PactResponse(
    int Status,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    PactBody? Body,
    MatchingRules Rules);

/// <summary>
/// A body as the pact wrote it: JSON (<see cref="Json"/> set; a JSON <c>null</c> body is a JsonValue of null
/// kind, so <see cref="IsJson"/> tells), or text, or bytes (v4 base64).
/// </summary>
internal sealed record PactBody(bool IsJson, JsonNode? Json, string? Text, byte[]? Bytes, string? ContentType)
{
    /// <summary>The bytes to send.</summary>
    public byte[] ToBytes() =>
        Bytes ?? System.Text.Encoding.UTF8.GetBytes(IsJson ? Json?.ToJsonString() ?? "null" : Text ?? string.Empty);
}
