using Archgate.Checks.Contracts;
using Microsoft.OpenApi;

namespace Archgate.Checks.Tests.Contracts;

public sealed class ContractDocumentLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-loader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Dev_zero_is_refused_without_reading_it()
    {
        var result = await ContractDocumentLoader.LoadAsync("/dev/zero", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded);
        Assert.Contains("not a regular file (a character device)", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo
        }

        var fifo = Path.Combine(_folder, "api.yaml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var load = Task.Run(() => ContractDocumentLoader.LoadAsync(fifo, CancellationToken.None));

        var result = await load.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("not a regular file (a FIFO)", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api.json")]
    [InlineData("api.yaml")]
    public async Task Nesting_a_hundred_thousand_deep_is_an_error_not_a_crash(string name)
    {
        var path = Write(name, "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"paths\": {}, \"x-deep\": " + new string('[', 100_000) + new string(']', 100_000) + "}");

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task A_yaml_document_with_a_reference_to_a_file_next_to_it_loads_resolved()
    {
        Write("common.yaml", """
            openapi: 3.0.3
            info: {title: common, version: '1'}
            paths: {}
            components:
              schemas:
                Money: {type: object, required: [amount], properties: {amount: {type: number}}}
            """);
        var path = Write("api.yaml", """
            openapi: 3.0.3
            info: {title: shop, version: '1'}
            paths:
              /total:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: './common.yaml#/components/schemas/Money'}
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var schema = result.Document!.Paths["/total"].Operations![HttpMethod.Get].Responses!["200"].Content!["application/json"].Schema!;
        Assert.Equal(JsonSchemaType.Number, schema.Properties!["amount"].Type);
    }

    [Fact]
    public async Task A_json_31_document_loads()
    {
        var path = Write("api.json", """
            { "openapi": "3.1.0", "info": { "title": "shop", "version": "1" },
              "paths": { "/x": { "get": { "responses": { "200": { "description": "ok" } } } } } }
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Single(result.Document!.Paths);
    }

    [Fact]
    public async Task A_yaml_syntax_error_is_reported_with_file_line_and_column()
    {
        var path = Write("broken.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: [\n");

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        var error = Assert.Single(result.Errors);
        Assert.Null(result.Document);
        Assert.Equal(6, error.Line);
        Assert.StartsWith($"{path}:6:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comma_in_a_flow_mapping_value_is_reported_where_the_stray_key_is_and_names_it_whole()
    {
        // ex11: YAML reads the text after the comma as a key of its own; the reader's complaint was placed at 1:1.
        var path = Write("comma.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /health:\n    get:\n      responses:\n        '200': {description: ok (degraded, not fatal) when slow}\n");

        var error = Assert.Single((await ContractDocumentLoader.LoadAsync(path, CancellationToken.None)).Errors);

        Assert.StartsWith($"{path}:7:", error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("'not fatal) when slow' is not a valid property", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_syntax_error_is_reported_with_its_line()
    {
        var path = Write("broken.json", "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\" \"version\": \"1\"}\n}\n");

        var error = Assert.Single((await ContractDocumentLoader.LoadAsync(path, CancellationToken.None)).Errors);

        Assert.Equal(3, error.Line);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_document_reports_every_error_at_the_line_of_the_offending_field()
    {
        var path = Write("invalid.yaml", """
            openapi: 3.0.3
            info:
              title: shop
            paths:
              /x:
                get:
                  responses: {}
            """);

        var result = await ContractDocumentLoader.LoadAsync(path, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.JsonPointer == "#/info/version" && e.Line == 2);
        Assert.Contains(result.Errors, e => e.JsonPointer.EndsWith("/responses", StringComparison.Ordinal) && e.Line == 7);
    }

    [Fact]
    public async Task A_reference_to_a_missing_file_is_reported_where_the_ref_is()
    {
        var path = Write("api.yaml", """
            openapi: 3.0.3
            info: {title: shop, version: '1'}
            paths:
              /total:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: './nowhere.yaml#/components/schemas/Money'}
            """);

        var error = Assert.Single((await ContractDocumentLoader.LoadAsync(path, CancellationToken.None)).Errors);

        Assert.Equal(11, error.Line);
        Assert.Contains("nowhere.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_an_error_not_an_exception()
    {
        var result = await ContractDocumentLoader.LoadAsync(Path.Combine(_folder, "absent.yaml"), CancellationToken.None);

        Assert.Equal("file not found", Assert.Single(result.Errors).Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
