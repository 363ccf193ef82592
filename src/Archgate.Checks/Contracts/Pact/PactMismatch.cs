namespace Archgate.Checks.Contracts.Pact;

/// <summary>Which part of the interaction did not match.</summary>
internal enum MismatchKind
{
    /// <summary>The status code.</summary>
    Status,

    /// <summary>A response header.</summary>
    Header,

    /// <summary>The response body.</summary>
    Body,

    /// <summary>The body's content type.</summary>
    BodyType,

    /// <summary>Setting up or tearing down a provider state.</summary>
    State,

    /// <summary>The request could not be sent or got no answer (connection refused, timeout).</summary>
    Request,

    /// <summary>The login that yields the live token failed.</summary>
    Login,

    /// <summary>A message's metadata.</summary>
    Metadata,

    /// <summary>A matcher this verifier does not apply: a warning, never a failure.</summary>
    Unsupported,
}

/// <summary>
/// One difference between the expected and the actual response, worded as the Pact verifier words it:
/// <c>$.id -> Expected 'x' (String) to be an integer</c>.
/// </summary>
/// <param name="Kind">The part of the interaction.</param>
/// <param name="Path">The Pact path (<c>$.items[0].id</c>) for body mismatches, the header name for header ones.</param>
/// <param name="Message">The Pact-style message, without the path.</param>
/// <param name="Pointer">
/// The precise place for locations: the same as <paramref name="Path"/>, except for a missing key, where
/// the verifier reports the parent map (<c>$</c>) and this names the key (<c>$.total</c>).
/// </param>
internal sealed record PactMismatch(MismatchKind Kind, string? Path, string Message, string? Pointer = null)
{
    /// <summary>A warning that does not fail the interaction (an unsupported matcher).</summary>
    public bool IsWarning => Kind == MismatchKind.Unsupported;

    /// <summary>Where, for a finding's location.</summary>
    public string? Where => Pointer ?? Path;

    /// <summary><c>path -> message</c> for body mismatches, the message alone otherwise.</summary>
    public override string ToString() => Kind == MismatchKind.Body && Path is not null ? $"{Path} -> {Message}" : Message;
}
