using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security;

/// <summary>
/// Which operations only some roles may call, and who holds a role: the one rule step 9's function-level probes (an
/// identity without the role must be refused) and object-level probes (a restricted create made as the admin), step 5's
/// CRUD and step 7's concurrent writes (run as an admin) share.
/// </summary>
internal static class AdminOperations
{
    /// <summary>
    /// Whether <paramref name="operation"/> is for some roles only (<see cref="RequiredRoles"/> names any): admin-only in
    /// the sense the checks that run restricted operations as the admin use.
    /// </summary>
    public static bool IsAdminOnly(OperationInfo operation, SecurityPolicy policy) => RequiredRoles(operation, policy) is not null;

    /// <summary>
    /// The roles that may call <paramref name="operation"/>, or null when any signed-in identity may: the roles an
    /// <c>x-roles</c> extension lists (<c>admin</c> when it lists none), those of every <c>security.roles</c> pattern that
    /// matches its method and path, and <c>admin</c> when a <c>security.adminOnly</c> pattern does.
    /// </summary>
    public static IReadOnlyList<string>? RequiredRoles(OperationInfo operation, SecurityPolicy policy)
    {
        var roles = new List<string>();
        if (operation.Operation.Extensions?.TryGetValue("x-roles", out var extension) == true)
        {
            var listed = extension is JsonNodeExtension { Node: JsonArray array }
                ? array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().Where(s => s.Length > 0).ToList()
                : extension is JsonNodeExtension { Node: JsonValue single } && single.TryGetValue<string>(out var one) && one.Length > 0 ? [one] : [];
            roles.AddRange(listed.Count > 0 ? listed : ["admin"]);
        }

        roles.AddRange(policy.Roles.Where(r => PathPatterns.Matches(r.Pattern, operation.Method, operation.Template)).SelectMany(r => r.Roles));
        if (policy.AdminOnly.Any(p => PathPatterns.Matches(p, operation.Method, operation.Template)))
        {
            roles.Add("admin");
        }

        return roles.Count == 0 ? null : roles.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Whether <paramref name="identity"/> holds one of <paramref name="roles"/>: one of its roles is named alike (any
    /// case), or a required role names <c>admin</c> and the identity <see cref="IsAdmin"/>.
    /// </summary>
    public static bool Holds(ServiceAuth identity, IReadOnlyList<string> roles) =>
        identity.Roles.Any(r => roles.Contains(r, StringComparer.OrdinalIgnoreCase))
        || (roles.Any(r => r.Contains("admin", StringComparison.OrdinalIgnoreCase)) && IsAdmin(identity));

    /// <summary>Whether <paramref name="identity"/> is an admin: one of its roles names <c>admin</c> (any case).</summary>
    public static bool IsAdmin(ServiceAuth identity) =>
        identity.Roles.Any(r => r.Contains("admin", StringComparison.OrdinalIgnoreCase));

    /// <summary>The first identity of the top-level <c>auth</c> section, by name, that <see cref="IsAdmin"/>; null when none is.</summary>
    public static ServiceAuth? Admin(SystemModel system) =>
        system.Auth.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value).FirstOrDefault(IsAdmin);
}
