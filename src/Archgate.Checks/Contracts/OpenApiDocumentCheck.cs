using System.Diagnostics;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Step 2: a service's OpenAPI document (3.0 or 3.1, JSON or YAML, <c>$ref</c>s across files) loads without
/// errors; each error is a finding at its file, line and column.
/// </summary>
internal sealed class OpenApiDocumentCheck(HttpComponent component, ContractDocuments? documents = null) : ICheck
{
    private readonly ContractDocuments _documents = documents ?? new ContractDocuments();

    public string Id => $"contracts.openapi:{component.Name}";

    public int Step => 2;

    public string Title => $"OpenAPI document of {component.Name} is valid";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var spec = component.OpenApi!;
        var display = Path.GetRelativePath(context.System.BaseDirectory, spec.Path);
        context.Activity?.Report($"reading {display}");
        var watch = Stopwatch.StartNew();
        var loaded = await _documents.LoadAsync(spec.Path, cancellationToken);
        var elapsed = watch.Elapsed;

        var findings = loaded.Errors.Select(e => Findings.Create(ContractRules.DocumentInvalid, Severity.High,
            component: component.Name,
            location: Where(display, e),
            message: e.Message,
            evidence: e.JsonPointer.Length > 0 ? e.JsonPointer : null,
            hint: "fix the document so that it is valid OpenAPI 3.0 or 3.1; consumers and conformance checks rely on it")).Concat(loaded.Warnings.Select(w => Findings.Create(ContractRules.DocumentWarning, Severity.Low,
            component: component.Name,
            location: Where(display, w),
            message: w.Message))).ToList();

        var operations = loaded.Document?.Paths?.Sum(p => p.Value.Operations?.Count ?? 0) ?? 0;
        var metrics = new List<Metric>
        {
            Metric.ForComponent("openapi_operations", component.Name, operations, "count"),
            Metric.ForComponent("openapi_load_time", component.Name, elapsed.TotalMilliseconds, "ms"),
        };
        return CheckResult.From(findings, metrics);
    }

    private static string Where(string file, ContractLoadError e) =>
        e.Line is { } line ? $"{file}:{line}:{e.Column ?? 1}" : file;
}
