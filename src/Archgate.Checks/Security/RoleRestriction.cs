using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;

namespace Archgate.Checks.Security;

/// <summary>
/// Who may call a set of operations some roles only may call (<see cref="AdminOperations.RequiredRoles"/>), and how a
/// message names the restriction: the one answer steps 5, 7 and 9 share when they must call such an operation themselves.
/// </summary>
/// <param name="Operation">The restricted operation the messages name (the first that no identity may call, else the first).</param>
/// <param name="Roles">Its roles, as the manifest or contract names them.</param>
/// <param name="Caller">The first identity of the top-level <c>auth</c> section, by name, that holds a role of every restricted operation; null when none does.</param>
/// <param name="Unheld">Whether <see cref="Operation"/>'s roles themselves are held by no identity (else only no one identity holds them all).</param>
internal sealed record RoleRestriction(OperationInfo Operation, IReadOnlyList<string> Roles, ServiceAuth? Caller, bool Unheld)
{
    /// <summary>Whether <see cref="Roles"/> are those of an admin only (<c>security.adminOnly</c>, an empty <c>x-roles</c>).</summary>
    public bool AdminOnly => IsAdminOnly(Roles);

    /// <summary>"admin-only", or "restricted to [staff]" (<see cref="Describe"/>).</summary>
    public string Kind => Describe(Roles);

    /// <summary>"POST /events is admin-only", or "POST /rooms is restricted to [staff]".</summary>
    public string What => $"{Operation.Name} is {Kind}";

    /// <summary>Why <see cref="Caller"/> is null: "no identity has roles: [admin]", "no identity has one of those roles".</summary>
    public string NoCaller =>
        !Unheld ? "no one identity holds a role of each restricted operation"
        : AdminOnly ? "no identity has roles: [admin]"
        : "no identity has one of those roles";

    /// <summary>How to give the checks a caller: declare an identity with the first role.</summary>
    public string Hint => $"declare an identity with roles: [{Roles[0]}] in the top-level auth section";

    /// <summary>
    /// Whether <paramref name="roles"/> name the admin role only (<c>security.adminOnly</c>, an empty <c>x-roles</c>, or the
    /// manifest's <c>[admin]</c>): any other role (<c>staff</c>, <c>superadmin</c>) is the manifest's own and is named as it is.
    /// </summary>
    public static bool IsAdminOnly(IReadOnlyList<string> roles) =>
        roles.Count > 0 && roles.All(r => r.Equals("admin", StringComparison.OrdinalIgnoreCase));

    /// <summary>What <paramref name="roles"/> restrict an operation to, as every message says it: "admin-only", "restricted to [staff]", "restricted to [staff, auditor]".</summary>
    public static string Describe(IReadOnlyList<string> roles) =>
        IsAdminOnly(roles) ? "admin-only" : $"restricted to [{string.Join(", ", roles)}]";

    /// <summary>
    /// The restriction on <paramref name="operations"/> (nulls ignored), or null when any signed-in identity may call each.
    /// An identity may call an operation when it <see cref="AdminOperations.Holds"/> one of its roles (an admin holds every
    /// role that names admin, no other).
    /// </summary>
    public static RoleRestriction? Of(SystemModel system, params IEnumerable<OperationInfo?> operations)
    {
        var restricted = operations.OfType<OperationInfo>()
            .Select(o => (Operation: o, Roles: AdminOperations.RequiredRoles(o, system.Security)))
            .Where(r => r.Roles is not null).Select(r => (r.Operation, Roles: r.Roles!)).ToList();
        if (restricted.Count == 0)
        {
            return null;
        }

        var identities = system.Auth.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value).ToList();
        var caller = identities.FirstOrDefault(i => restricted.TrueForAll(r => AdminOperations.Holds(i, r.Roles)));
        var unheld = restricted.FindIndex(r => !identities.Exists(i => AdminOperations.Holds(i, r.Roles)));
        var (operation, roles) = restricted[Math.Max(unheld, 0)];
        return new RoleRestriction(operation, roles, caller, caller is null && unheld >= 0);
    }
}
