using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// One pair of schemas per schema rule kind, placed in each of the four places a schema can sit
/// (query parameter, request body, response body, response header); the side decides the level.
/// </summary>
public class SchemaRuleTests
{
    private const string Str = "{type: string}";

    /// <summary>id template, request level, response level, old schema, new schema, path of the change.</summary>
    private static readonly (string Id, string? Request, string? Response, string Old, string New, string Path)[] Kinds =
    [
        ("{side}-{noun}-type-changed", "ERR", "ERR", Str, "{type: boolean}", "$"),
        ("{side}-{noun}-type-widened", "INFO", "ERR", "{type: integer}", "{type: number}", "$"),
        ("{side}-{noun}-type-narrowed", "ERR", "INFO", "{type: number}", "{type: integer}", "$"),
        ("{side}-{noun}-format-changed", "ERR", "ERR", "{type: string, format: date}", "{type: string, format: date-time}", "$"),
        ("{side}-{noun}-format-added", "ERR", "INFO", Str, "{type: string, format: uuid}", "$"),
        ("{side}-{noun}-format-removed", "INFO", "ERR", "{type: string, format: uuid}", Str, "$"),
        ("{side}-{noun}-became-nullable", "INFO", "ERR", Str, "{type: string, nullable: true}", "$"),
        ("{side}-{noun}-became-not-nullable", "ERR", "INFO", "{type: string, nullable: true}", Str, "$"),
        ("{side}-{noun}-enum-value-removed", "ERR", "INFO", "{type: string, enum: [open, closed]}", "{type: string, enum: [open]}", "$"),
        ("{side}-{noun}-enum-value-added", "INFO", "WARN", "{type: string, enum: [open]}", "{type: string, enum: [open, closed]}", "$"),
        ("{side}-{noun}-became-enum", "ERR", "INFO", Str, "{type: string, enum: [open]}", "$"),
        ("{side}-{noun}-max-length-decreased", "ERR", "INFO", "{type: string, maxLength: 10}", "{type: string, maxLength: 5}", "$"),
        ("{side}-{noun}-max-length-increased", "INFO", "ERR", "{type: string, maxLength: 5}", "{type: string, maxLength: 10}", "$"),
        ("{side}-{noun}-max-length-set", "WARN", "INFO", Str, "{type: string, maxLength: 10}", "$"),
        ("{side}-{noun}-max-length-unset", "INFO", "ERR", "{type: string, maxLength: 10}", Str, "$"),
        ("{side}-{noun}-min-length-increased", "ERR", "INFO", "{type: string, minLength: 1}", "{type: string, minLength: 2}", "$"),
        ("{side}-{noun}-min-length-decreased", "INFO", "ERR", "{type: string, minLength: 2}", "{type: string, minLength: 1}", "$"),
        ("{side}-{noun}-max-decreased", "ERR", "INFO", "{type: integer, maximum: 100}", "{type: integer, maximum: 50}", "$"),
        ("{side}-{noun}-max-increased", "INFO", "ERR", "{type: integer, maximum: 50}", "{type: integer}", "$"),
        ("{side}-{noun}-max-set", "WARN", "INFO", "{type: integer}", "{type: integer, maximum: 100}", "$"),
        ("{side}-{noun}-min-increased", "ERR", "INFO", "{type: integer, minimum: 0}", "{type: integer, minimum: 1}", "$"),
        ("{side}-{noun}-min-set", "WARN", "INFO", "{type: integer}", "{type: integer, minimum: 1}", "$"),
        ("{side}-{noun}-min-decreased", "INFO", "ERR", "{type: integer, minimum: 1}", "{type: integer, minimum: 0}", "$"),
        ("{side}-{noun}-max-items-decreased", "ERR", "INFO", "{type: array, items: {type: string}}", "{type: array, items: {type: string}, maxItems: 20}", "$"),
        ("{side}-{noun}-max-items-increased", "INFO", "WARN", "{type: array, items: {type: string}, maxItems: 20}", "{type: array, items: {type: string}, maxItems: 50}", "$"),
        ("{side}-{noun}-min-items-increased", "ERR", "INFO", "{type: array, items: {type: string}, minItems: 1}", "{type: array, items: {type: string}, minItems: 2}", "$"),
        ("{side}-{noun}-min-items-set", "WARN", "INFO", "{type: array, items: {type: string}}", "{type: array, items: {type: string}, minItems: 1}", "$"),
        ("{side}-{noun}-min-items-decreased", "INFO", "ERR", "{type: array, items: {type: string}, minItems: 2}", "{type: array, items: {type: string}, minItems: 1}", "$"),
        ("{side}-{noun}-min-items-unset", "INFO", "ERR", "{type: array, items: {type: string}, minItems: 2}", "{type: array, items: {type: string}}", "$"),
        ("{side}-{noun}-pattern-added", "ERR", "INFO", Str, "{type: string, pattern: '^[a-z]+$'}", "$"),
        ("{side}-{noun}-pattern-changed", "WARN", "INFO", "{type: string, pattern: '^[a-z]+$'}", "{type: string, pattern: '^[a-z0-9]+$'}", "$"),
        ("{side}-{noun}-pattern-removed", "INFO", "INFO", "{type: string, pattern: '^[a-z]+$'}", Str, "$"),
        ("{side}-{noun}-additional-properties-disallowed", "ERR", "INFO", "{type: object}", "{type: object, additionalProperties: false}", "$"),
        ("{side}-{noun}-additional-properties-allowed", "INFO", "WARN", "{type: object, additionalProperties: false}", "{type: object}", "$"),
        ("{side}-{noun}-one-of-removed", "ERR", "INFO", "{oneOf: [{type: object, properties: {a: {type: string}}}, {type: object, properties: {b: {type: integer}}}]}", "{oneOf: [{type: object, properties: {a: {type: string}}}]}", "$"),
        ("{side}-{noun}-one-of-added", "INFO", "ERR", "{oneOf: [{type: object, properties: {a: {type: string}}}]}", "{oneOf: [{type: object, properties: {a: {type: string}}}, {type: object, properties: {b: {type: integer}}}]}", "$"),
        ("{side}-{noun}-any-of-removed", "ERR", "INFO", "{anyOf: [{type: object, properties: {a: {type: string}}}, {type: object, properties: {b: {type: integer}}}]}", "{anyOf: [{type: object, properties: {a: {type: string}}}]}", "$"),
        ("{side}-{noun}-any-of-added", "INFO", "INFO", "{anyOf: [{type: object, properties: {a: {type: string}}}]}", "{anyOf: [{type: object, properties: {a: {type: string}}}, {type: object, properties: {b: {type: integer}}}]}", "$"),
        ("{side}-{noun}-deprecated", "INFO", "INFO", "{type: object, properties: {p: {type: string}}}", "{type: object, properties: {p: {type: string, deprecated: true}}}", "$.p"),
        ("{side}-{noun}-reactivated", "INFO", "INFO", "{type: object, properties: {p: {type: string, deprecated: true}}}", "{type: object, properties: {p: {type: string}}}", "$.p"),
        ("{side}-{noun}-x-extensible-enum-value-removed", "ERR", "INFO", "{type: string, x-extensible-enum: [a, b]}", "{type: string, x-extensible-enum: [a]}", "$"),
        ("{side}-{noun}-x-extensible-enum-value-added", "INFO", "INFO", "{type: string, x-extensible-enum: [a]}", "{type: string, x-extensible-enum: [a, b]}", "$"),
        ("{side}-{noun}-type-changed", "ERR", "ERR", "{type: array, items: {type: string}}", "{type: array, items: {type: integer}}", "$[*]"),
        ("{side}-property-removed", "WARN", "ERR", "{type: object, required: [p], properties: {p: {type: string}}}", "{type: object, properties: {q: {type: integer}}}", "$.p"),
        ("{side}-optional-property-removed", null, "WARN", "{type: object, properties: {p: {type: string}, q: {type: string}}}", "{type: object, properties: {q: {type: string}}}", "$.p"),
        ("new-required-{side}-property", "ERR", "INFO", "{type: object, properties: {q: {type: string}}}", "{type: object, required: [p], properties: {p: {type: string}, q: {type: string}}}", "$.p"),
        ("new-optional-{side}-property", "INFO", "INFO", "{type: object, properties: {q: {type: string}}}", "{type: object, properties: {p: {type: string}, q: {type: string}}}", "$.p"),
        ("{side}-property-became-required", "ERR", "INFO", "{type: object, properties: {p: {type: string}}}", "{type: object, required: [p], properties: {p: {type: string}}}", "$.p"),
        ("{side}-property-became-optional", "INFO", "ERR", "{type: object, required: [p], properties: {p: {type: string}}}", "{type: object, properties: {p: {type: string}}}", "$.p"),
    ];

