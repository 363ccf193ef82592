using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// Compares the effective security of one operation. The requirements are alternatives (any one suffices);
/// the schemes inside one requirement are all needed, each with its scopes.
/// </summary>
internal sealed class SecurityComparer(ChangeSink sink, string operation)
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
            sink.Add(DiffRules.SecurityAdded, operation, Where, $"security {text} was added; the operation was open", null, text);
            return;
        }

        if (newRequirements.Count == 0 || newRequirements.Any(r => r.Count == 0))
        {
            if (oldRequirements.All(r => r.Count > 0))
            {
                sink.Add(DiffRules.SecurityRemoved, operation, Where, "the operation no longer requires security", string.Join(" or ", oldRequirements.Select(Show)), null);
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
                sink.Add(DiffRules.SecurityAdded, operation, $"{Where} {addedSchemes}", $"security scheme {addedSchemes} was added to the requirement {Show(oldRequirement)}", Show(oldRequirement), Show(stricter));
                CompareScopes(oldRequirement, stricter);
                continue;
            }

            sink.Add(DiffRules.SecurityRequirementRemoved, operation, $"{Where} {string.Join(", ", oldRequirement.Keys)}", $"security requirement {Show(oldRequirement)} was removed", Show(oldRequirement), null);
        }

        foreach (var requirement in unmatched)
        {
            sink.Add(DiffRules.SecurityRequirementAdded, operation, $"{Where} {string.Join(", ", requirement.Keys)}", $"alternative security requirement {Show(requirement)} was added", null, Show(requirement));
        }
    }

    private void CompareScopes(Dictionary<string, HashSet<string>> o, Dictionary<string, HashSet<string>> n)
    {
        foreach (var (scheme, oldScopes) in o)
        {
            var newScopes = n[scheme];
            foreach (var scope in newScopes.Except(oldScopes).Order(StringComparer.Ordinal))
            {
                sink.Add(DiffRules.SecurityScopeAdded, operation, $"{Where} {scheme}", $"scope {scope} was added to security scheme {scheme}", null, scope);
            }

            foreach (var scope in oldScopes.Except(newScopes).Order(StringComparer.Ordinal))
            {
                sink.Add(DiffRules.SecurityScopeRemoved, operation, $"{Where} {scheme}", $"scope {scope} was removed from security scheme {scheme}", scope, null);
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
