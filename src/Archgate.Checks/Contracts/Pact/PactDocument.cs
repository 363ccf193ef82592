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
/// <param name="Description">What the consumer calls it.</param>
/// <param name="States">Provider states to set up first.</param>
/// <param name="Request">The request to send.</param>
/// <param name="Response">The response the consumer expects.</param>
/// <param name="Pending">
/// v4 <c>pending</c>: a new expectation the provider may not meet yet; its failure is reported but does not
/// fail the verification.
/// </param>
/// <param name="Message">
/// Set for a message interaction (v3 message, v4 asynchronous or synchronous message): then
/// <paramref name="Response"/> holds the expected contents and their rules, and <paramref name="Request"/> is unused.
/// </param>
internal sealed record PactInteraction(
    string Description,
    IReadOnlyList<ProviderState> States,
    PactRequest Request,
    PactResponse Response,
    bool Pending = false,
    PactMessage? Message = null);

/// <summary>What a message interaction adds: its kind, the expected metadata, and a synchronous message's request.</summary>
/// <param name="Kind">How the pact names it: <c>message</c> (v3), <c>Asynchronous/Messages</c>, <c>Synchronous/Messages</c>.</param>
/// <param name="Metadata">Expected metadata, key to value.</param>
/// <param name="Request">The request of a synchronous message, as the pact wrote it; null for the others.</param>
internal sealed record PactMessage(string Kind, IReadOnlyList<KeyValuePair<string, JsonNode?>> Metadata, JsonObject? Request);

/// <summary>A provider state, with its parameters (v3+).</summary>
internal sealed record ProviderState(string Name, JsonObject Params);

/// <summary>The request to replay.</summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Path, starting with <c>/</c>.</param>
/// <param name="Query">Query parameters in order; a name may repeat.</param>
/// <param name="Headers">Headers in order; a name may repeat.</param>
/// <param name="Body">The body, or null.</param>
/// <param name="Generators">Values to generate into the request before sending it (v3+), or none.</param>
internal sealed record PactRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    PactBody? Body,
    RequestGenerators? Generators = null);

/// <summary>The response the consumer expects, and how loosely each part may match.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Headers">Expected headers, each with its values apart (v4 lists, known multi-value headers split on commas).</param>
/// <param name="Body">The body, or null when the pact says nothing about it.</param>
/// <param name="Rules">The matching rules.</param>
internal sealed record PactResponse(
    int Status,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Headers,
    PactBody? Body,
    MatchingRules Rules);

/// <summary>
/// A body as the pact wrote it: JSON (<see cref="Json"/> set; a JSON <c>null</c> body is a JsonValue of null
/// kind, so <see cref="IsJson"/> tells), or text, or bytes (v4 base64, or a binary content type's base64
/// text in v2/v3). <see cref="MustBeEmpty"/>: the pact's body is <c>null</c> or empty, so the actual one must be too.
/// </summary>
internal sealed record PactBody(bool IsJson, JsonNode? Json, string? Text, byte[]? Bytes, string? ContentType)
{
    /// <summary>An expected body of nothing (<c>"body": null</c> or <c>""</c>).</summary>
    public static PactBody Empty(string? contentType) => new(false, null, string.Empty, null, contentType) { MustBeEmpty = true };

    /// <summary>The pact expects no body bytes at all.</summary>
    public bool MustBeEmpty { get; init; }

    /// <summary>The bytes to send.</summary>
    public byte[] ToBytes() =>
        Bytes ?? System.Text.Encoding.UTF8.GetBytes(IsJson ? Json?.ToJsonString() ?? "null" : Text ?? string.Empty);
}
