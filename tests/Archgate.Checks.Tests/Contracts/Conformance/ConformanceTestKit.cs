using System.Text.Json;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Small OpenAPI documents written in the tests, loaded the way the checks load them.</summary>
internal static class ConformanceTestKit
{
    public static OpenApiDocument LoadDocument(string yaml)
    {
        var result = Archgate.Checks.Contracts.ContractDocumentLoader.ParseAsync(yaml, "test.yaml", CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Archgate.Checks.Contracts.Conformance.Nullable30.Apply(yaml, result.Document!);
        return result.Document!;
    }

    public static IOpenApiSchema Schema(OpenApiDocument document, string name) => document.Components!.Schemas![name];

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Runs the conformance check of a one-service system against <paramref name="server"/>.</summary>
    /// <param name="openApi">The document.</param>
    /// <param name="server">The service.</param>
    /// <param name="component">More keys of the component, indented by four spaces (<c>    auth: ...</c>).</param>
    /// <param name="openApiKeys">More keys of its <c>openapi</c> mapping (<c>, conformance: { timeout: 1s }</c>).</param>
    public static Task<CheckResult> RunCheckAsync(string openApi, ScriptedHttpServer server, string component = "", string openApiKeys = "") =>
        RunCheckAsync(openApi, server.Port, component, openApiKeys);

    /// <summary>Runs the conformance check of a one-service system against the service on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<CheckResult> RunCheckAsync(string openApi, int port, string component = "", string openApiKeys = "")
    {
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, openApi);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{port}}
                openapi: { path: {{contract}}{{openApiKeys}} }
            {{component}}
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    /// <summary>Every finding, one line each, then every request the server received: the message of a failed assertion.</summary>
    public static string Dump(CheckResult result, ScriptedHttpServer server) =>
        string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} | {f.Message}"))
        + "\n--\n" + string.Join("\n", server.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));

    /// <summary>Query parameters (or a form body), each name with all its values.</summary>
    public static Dictionary<string, string[]> Form(string text)
    {
        var parsed = System.Web.HttpUtility.ParseQueryString(text);
        return parsed.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => parsed.GetValues(k) ?? [], StringComparer.Ordinal);
    }

    /// <summary>The query of a received request, parsed.</summary>
    public static Dictionary<string, string[]> Query(Received request) =>
        Form(request.PathAndQuery.Contains('?', StringComparison.Ordinal) ? request.PathAndQuery[(request.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..] : "");

    /// <summary>An RFC 7807 problem reply.</summary>
    public static Reply Problem(int status, string title) =>
        new(status, JsonSerializer.Serialize(new { type = "about:blank", title, status }), "application/problem+json");
}
