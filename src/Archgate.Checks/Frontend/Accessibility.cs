using Archgate.Model;
using Archgate.Protocol;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Archgate.Checks.Frontend;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright, its script embedded in the package: nothing fetched) on a page as the browser
/// check left it: each serious or critical violation is a finding with its rule, impact, the elements' selectors and
/// the rule's help page; minor and moderate ones are counted in a summary.
/// </summary>
internal static class Accessibility
{
    /// <summary>At most this many elements are named per violation.</summary>
    private const int ListedNodes = 5;

    public static async Task<List<Finding>> JudgeAsync(IPage page, PageVisit visit, FrontendComponent frontend)
    {
        AxeResult result;
        try
        {
            result = await page.RunAxe();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            return [PageJudge.Make(FrontendRules.AccessibilitySummary, Severity.Info, frontend, visit, $"{visit.Label}: axe-core could not run: {Redact.Text(ex.Message.Split('\n')[0])}", null, null)];
        }

        return Judge(visit, frontend, result.TestEngine?.Version ?? "?", result.Passes?.Length ?? 0,
            [.. (result.Violations ?? []).Select(v => new Violation(v.Id, v.Impact ?? "minor", v.Help, v.HelpUrl,
                [.. (v.Nodes ?? []).Select(n => n.Target?.ToString() ?? n.Html ?? "?")]))]);
    }

    /// <summary>One axe-core violation: its rule, impact, help text and page, and the elements' selectors.</summary>
    internal sealed record Violation(string Id, string Impact, string Help, string HelpUrl, IReadOnlyList<string> Targets);

    /// <summary>The findings of one page's violations. Pure: tests give it violations without a browser.</summary>
    internal static List<Finding> Judge(PageVisit visit, FrontendComponent frontend, string version, int passed, IReadOnlyList<Violation> violations)
    {
        var findings = new List<Finding>();
        foreach (var v in violations.Where(v => v.Impact is "serious" or "critical"))
        {
            var targets = string.Join(", ", v.Targets.Take(ListedNodes)) + (v.Targets.Count > ListedNodes ? $" and {v.Targets.Count - ListedNodes} more" : string.Empty);
            findings.Add(PageJudge.Make(FrontendRules.AccessibilityViolation, v.Impact == "critical" ? Severity.High : Severity.Medium, frontend, visit,
                $"{visit.Label}: {v.Impact} accessibility violation {v.Id}: {v.Help} ({v.Targets.Count} element{(v.Targets.Count == 1 ? string.Empty : "s")})",
                $"{targets}; {v.HelpUrl}", $"see {v.HelpUrl}"));
        }

        var lesser = violations.Where(v => v.Impact is not ("serious" or "critical")).ToList();
        findings.Add(PageJudge.Make(FrontendRules.AccessibilitySummary, Severity.Info, frontend, visit,
            $"{visit.Label}: axe-core {version}: {passed} rules passed, {findings.Count} serious or critical violations, {lesser.Count} minor or moderate",
            lesser.Count == 0 ? null : string.Join("; ", lesser.Select(v => $"{v.Impact} {v.Id} ({v.Targets.Count})")), null));
        return findings;
    }
}