    private static readonly string[] Places = ["query parameter", "request body", "response body", "response header"];

    public static TheoryData<string, string, string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string, string, string>();
        foreach (var place in Places)
        {
            var (side, noun, where) = place switch
            {
                "query parameter" => ("request", "parameter", "parameter query:q"),
                "request body" => ("request", "property", "request body application/json"),
                "response body" => ("response", "property", "response 200 application/json"),
                _ => ("response", "header", "response 200 header X-H"),
            };
            foreach (var kind in Kinds)
            {
                var level = side == "request" ? kind.Request : kind.Response;
                if (level is null)
                {
                    continue;
                }

                var id = kind.Id.Replace("{side}", side, StringComparison.Ordinal).Replace("{noun}", noun, StringComparison.Ordinal);
                var bodyPlace = place is "request body" or "response body";
                var location = bodyPlace || kind.Path != "$" ? $"{where} {kind.Path}" : where;
                data.Add(place, id, level, location, Document(place, kind.Old), Document(place, kind.New));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_schema_rule_is_reported_once_in_each_place_with_the_level_of_its_side(
        string place, string ruleId, string level, string location, string oldYaml, string newYaml)
    {
        var report = await DiffAsync(oldYaml, newYaml);

        Assert.True(report.Changes.Count(c => c.RuleId == ruleId) == 1 && report.Changes.All(c => c.RuleId == ruleId || c.Level == ChangeLevel.Info), $"{place}:\n{Show(report)}");
        var change = report.Changes.Single(c => c.RuleId == ruleId);
        Assert.Equal(level, change.Level.ToLabel());
        Assert.Equal("POST /things", change.Operation);
        Assert.Equal(location, change.Location);
        Assert.Contains(DiffRules.All, r => r.Id == ruleId && r.Code == change.Code && r.Level == change.Level);
        Assert.True(change.Alias is null || OasdiffCatalogue.Has(change.Alias), $"{change.Alias} is not an oasdiff rule");
    }

    /// <summary>A document whose schema at <paramref name="place"/> is <paramref name="schema"/>, and plain strings elsewhere.</summary>
    internal static string Document(string place, string schema)
    {
        string At(string p) => p == place ? schema : Str;
        return Doc($"""
            /things:
              post:
                parameters:
                  - name: q
                    in: query
                    schema: {At("query parameter")}
                requestBody:
                  content:
                    application/json:
                      schema: {At("request body")}
                responses:
                  '200':
                    description: ok
                    headers:
                      X-H:
                        schema: {At("response header")}
                    content:
                      application/json:
                        schema: {At("response body")}
            """);
    }
}
