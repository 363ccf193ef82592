using System.Text;
using Archgate.Model;

namespace Archgate.Planning;

/// <summary>Renders an <see cref="IntegrationPlan"/> as <c>integration-plan.md</c>.</summary>
public static class PlanWriter
{
    /// <summary>The plan as Markdown.</summary>
    public static string ToMarkdown(IntegrationPlan plan)
    {
        var system = plan.System;
        var md = new StringBuilder();
        md.AppendLine($"# Integration plan: {system.Name}").AppendLine();
        md.AppendLine("## Scope").AppendLine();
        var counts = Enum.GetValues<ComponentKind>()
            .Select(k => (Kind: k, Count: system.OfKind(k).Count()))
            .Where(k => k.Count > 0)
            .Select(k => $"{k.Count} {KindName(k.Kind)}{(k.Count == 1 ? string.Empty : "s")}");
        md.AppendLine($"{system.Components.Count} components ({string.Join(", ", counts)}), {plan.Points.Count} integration points, {plan.Waves.Count} integration waves.");
        if (system.Owners.Count > 0)
        {
            md.AppendLine().AppendLine($"Owners: {string.Join(", ", system.Owners.Select(o => $"{o.Key} {o.Value}"))}.");
        }

        md.AppendLine().AppendLine("## Components").AppendLine();
        md.AppendLine("| component | kind | owner | depends on | contract | health | critical |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var c in system.Components)
        {
            var contract = c.OpenApi is null ? "-" : Path.GetFileName(c.OpenApi.Path);
            md.AppendLine($"| {c.Name} | {KindName(c.Kind)} | {c.Owner ?? "-"} | {Join(c.DependsOn)} | {contract} | {c.HealthPath ?? "-"} | {(c.Critical ? "yes" : "no")} |");
        }

        md.AppendLine().AppendLine("## Data flow").AppendLine();
        md.AppendLine("```mermaid").AppendLine("flowchart LR");
        foreach (var c in system.Components)
        {
            md.AppendLine($"  {Id(c.Name)}{Shape(c)}");
        }

        foreach (var p in plan.Points)
        {
            md.AppendLine($"  {Id(p.From)} -->|{PointName(p.Kind)}| {Id(p.To)}");
        }

        md.AppendLine("```");

        md.AppendLine().AppendLine("## Integration points").AppendLine();
        if (plan.Points.Count == 0)
        {
            md.AppendLine("None: no component depends on another.");
        }
        else
        {
            md.AppendLine("| from | to | kind | detail |").AppendLine("|---|---|---|---|");
            foreach (var p in plan.Points)
            {
                md.AppendLine($"| {p.From} | {p.To} | {PointName(p.Kind)} | {p.Detail} |");
            }
        }

        md.AppendLine().AppendLine("## Integration sequence").AppendLine();
        md.AppendLine("Each wave starts when everything it depends on is integrated and healthy. Within a wave, the component with the longest chain of dependants goes first.").AppendLine();
        foreach (var wave in plan.Waves)
        {
            var names = string.Join(", ", wave.Select(p => $"{p.Component.Name} ({KindName(p.Component.Kind)})"));
            md.AppendLine($"{wave[0].Wave}. {names}");
        }

        md.AppendLine().AppendLine("## Risks").AppendLine();
        if (plan.Risks.Count == 0)
        {
            md.AppendLine("None found.");
        }
        else
        {
            md.AppendLine("| rule | severity | component | risk | mitigation |").AppendLine("|---|---|---|---|---|");
            foreach (var r in plan.Risks)
            {
                md.AppendLine($"| {r.Rule} | {r.Severity.ToString().ToLowerInvariant()} | {r.Component} | {r.Message} | {r.Hint} |");
            }
        }

        // Paths and URLs come from the manifest: a secret in a query string ('/health?api_key=...') is masked.
        return Printable.EscapeLines(Redact.Url(md.ToString()));
    }

    /// <summary>The manifest's spelling of a kind.</summary>
    public static string KindName(ComponentKind kind) => kind switch
    {
        ComponentKind.ThirdParty => "third-party",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);

    private static string Id(string name) => new(name.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());

    private static string Shape(Component c) => c.Kind switch
    {
        ComponentKind.Database => $"[(\"{c.Name}\")]",
        ComponentKind.Frontend => $"[/\"{c.Name}\"/]",
        ComponentKind.ThirdParty => $"{{{{\"{c.Name}\"}}}}",
        ComponentKind.Broker => $"[[\"{c.Name}\"]]",
        _ => $"[\"{c.Name}\"]",
    };

    private static string PointName(IntegrationPointKind kind) => kind switch
    {
        IntegrationPointKind.ThirdParty => "third-party",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
