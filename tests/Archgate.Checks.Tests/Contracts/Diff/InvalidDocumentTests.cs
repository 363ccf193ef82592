using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// The diff reads what the reader can parse, as oasdiff does: problems of validity are warnings, the comparison
/// still runs; the document check (strict loading) keeps them as errors.
/// </summary>
public class InvalidDocumentTests
{
    /// <summary>One document with each problem the issue names: its old and new version differ by one removed property.</summary>
    private static string Invalid(string orderProperties) => $$"""
        openapi: 3.0.3
        info: {title: sloppy, version: '1'}
        paths:
          /empty:
            get:
              responses: {}
          /unknown:
            get:
              x-ok: fine
              colour: blue
              responses:
                '200': {description: ok}
          /undescribed:
            get:
              responses:
                '200':
                  content:
                    application/json:
                      schema: {type: string}
          /not-a-map:
            get:
              responses: []
          /orders/{id}:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id]
                        properties: {{orderProperties}}
          /pets:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        oneOf: [{$ref: '#/components/schemas/Cat'}]
                        discriminator: {propertyName: petType}
        components:
          schemas:
            Cat:
              type: object
              properties:
                petType: {type: string}
        """;

    [Fact]
    public async Task A_document_with_validity_problems_is_diffed_and_its_problems_become_warnings()
    {
        var old = await ContractDocumentLoader.ParseLenientAsync(Invalid("{id: {type: string}, total: {type: number}}"), "old.yaml", CancellationToken.None);
        var @new = await ContractDocumentLoader.ParseLenientAsync(Invalid("{id: {type: string}}"), "new.yaml", CancellationToken.None);

        Assert.True(old.Succeeded && @new.Succeeded, string.Join("\n", old.Errors));
        Assert.Contains(old.Warnings, w => w.Message.Contains("at least one response", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(old.Warnings, w => w.Message.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(old.Warnings, w => w.Message.Contains("description", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(old.Warnings, w => w.Message.Contains("map/object", StringComparison.Ordinal));
        var change = Assert.Single(ContractDiff.Compare(old.Document!, @new.Document!).Changes, c => c.Level == ChangeLevel.Warn);
        Assert.Equal(("response-optional-property-removed", "GET /orders/{id}"), (change.RuleId, change.Operation));
    }

    [Fact]
    public async Task The_strict_loader_of_the_document_check_still_calls_the_same_problems_errors()
    {
        var strict = await ContractDocumentLoader.ParseAsync(Invalid("{id: {type: string}}"), "doc.yaml", CancellationToken.None);

        Assert.False(strict.Succeeded);
        Assert.Contains(strict.Errors, e => e.Message.Contains("colour", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("openapi: 3.0.3\npaths: [\n")]
    [InlineData("{\"openapi\": \"3.0.3\", \"paths\": ")]
    [InlineData("just: a yaml map\n")]
    public async Task Only_a_text_that_cannot_be_parsed_as_an_OpenAPI_document_is_an_error(string text)
    {
        var result = await ContractDocumentLoader.ParseLenientAsync(text, "broken.yaml", CancellationToken.None);

        Assert.Null(result.Document);
        Assert.NotEmpty(result.Errors);
    }
}
