namespace Archgate.Model;

/// <summary>A role in the sign-off, and the person the manifest names for it (<c>system.owners</c>), if any.</summary>
/// <param name="Role">The role, for example <c>System-Architect</c>.</param>
/// <param name="Person">Who the manifest names for it, or null.</param>
public sealed record SignoffRole(string Role, string? Person)
{
    /// <summary><c>System-Architect (alice@example.test)</c>.</summary>
    public override string ToString() => Person is null ? Role : $"{Role} ({Person})";
}

/// <summary>
/// Who must accept a run before it is GO (<c>signoff</c>): the reviewers' roles, whose reviews come first, then the
/// approver, who signs off and alone may waive a failing rule.
/// </summary>
public sealed record SignoffPolicy
{
    /// <summary>The approver's role when the manifest names none. <value>System-Architect</value>.</summary>
    public const string DefaultApprover = "System-Architect";

    /// <summary>The role that signs off. <value>System-Architect</value>, the person <c>system.owners.architect</c>.</summary>
    public SignoffRole Approver { get; init; } = new(DefaultApprover, null);

    /// <summary>
    /// The roles whose review is required before the sign-off. <value>The roles <c>system.owners</c> names besides the
    /// architect</value>, unless <c>signoff.reviewers</c> lists them.
    /// </summary>
    public IReadOnlyList<SignoffRole> Reviewers { get; init; } = [];

    /// <summary>The protocol's role for a well-known <c>system.owners</c> key (<c>backend</c>: Backend-Engineer), else the key itself.</summary>
    public static string RoleOfOwnerKey(string key) => key.ToLowerInvariant() switch
    {
        "architect" => DefaultApprover,
        "backend" => "Backend-Engineer",
        "frontend" => "Frontend-Engineer",
        "qa" => "QA-Tester",
        "devops" => "DevOps-Engineer",
        _ => key,
    };

    /// <summary>Whether <paramref name="role"/> names the approver (case-insensitive).</summary>
    public bool IsApprover(string role) => string.Equals(role, Approver.Role, StringComparison.OrdinalIgnoreCase);

    /// <summary>The required reviewer role <paramref name="role"/> names (case-insensitive), or null.</summary>
    public SignoffRole? Reviewer(string role) => Reviewers.FirstOrDefault(r => string.Equals(r.Role, role, StringComparison.OrdinalIgnoreCase));
}
