using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// Compares the effective security of one operation. The requirements are alternatives (any one suffices);
/// the schemes inside one requirement are all needed, each with its scopes.
/// </summary>
/// <param name="sink">Where the changes go.</param>
/// <param name="operation">The operation.</param>
/// <param name="global">True when both sides inherit the document's security: oasdiff names these changes <c>api-global-security-…</c>.</param>
internal sealed class SecurityComparer(ChangeSink sink, string operation, bool global)
{
    private const string Where = "security";

    public void Compare(IList<OpenApiSecurityRequirement>? o, IList<OpenApiSecurityRequirement>? n)
    {
        var oldRequirements = Read(o);
        var newRequirements = Read(n);
        if (oldRequirements.Count == 0 && newRequirements.Count == 0)
        {
            return;
        }

        if (oldRequirements.Count == 0)
        {
            var text = string.Join(" or ", newRequirements.Select(Show));
            Add(DiffRules.SecurityAdded, Where, $"security {text} was added; the operation was open", null, text);
            return;
        }

        if (newRequirements.Count == 0 || newRequirements.Any(r => r.Count == 0))
        {
            if (oldRequirements.All(r => r.Count > 0))
            {
                Add(DiffRules.SecurityRemoved, Where, "the operation no longer requires security", string.Join(" or ", oldRequirements.Select(Show)), null);
            }

            return;
        }

        var unmatched = newRequirements.ToList();
        foreach (var oldRequirement in oldRequirements)
        {
            var same = unmatched.FirstOrDefault(r => r.Keys.ToHashSet().SetEquals(oldRequirement.Keys));
            if (same is not null)
            {
                unmatched.Remove(same);
                CompareScopes(oldRequirement, same);
                continue;
            }

            var stricter = unmatched.FirstOrDefault(r => r.Keys.ToHashSet().IsProperSupersetOf(oldRequirement.Keys));
            if (stricter is not null)
            {
                unmatched.Remove(stricter);
                var addedSchemes = string.Join(", ", stricter.Keys.Except(oldRequirement.Keys));
                Add(DiffRules.SecurityAdded, $"{Where} {addedSchemes}", $"security scheme {addedSchemes} was added to the requirement {Show(oldRequirement)}", Show(oldRequirement), Show(stricter));
                CompareScopes(oldRequirement, stricter);
                continue;
            }

            Add(DiffRules.SecurityRequirementRemoved, $"{Where} {string.Join(", ", oldRequirement.Keys)}", $"security requirement {Show(oldRequirement)} was removed", Show(oldRequirement), null);
        }

        foreach (var requirement in unmatched)
        {
            Add(DiffRules.SecurityRequirementAdded, $"{Where} {string.Join(", ", requirement.Keys)}", $"alternative security requirement {Show(requirement)} was added", null, Show(requirement));
        }
    }

    private void Add(DiffRule rule, string where, string message, string? oldValue, string? newValue)
    {
        var alias = global && rule.Alias is { } a && a.StartsWith("api-security-", StringComparison.Ordinal)
            && OasdiffCatalogue.Has("api-global-security-" + a["api-security-".Length..]) ? "api-global-security-" + a["api-security-".Length..] : null;
        sink.Add(rule, alias, operation, where, message, oldValue, newValue);
    }

    private void CompareScopes(Dictionary<string, HashSet<string>> o, Dictionary<string, HashSet<string>> n)
    {
        foreach (var (scheme, oldScopes) in o)
        {
            var newScopes = n[scheme];
            foreach (var scope in newScopes.Except(oldScopes).Order(StringComparer.Ordinal))
            {
                Add(DiffRules.SecurityScopeAdded, $"{Where} {scheme}", $"scope {scope} was added to security scheme {scheme}", null, scope);
            }

            foreach (var scope in oldScopes.Except(newScopes).Order(StringComparer.Ordinal))
            {
                Add(DiffRules.SecurityScopeRemoved, $"{Where} {scheme}", $"scope {scope} was removed from security scheme {scheme}", scope, null);
            }
        }
    }

    private static List<Dictionary<string, HashSet<string>>> Read(IList<OpenApiSecurityRequirement>? requirements) =>
        (requirements ?? []).Select(r => r.ToDictionary(
            kv => kv.Key.Reference?.Id ?? kv.Key.Name ?? "?",
            kv => kv.Value.ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal)).ToList();

    private static string Show(Dictionary<string, HashSet<string>> requirement) =>
        requirement.Count == 0
            ? "{}"
            : string.Join(" + ", requirement.Select(kv => kv.Value.Count == 0 ? kv.Key : $"{kv.Key}[{string.Join(", ", kv.Value.Order(StringComparer.Ordinal))}]"));
}
