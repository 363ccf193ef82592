using System.Text.Json;
using Microsoft.OpenApi;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Small OpenAPI documents written in the tests, loaded the way the checks load them.</summary>
internal static class ConformanceTestKit
{
    public static OpenApiDocument LoadDocument(string yaml)
    {
        var result = Archgate.Checks.Contracts.ContractDocumentLoader.ParseAsync(yaml, "test.yaml", Archgate.Checks.Contracts.Conformance.Nullable30.Mark, CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Document!;
    }

    public static IOpenApiSchema Schema(OpenApiDocument document, string name) => document.Components!.Schemas![name];

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
