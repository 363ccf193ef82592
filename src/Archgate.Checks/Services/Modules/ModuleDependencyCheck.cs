using System.Text;
using System.Text.RegularExpressions;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services.Modules;

/// <summary>
/// Step 4 for a modular monolith: its compiled module assemblies reference only the modules the manifest allows
/// (AG4041), without cycles (AG4042); and, when a startup log is declared, every module initialized after the modules
/// it references (AG4044-AG4046). The monolith's service-to-service integration is between its modules.
/// </summary>
internal sealed class ModuleDependencyCheck(ServiceComponent component) : ICheck
{
    private ModularMonolith Modules => component.Modules!;

    public string Id => $"services.modules:{component.Name}";

    public int Step => 4;

    public string Title => $"{component.Name}: module dependencies as declared";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var declared = Modules.Allowed.Select(a => a.Key).ToList();
        var allowed = Modules.Allowed.ToDictionary(a => a.Key, a => a.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        context.Activity?.Report($"reading {declared.Count} module assemblies in {Modules.AssemblyFolder}");
        var graph = ModuleGraph.Read(Modules.AssemblyFolder, declared);
        var findings = new List<Finding>();
        foreach (var (module, why) in graph.Missing)
        {
            findings.Add(Finding(ServiceRules.ModuleAssemblyMissing, Severity.High, module, $"module {module} of {component.Name} has no readable assembly: {why}", null,
                "build the component first, and point modules.assemblies at the folder holding its MODULE.dll files"));
        }

        foreach (var (module, references) in graph.References.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            foreach (var reference in references.Where(r => !allowed[module].Contains(r)))
            {
                findings.Add(Finding(ServiceRules.ForbiddenModuleDependency, Severity.High, module,
                    $"module {module} references {reference}, which it may not depend on (allowed: {(allowed[module].Count == 0 ? "none" : string.Join(", ", allowed[module].Order(StringComparer.Ordinal)))})",
                    $"{module}.dll AssemblyRef {reference}",
                    $"remove the reference (talk to {reference} through a module it may depend on, or an event), or allow it in modules.allow.{module}"));
            }
        }

        foreach (var cycle in graph.Cycles())
        {
            findings.Add(Finding(ServiceRules.ModuleCycle, Severity.High, cycle[0], $"modules of {component.Name} depend on each other in a cycle: {string.Join(" → ", cycle)}",
                null, "break the cycle: move what both need into a module both may depend on"));
        }

        if (Modules.Startup is { } startup)
        {
            findings.AddRange(InitOrder(startup, graph, declared, context));
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent(ServiceRules.ModuleDependenciesMetric, component.Name, graph.References.Values.Sum(r => r.Count), "count"),
        };
        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.ModulesAsDeclared, Severity.Info, component.Name,
                $"{declared.Count} modules of {component.Name} reference only what they may, without cycles" + (Modules.Startup is null ? string.Empty : ", and initialize in dependency order"),
                Describe(graph), null));
        }

        return Task.FromResult(CheckResult.From(findings, metrics));
    }

    private IEnumerable<Finding> InitOrder(StartupLog startup, ModuleGraph graph, List<string> declared, CheckContext context)
    {
        var path = startup.Log ?? Path.GetFullPath(Path.Combine(context.OutputDirectory, "..", "..", "logs", $"{component.Name}.log"));
        string[] lines;
        string? unreadable = null;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            lines = [];
            unreadable = ex.Message;
        }

        if (unreadable is not null)
        {
            yield return Finding(ServiceRules.StartupLogMissing, Severity.Medium, path, $"{component.Name}'s startup log cannot be read: {unreadable}", null,
                startup.Log is null ? "the default log is the one Archgate writes when it starts the component (run --up); otherwise name it in modules.startup.log" : "check modules.startup.log");
            yield break;
        }

        var pattern = new Regex(startup.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        var order = new List<string>();
        foreach (var line in lines)
        {
            var match = pattern.Match(line);
            if (match.Success && match.Groups["module"].Value is { Length: > 0 } module && !order.Contains(module))
            {
                order.Add(module);
            }
        }

        var evidence = "initialization order: " + string.Join(", ", order);
        foreach (var module in declared.Where(d => !order.Contains(d)))
        {
            yield return Finding(ServiceRules.ModuleNotInitialized, Severity.Medium, module, $"module {module} of {component.Name} never logged its initialization", evidence,
                "does the module log a line matching modules.startup.pattern when it initializes?");
        }

        foreach (var (module, references) in graph.References)
        {
            var at = order.IndexOf(module);
            foreach (var dependency in references.Where(r => at >= 0 && order.IndexOf(r) > at))
            {
                yield return Finding(ServiceRules.InitOrderViolated, Severity.High, module,
                    $"module {module} initialized before {dependency}, which it depends on", evidence,
                    $"initialize {dependency} first (register modules in dependency order, or let the container resolve the order)");
            }
        }
    }

    private static string Describe(ModuleGraph graph)
    {
        var text = new StringBuilder();
        foreach (var (module, references) in graph.References.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(module).Append(" → ").AppendLine(references.Count == 0 ? "(none)" : string.Join(", ", references));
        }

        return text.ToString();
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, component.Name, location, message, evidence, hint);
}
