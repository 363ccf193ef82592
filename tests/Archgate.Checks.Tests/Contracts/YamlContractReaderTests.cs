using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Microsoft.OpenApi;

namespace Archgate.Checks.Tests.Contracts;

/// <summary>YAML contracts and the YAML files their <c>$ref</c>s name, read as YAML 1.2 reads them.</summary>
public sealed class YamlContractReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-yaml-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_url_with_a_port_in_a_flow_mapping_is_a_plain_scalar()
    {
        var path = Write("a.yaml", "openapi: 3.0.3\ninfo: { title: t, version: \"1\" }\nservers: [ { url: http://127.0.0.1:7710 } ]\npaths: {}\n");

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("http://127.0.0.1:7710", Assert.Single(result.Document!.Servers!).Url);
    }

    [Fact]
    public async Task The_diff_reads_the_same_document()
    {
        var result = await ContractDocumentLoader.ParseLenientAsync(
            "openapi: 3.0.3\ninfo: { title: t, version: \"1\" }\nservers: [ { url: http://127.0.0.1:7710 } ]\npaths: {}\n", "a.yaml", CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal("http://127.0.0.1:7710", Assert.Single(result.Document!.Servers!).Url);
    }

    [Fact]
    public async Task A_date_like_version_stays_a_string()
    {
        var path = Write("a.yaml", "openapi: 3.0.3\ninfo:\n  title: t\n  version: 2024-01-01\npaths: {}\n");

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("2024-01-01", result.Document!.Info.Version);
    }

    [Fact]
    public async Task An_unquoted_response_code_is_a_response_key()
    {
        var path = Write("a.yaml", """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /x:
                get:
                  responses:
                    200:
                      description: ok
                    404: {description: missing}
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var responses = result.Document!.Paths["/x"].Operations![HttpMethod.Get].Responses!;
        Assert.Equal(["200", "404"], responses.Keys);
        Assert.Equal("missing", responses["404"].Description);
    }

    [Fact]
    public async Task Anchors_block_text_booleans_nulls_and_extensions_keep_their_meaning()
    {
        var path = Write("a.yaml", """
            openapi: 3.0.3
            info:
              title: t
              version: '1'
              description: |
                Line one: with a colon.
                Line two.
              x-audience: {public: true, owner: ~, url: http://docs:8080/x}
            paths: {}
            components:
              schemas:
                Money: &money
                  type: object
                  nullable: true
                  properties:
                    amount: {type: number, minimum: 0.5}
                Price: *money
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var document = result.Document!;
        Assert.Equal("Line one: with a colon.\nLine two.\n", document.Info.Description);
        var schemas = document.Components!.Schemas!;
        Assert.Equal("0.5", schemas["Price"].Properties!["amount"].Minimum);
        Assert.Equal(JsonSchemaType.Object | JsonSchemaType.Null, schemas["Price"].Type);
        var extension = Assert.IsType<JsonNodeExtension>(document.Info.Extensions!["x-audience"]).Node;
        Assert.True(extension["public"]!.GetValue<bool>());
        Assert.Null(extension["owner"]);
        Assert.Equal("http://docs:8080/x", extension["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_referenced_yaml_file_is_read_as_yaml_12()
    {
        Write("common.yaml", """
            openapi: 3.0.3
            info: {title: common, version: '1'}
            paths: {}
            components:
              schemas:
                Link: {type: object, description: see http://127.0.0.1:7710/x, properties: {href: {type: string}}}
            """);
        var path = Write("api.yaml", """
            openapi: 3.0.3
            info: {title: shop, version: '1'}
            paths:
              /link:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: './common.yaml#/components/schemas/Link'}
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var schema = result.Document!.Paths["/link"].Operations![HttpMethod.Get].Responses!["200"].Content!["application/json"].Schema!;
        Assert.Equal("see http://127.0.0.1:7710/x", schema.Description);
        Assert.Equal(JsonSchemaType.String, schema.Properties!["href"].Type);
    }

    [Fact]
    public async Task Invalid_yaml_in_a_referenced_file_names_that_file_and_one_one_based_position()
    {
        var common = Write("common.yaml", "openapi: 3.0.3\ninfo: {title: common, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Link: {type: [\n");
        var path = Write("api.yaml", """
            openapi: 3.0.3
            info: {title: shop, version: '1'}
            paths:
              /link:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: './common.yaml#/components/schemas/Link'}
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Message.Contains("not valid YAML", StringComparison.Ordinal));
        Assert.Contains($"{common} is not valid YAML at line 7, column 1: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Lin:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_yaml_is_reported_once_at_its_one_based_line_and_column()
    {
        var path = Write("a.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x: {get: [}\n");

        var error = Assert.Single((await ContractDocumentLoader.LoadAsync(path, CancellationToken.None)).Errors);

        Assert.Equal((4, 14), (error.Line, error.Column));
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Lin", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
