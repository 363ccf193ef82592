using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Security.Probes;
using Archgate.Model;

namespace Archgate.Checks.Security;

/// <summary>
/// Which operations only an admin may call, and who is an admin: the one rule step 9's function-level probes (an
/// ordinary identity must be refused) and object-level probes (an admin-only create made as the admin), step 5's CRUD
/// and step 7's concurrent writes (run as an admin) share.
/// </summary>
internal static class AdminOperations
{
    /// <summary>
    /// Whether <paramref name="operation"/> is admin-only: the contract gives it an <c>x-roles</c> extension, or a
    /// pattern of <c>security.adminOnly</c> matches its method and path.
    /// </summary>
    public static bool IsAdminOnly(OperationInfo operation, SecurityPolicy policy) =>
        operation.Operation.Extensions?.ContainsKey("x-roles") == true
        || policy.AdminOnly.Any(p => PathPatterns.Matches(p, operation.Method, operation.Template));

    /// <summary>Whether <paramref name="identity"/> is an admin: one of its roles names <c>admin</c> (any case).</summary>
    public static bool IsAdmin(ServiceAuth identity) =>
        identity.Roles.Any(r => r.Contains("admin", StringComparison.OrdinalIgnoreCase));

    /// <summary>The first identity of the top-level <c>auth</c> section, by name, that <see cref="IsAdmin"/>; null when none is.</summary>
    public static ServiceAuth? Admin(SystemModel system) =>
        system.Auth.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value).FirstOrDefault(IsAdmin);
}
