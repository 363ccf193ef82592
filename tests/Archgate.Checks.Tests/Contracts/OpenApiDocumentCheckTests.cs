using Archgate.Checks.Contracts;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts;

public sealed class OpenApiDocumentCheckTests
{
    private static async Task<CheckResult> RunAsync(string fileName, string document)
    {
        var dir = Directory.CreateTempSubdirectory("archgate-openapi-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, fileName), document);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1", openapi: {{fileName}} }
            """, dir);
        using var http = new HttpClient();
        return await new OpenApiDocumentCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_valid_31_yaml_document_passes_and_counts_its_operations()
    {
        var result = await RunAsync("api.yaml", """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /items:
                get:
                  responses:
                    "200": { description: ok }
                post:
                  responses:
                    "201": { description: created }
            """);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(2, result.Metrics.Single(m => m.Name == "openapi_operations").Value);
    }

    [Fact]
    public async Task A_valid_30_json_document_passes()
    {
        var result = await RunAsync("api.json", """
            {"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}
            """);

        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public async Task A_reference_to_nothing_fails_with_its_line_and_column()
    {
        var result = await RunAsync("api.yaml", """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /items:
                get:
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema:
                            $ref: "#/components/schemas/Missing"
            """);

        Assert.True(CheckStatus.Fail == result.Status, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Location} {f.Message}")));
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG2001", finding.Rule);
        Assert.Equal("$ref '#/components/schemas/Missing' points at nothing", finding.Message);
        Assert.Equal("api.yaml:12:23", finding.Location);
    }

    [Fact]
    public async Task A_document_that_is_not_openapi_fails()
    {
        var result = await RunAsync("api.yaml", "hello: world\n");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == "AG2001");
    }
}
