using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// JSON Schema 2020-12 keywords, the discriminator, const and default (OpenAPI 3.1 documents): one pair per rule kind,
/// in a request body and a response body, where the side decides the level.
/// </summary>
public class KeywordRuleTests
{
    private const string Arr = "{type: array, items: {type: integer}}";
    private const string Obj = "{type: object, properties: {a: {type: string}, b: {type: string}}}";
    private const string Disc = "{oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}], discriminator: {propertyName: kind";

    /// <summary>id suffix (after request-property- / response-property-), request level, response level, old schema, new schema.</summary>
    private static readonly (string Kind, string Request, string Response, string Old, string New)[] Kinds =
    [
        ("const-added", "ERR", "INFO", "{type: string}", "{type: string, const: v1}"),
        ("const-removed", "INFO", "ERR", "{type: string, const: v1}", "{type: string}"),
        ("const-changed", "ERR", "ERR", "{type: string, const: v1}", "{type: string, const: v2}"),
        ("default-value-added", "INFO", "INFO", "{type: integer}", "{type: integer, default: 20}"),
        ("default-value-removed", "INFO", "INFO", "{type: integer, default: 20}", "{type: integer}"),
        ("default-value-changed", "INFO", "INFO", "{type: integer, default: 20}", "{type: integer, default: 50}"),
        ("all-of-added", "ERR", "INFO", "{allOf: [{type: object}]}", "{allOf: [{type: object}, {type: object, description: audited}]}"),
        ("all-of-removed", "WARN", "INFO", "{allOf: [{type: object}, {type: object, description: audited}]}", "{allOf: [{type: object}]}"),
        ("prefix-items-added", "INFO", "ERR", Arr, "{type: array, items: {type: integer}, prefixItems: [{type: integer}]}"),
        ("prefix-items-removed", "ERR", "INFO", "{type: array, items: {type: integer}, prefixItems: [{type: integer}]}", Arr),
        ("contains-added", "ERR", "INFO", Arr, "{type: array, items: {type: integer}, contains: {minimum: 1}}"),
        ("contains-removed", "INFO", "ERR", "{type: array, items: {type: integer}, contains: {minimum: 1}}", Arr),
        ("min-contains-increased", "ERR", "INFO", "{type: array, contains: {type: integer}, minContains: 1}", "{type: array, contains: {type: integer}, minContains: 2}"),
        ("min-contains-decreased", "INFO", "ERR", "{type: array, contains: {type: integer}, minContains: 2}", "{type: array, contains: {type: integer}, minContains: 1}"),
        ("max-contains-increased", "INFO", "ERR", "{type: array, contains: {type: integer}, maxContains: 3}", "{type: array, contains: {type: integer}, maxContains: 5}"),
        ("max-contains-decreased", "ERR", "INFO", "{type: array, contains: {type: integer}, maxContains: 5}", "{type: array, contains: {type: integer}, maxContains: 3}"),
        ("dependent-required-added", "ERR", "INFO", Obj, "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentRequired: {a: [b]}}"),
        ("dependent-required-removed", "INFO", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentRequired: {a: [b]}}", Obj),
        ("dependent-required-changed", "ERR", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentRequired: {a: [b]}}", "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentRequired: {a: [b, c]}}"),
        ("dependent-schema-added", "ERR", "INFO", Obj, "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentSchemas: {a: {minProperties: 2}}}"),
        ("dependent-schema-removed", "INFO", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, dependentSchemas: {a: {minProperties: 2}}}", Obj),
        ("pattern-property-added", "ERR", "INFO", Obj, "{type: object, properties: {a: {type: string}, b: {type: string}}, patternProperties: {'^x-': {type: string}}}"),
        ("pattern-property-removed", "INFO", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, patternProperties: {'^x-': {type: string}}}", Obj),
        ("property-names-added", "ERR", "INFO", Obj, "{type: object, properties: {a: {type: string}, b: {type: string}}, propertyNames: {pattern: '^[a-z]+$'}}"),
        ("property-names-removed", "INFO", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, propertyNames: {pattern: '^[a-z]+$'}}", Obj),
        ("unevaluated-items-added", "ERR", "INFO", Arr, "{type: array, items: {type: integer}, unevaluatedItems: false}"),
        ("unevaluated-items-removed", "INFO", "ERR", "{type: array, items: {type: integer}, unevaluatedItems: false}", Arr),
        ("unevaluated-properties-added", "ERR", "INFO", Obj, "{type: object, properties: {a: {type: string}, b: {type: string}}, unevaluatedProperties: {type: string}}"),
        ("unevaluated-properties-removed", "INFO", "ERR", "{type: object, properties: {a: {type: string}, b: {type: string}}, unevaluatedProperties: {type: string}}", Obj),
        ("content-schema-added", "ERR", "INFO", "{type: string, contentMediaType: application/json}", "{type: string, contentMediaType: application/json, contentSchema: {type: object}}"),
        ("content-schema-removed", "INFO", "ERR", "{type: string, contentMediaType: application/json, contentSchema: {type: object}}", "{type: string, contentMediaType: application/json}"),
        ("content-media-type-changed", "ERR", "ERR", "{type: string, contentMediaType: image/png}", "{type: string, contentMediaType: image/jpeg}"),
        ("content-encoding-changed", "ERR", "ERR", "{type: string, contentEncoding: base64}", "{type: string, contentEncoding: base32}"),
        ("discriminator-added", "INFO", "INFO", "{oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}", Disc + "}}"),
        ("discriminator-removed", "INFO", "INFO", Disc + "}}", "{oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}"),
        ("discriminator-property-name-changed", "INFO", "INFO", Disc + "}}", Disc.Replace("kind", "type", StringComparison.Ordinal) + "}}"),
        ("discriminator-mapping-added", "INFO", "INFO", Disc + ", mapping: {a: '#/components/schemas/A'}}}", Disc + ", mapping: {a: '#/components/schemas/A', b: '#/components/schemas/B'}}}"),
        ("discriminator-mapping-deleted", "INFO", "INFO", Disc + ", mapping: {a: '#/components/schemas/A', b: '#/components/schemas/B'}}}", Disc + ", mapping: {a: '#/components/schemas/A'}}}"),
        ("discriminator-mapping-changed", "INFO", "INFO", Disc + ", mapping: {a: '#/components/schemas/A'}}}", Disc + ", mapping: {a: '#/components/schemas/B'}}}"),
        ("if-added", "ERR", "INFO", "{type: object}", "{type: object, if: {required: [a]}}"),
        ("if-removed", "INFO", "ERR", "{type: object, if: {required: [a]}}", "{type: object}"),
        ("then-added", "ERR", "INFO", "{type: object}", "{type: object, then: {required: [a]}}"),
        ("then-removed", "INFO", "ERR", "{type: object, then: {required: [a]}}", "{type: object}"),
        ("else-added", "ERR", "INFO", "{type: object}", "{type: object, else: {required: [a]}}"),
        ("else-removed", "INFO", "ERR", "{type: object, else: {required: [a]}}", "{type: object}"),
    ];

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var side in new[] { "request", "response" })
        {
            foreach (var kind in Kinds)
            {
                var id = $"{side}-property-{kind.Kind}";
                data.Add(id, side == "request" ? kind.Request : kind.Response, Document(side, kind.Old), Document(side, kind.New));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_keyword_rule_is_reported_at_the_body_root_with_the_level_of_its_side_and_oasdiffs_body_alias(
        string ruleId, string level, string oldYaml, string newYaml)
    {
        var report = await DiffAsync(oldYaml, newYaml);

        var change = Assert.Single(report.Changes, c => c.RuleId == ruleId);
        Assert.True(report.Changes.All(c => c == change || c.Level == ChangeLevel.Info), Show(report));
        Assert.Equal(level, change.Level.ToLabel());
        Assert.EndsWith(" application/json $", change.Location, StringComparison.Ordinal);
        var side = ruleId.StartsWith("request", StringComparison.Ordinal) ? "request" : "response";
        Assert.Equal($"{side}-body-{ruleId[$"{side}-property-".Length..]}", change.Alias);
        Assert.Equal(OasdiffCatalogue.Level(change.Alias), change.Level);
    }

    [Fact]
    public async Task A_keyword_change_inside_a_property_carries_oasdiffs_property_alias()
    {
        var report = await DiffAsync(
            Document("response", "{type: object, properties: {tags: {type: array, contains: {type: string}}}}"),
            Document("response", "{type: object, properties: {tags: {type: array}}}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal(("response-property-contains-removed", "response-property-contains-removed", "response 200 application/json $.tags"), (change.RuleId, change.Alias, change.Location));
        Assert.Equal(ChangeLevel.Err, change.Level);
    }

    [Theory]
    [InlineData("{type: integer, default: 20}", "{type: integer, default: 50}", "request-parameter-default-value-changed")]
    [InlineData("{type: integer}", "{type: integer, default: 20}", "request-parameter-default-value-added")]
    [InlineData("{type: integer, default: 20}", "{type: integer}", "request-parameter-default-value-removed")]
    public async Task A_parameter_default_that_changes_is_an_error_as_in_oasdiff(string oldSchema, string newSchema, string ruleId)
    {
        string Doc(string schema) => Doc31($"/things:\n  get:\n    parameters:\n      - {{name: limit, in: query, schema: {schema}}}\n    responses: {{'200': {{description: ok}}}}");

        var change = Assert.Single((await DiffAsync(Doc(oldSchema), Doc(newSchema))).Changes);

        Assert.Equal((ruleId, ChangeLevel.Err, ruleId), (change.RuleId, change.Level, change.Alias));
    }

    [Theory]
    [InlineData("stable", "beta", "response-property-stability-decreased", ChangeLevel.Err)]
    [InlineData("alpha", "stable", "response-property-stability-increased", ChangeLevel.Info)]
    public async Task A_property_stability_level_that_goes_down_is_an_error(string before, string after, string ruleId, ChangeLevel level)
    {
        string Schema(string stability) => $"{{type: object, properties: {{p: {{type: string, x-stability-level: {stability}}}}}}}";

        var change = Assert.Single((await DiffAsync(Document("response", Schema(before)), Document("response", Schema(after)))).Changes);

        Assert.Equal((ruleId, level, "response 200 application/json $.p"), (change.RuleId, change.Level, change.Location));
    }

    [Theory]
    [InlineData("{type: object, properties: {q: {type: string}}}", "{type: object, required: [p], properties: {p: {type: integer, default: 1}, q: {type: string}}}", "new-required-request-property", "new-required-request-property-with-default")]
    [InlineData("{type: object, properties: {p: {type: integer, default: 1}}}", "{type: object, required: [p], properties: {p: {type: integer, default: 1}}}", "request-property-became-required", "request-property-became-required-with-default")]
    public async Task A_required_request_property_with_a_default_is_still_an_error_under_oasdiffs_with_default_name(string oldSchema, string newSchema, string ruleId, string alias)
    {
        var change = Assert.Single((await DiffAsync(Document("request", oldSchema), Document("request", newSchema))).Changes);

        Assert.Equal((ruleId, alias, ChangeLevel.Err), (change.RuleId, change.Alias, change.Level));
    }

    [Theory]
    [InlineData("request", "{type: object, properties: {p: {type: string}}}", "{type: object, properties: {p: {type: string, readOnly: true}}}", "request-property-became-read-only", "request-optional-property-became-read-only", ChangeLevel.Info)]
    [InlineData("response", "{type: object, required: [p], properties: {p: {type: string, writeOnly: true}}}", "{type: object, required: [p], properties: {p: {type: string}}}", "response-property-became-not-write-only", "response-required-property-became-not-write-only", ChangeLevel.Warn)]
    public async Task ReadOnly_and_writeOnly_switches_carry_oasdiffs_required_or_optional_name(string side, string oldSchema, string newSchema, string ruleId, string alias, ChangeLevel level)
    {
        var report = await DiffAsync(Document(side, oldSchema), Document(side, newSchema));

        var change = Assert.Single(report.Changes, c => c.RuleId == ruleId);
        Assert.Equal((alias, level), (change.Alias, change.Level));
        Assert.Equal(OasdiffCatalogue.Level(alias), change.Level);
    }

    private static string Document(string side, string schema) => side == "request"
        ? Doc31($"/things:\n  post:\n    requestBody:\n      content:\n        application/json:\n          schema: {schema}\n    responses: {{'200': {{description: ok}}}}")
        : Doc31($"/things:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {schema}");
}
