using System.Diagnostics;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;

namespace Archgate.Checks.Contracts;

/// <summary>Step 2: a service's OpenAPI document (3.0 or 3.1, JSON or YAML) loads and parses without errors.</summary>
internal sealed class OpenApiDocumentCheck(Component component) : ICheck
{
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
        var text = await File.ReadAllTextAsync(spec.Path, cancellationToken);
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var format = spec.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "json" : "yaml";
        ReadResult read;
        try
        {
            read = OpenApiDocument.Parse(text, format, settings);
        }
#pragma warning disable CA1031 // Any reader failure is a finding about the document, not a bug of the check.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return CheckResult.From([Invalid(display, 1, 1, ex.Message)]);
        }

        var findings = new List<Finding>();
        foreach (var error in read.Diagnostic?.Errors ?? [])
        {
            var (line, column) = YamlPointer.Locate(text, error.Pointer);
            findings.Add(Invalid(display, line, column, error.Message, error.Pointer));
        }

        var unresolved = YamlPointer.UnresolvedReferences(text);
        foreach (var (reference, line, column) in unresolved)
        {
            findings.Add(new Finding
            {
                Rule = ContractRules.UnresolvedReference,
                Severity = Severity.High,
                Component = component.Name,
                Location = $"{display}:{line}:{column}",
                Message = $"$ref '{reference}' points at nothing",
                Hint = "define the referenced component or fix the reference; responses using it cannot be validated",
            });
        }

        foreach (var warning in read.Diagnostic?.Warnings ?? [])
        {
            var (line, column) = YamlPointer.Locate(text, warning.Pointer);
            if (unresolved.Any(u => u.Line == line))
            {
                continue; // the same broken reference, already reported as AG2003
            }

            findings.Add(new Finding
            {
                Rule = ContractRules.DocumentWarning,
                Severity = Severity.Low,
                Component = component.Name,
                Location = $"{display}:{line}:{column}",
                Message = warning.Message,
            });
        }

        if (read.Document is null && findings.Count == 0)
        {
            findings.Add(Invalid(display, 1, 1, "the document could not be read"));
        }

        var operations = read.Document?.Paths?.Sum(p => p.Value.Operations?.Count ?? 0) ?? 0;
        var metrics = new List<Metric>
        {
            Metric.ForComponent("openapi_operations", component.Name, operations, "count"),
            Metric.ForComponent("openapi_load_time", component.Name, watch.Elapsed.TotalMilliseconds, "ms"),
        };
        return CheckResult.From(findings, metrics);
    }

    private Finding Invalid(string file, int line, int column, string message, string? pointer = null) => new()
    {
        Rule = ContractRules.DocumentInvalid,
        Severity = Severity.High,
        Component = component.Name,
        Location = $"{file}:{line}:{column}",
        Message = message,
        Evidence = pointer,
        Hint = "fix the document so that it is valid OpenAPI 3.0 or 3.1; consumers and conformance checks rely on it",
    };
}
