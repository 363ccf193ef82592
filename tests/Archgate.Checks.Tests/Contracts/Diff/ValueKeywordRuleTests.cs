using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// multipleOf, uniqueItems, minProperties / maxProperties and not, which oasdiff does not compare: one pair per rule,
/// in a request body and a response body, where the side decides the level; their codes are 80-92 of AG23xx / AG24xx.
/// </summary>
public class ValueKeywordRuleTests
{
    private const string Obj = "{type: object}";

    private static readonly (string Kind, string Request, string Response, string Old, string New)[] Kinds =
    [
        ("multiple-of-set", "ERR", "INFO", "{type: number}", "{type: number, multipleOf: 0.01}"),
        ("multiple-of-unset", "INFO", "ERR", "{type: integer, multipleOf: 5}", "{type: integer}"),
        ("multiple-of-narrowed", "ERR", "INFO", "{type: integer, multipleOf: 5}", "{type: integer, multipleOf: 10}"),
        ("multiple-of-narrowed", "ERR", "INFO", "{type: integer, multipleOf: 4}", "{type: integer, multipleOf: 6}"),
        ("multiple-of-widened", "INFO", "ERR", "{type: integer, multipleOf: 10}", "{type: integer, multipleOf: 5}"),
        ("multiple-of-widened", "INFO", "ERR", "{type: number, multipleOf: 0.1}", "{type: number, multipleOf: 0.05}"),
        ("unique-items-set", "ERR", "INFO", "{type: array, items: {type: string}}", "{type: array, items: {type: string}, uniqueItems: true}"),
        ("unique-items-unset", "INFO", "ERR", "{type: array, items: {type: string}, uniqueItems: true}", "{type: array, items: {type: string}, uniqueItems: false}"),
        ("max-properties-decreased", "ERR", "INFO", "{type: object, maxProperties: 20}", "{type: object, maxProperties: 10}"),
        ("max-properties-decreased", "ERR", "INFO", Obj, "{type: object, maxProperties: 10}"),
        ("max-properties-increased", "INFO", "ERR", "{type: object, maxProperties: 10}", Obj),
        ("min-properties-increased", "ERR", "INFO", Obj, "{type: object, minProperties: 1}"),
        ("min-properties-decreased", "INFO", "ERR", "{type: object, minProperties: 2}", "{type: object, minProperties: 1}"),
        ("not-added", "ERR", "INFO", "{type: string}", "{type: string, not: {enum: ['']}}"),
        ("not-removed", "INFO", "ERR", "{type: string, not: {enum: ['']}}", "{type: string}"),
        ("not-changed", "WARN", "WARN", "{type: string, not: {enum: [a]}}", "{type: string, not: {enum: [b]}}"),
    ];

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var side in new[] { "request", "response" })
        {
            foreach (var kind in Kinds)
            {
                data.Add($"{side}-property-{kind.Kind}", side == "request" ? kind.Request : kind.Response, Document(side, kind.Old), Document(side, kind.New));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_rule_is_reported_at_the_body_root_with_the_level_of_its_side(string ruleId, string level, string oldYaml, string newYaml)
    {
        var report = await DiffAsync(oldYaml, newYaml);

        var change = Assert.Single(report.Changes, c => c.RuleId == ruleId);
        Assert.True(report.Changes.All(c => c == change || c.Level == ChangeLevel.Info), Show(report));
        Assert.Equal(level, change.Level.ToLabel());
        Assert.EndsWith(" application/json $", change.Location, StringComparison.Ordinal);
        Assert.Null(change.Alias); // oasdiff has no such rule
        var rule = DiffRules.All.Single(r => r.Id == ruleId);
        Assert.Matches(ruleId.StartsWith("request", StringComparison.Ordinal) ? "^AG23[89][0-9]$" : "^AG24[89][0-9]$", rule.Code);
    }

    [Fact]
    public async Task An_unchanged_not_or_multiple_of_is_no_change()
    {
        const string Schema = "{type: integer, multipleOf: 5, not: {enum: [0]}, uniqueItems: false}";

        var report = await DiffAsync(Document("request", Schema), Document("request", Schema));

        Assert.Empty(report.Changes);
    }

    [Fact]
    public void Every_rule_code_is_unique()
    {
        var duplicates = DiffRules.All.GroupBy(r => r.Code).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Empty(duplicates);
    }

    private static string Document(string side, string schema) => side == "request"
        ? Doc31($"/things:\n  post:\n    requestBody:\n      content:\n        application/json:\n          schema: {schema}\n    responses: {{'200': {{description: ok}}}}")
        : Doc31($"/things:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {schema}");
}
