using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Diff;
using Microsoft.OpenApi;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>Builds small documents from YAML snippets and compares them.</summary>
internal static class DiffTestKit
{
    public const string Header = """
        openapi: 3.0.3
        info: {title: shop, version: '1'}

        """;

    /// <summary>A 3.0 document whose <c>paths:</c> block is <paramref name="paths"/> (indented by two spaces).</summary>
    public static string Doc(string paths, string? components = null) =>
        Header + "paths:\n" + Indent(paths) + (components is null ? "" : "components:\n" + Indent(components));

    /// <summary>A 3.1 document (JSON Schema 2020-12 keywords) with two component schemas, A and B, to point at.</summary>
    public static string Doc31(string paths) =>
        Header.Replace("openapi: 3.0.3", "openapi: 3.1.0", StringComparison.Ordinal) + "paths:\n" + Indent(paths)
        + "components:\n  schemas:\n    A: {type: object, properties: {kind: {type: string}}}\n    B: {type: object, properties: {kind: {type: string}}}\n";

    public static async Task<OpenApiDocument> ParseAsync(string yaml, string name = "doc.yaml")
    {
        // As archgate diff reads documents: problems of validity are warnings, only an unparseable text fails.
        var result = await ContractDocumentLoader.ParseLenientAsync(yaml, name, CancellationToken.None);
        Assert.True(result.Succeeded, $"{name} did not load: {string.Join("; ", result.Errors)}\n{yaml}");
        return result.Document!;
    }

    public static async Task<DiffReport> DiffAsync(string oldYaml, string newYaml, TimeProvider? time = null) =>
        ContractDiff.Compare(await ParseAsync(oldYaml, "old.yaml"), await ParseAsync(newYaml, "new.yaml"), time);

    public static string Show(DiffReport report) =>
        report.Changes.Count == 0 ? "(no change)" : string.Join("\n", report.Changes.Select(c => $"{c.RuleId} {c.Level.ToLabel()} {c.Operation} | {c.Location} | {c.Message}"));

    private static string Indent(string text) =>
        string.Concat(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(line => line.Length == 0 ? "\n" : "  " + line + "\n"));
}
