using System.Text.Json.Serialization;

namespace Archgate.Protocol;

/// <summary>What a review or sign-off decides.</summary>
public enum SignoffDecision
{
    /// <summary>Accepts the run.</summary>
    Approve,

    /// <summary>Refuses it.</summary>
    Reject,
}

/// <summary>Where the signer's identity came from.</summary>
public enum IdentitySource
{
    /// <summary>The <c>--as</c> flag.</summary>
    Flag,

    /// <summary>The <c>ARCHGATE_USER</c> environment variable.</summary>
    [JsonStringEnumMemberName("env")]
    Environment,

    /// <summary><c>git config user.name</c> / <c>user.email</c>.</summary>
    Git,
}

/// <summary>A failing rule accepted by the approver until a date, with the reason.</summary>
/// <param name="Rule">The rule id, for example <c>AG4001</c>.</param>
/// <param name="Reason">Why it is accepted.</param>
/// <param name="Expires">When it stops waiving (00:00 UTC of the date given).</param>
public sealed record Waiver(string Rule, string Reason, DateTimeOffset Expires);

/// <summary>
/// One review or sign-off, as stored: append-only, each record chained to the previous record of its run by
/// <see cref="PreviousHash"/>; <see cref="Hash"/> is the SHA-256 of the record's stored text.
/// </summary>
public sealed record SignoffRecord
{
    /// <summary>1-based position in the run's chain.</summary>
    public required int Seq { get; init; }

    /// <summary>The run signed.</summary>
    public required string RunId { get; init; }

    /// <summary>The run's system.</summary>
    public required string System { get; init; }

    /// <summary>SHA-256 of the manifest the run ran with.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary><c>review</c> (a reviewer's role) or <c>signoff</c> (the approver's).</summary>
    public required string Kind { get; init; }

    /// <summary>The role signed as.</summary>
    public required string Role { get; init; }

    /// <summary>Who.</summary>
    public required string Identity { get; init; }

    /// <summary>Where <see cref="Identity"/> came from.</summary>
    public required IdentitySource IdentitySource { get; init; }

    /// <summary>Approve or reject.</summary>
    public required SignoffDecision Decision { get; init; }

    /// <summary>When (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Free text, or null.</summary>
    public string? Comment { get; init; }

    /// <summary>Failing rules the approver waived with this sign-off.</summary>
    public IReadOnlyList<Waiver> Waivers { get; init; } = [];

    /// <summary>The hash of the previous record of the run (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>SHA-256 (hex) of the stored text of this record; not part of that text (null while it is written).</summary>
    public string? Hash { get; init; }
}

/// <summary>A waiver as a run sees it: who granted it on which run, whether it was still in force, whether the run used it.</summary>
/// <param name="Waiver">The rule, reason and expiry.</param>
/// <param name="By">Who granted it (the approver's identity).</param>
/// <param name="Role">The approver's role.</param>
/// <param name="RunId">The run it was granted on.</param>
/// <param name="At">When.</param>
/// <param name="Expired">Whether it had expired when the run was judged (it then waives nothing).</param>
/// <param name="Used">Whether it waived a failing rule of this run.</param>
public sealed record WaiverStatus(Waiver Waiver, string By, string Role, string RunId, DateTimeOffset At, bool Expired, bool Used);
