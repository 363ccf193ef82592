using Archgate.Checks.Contracts.Diff;
using Microsoft.Extensions.Time.Testing;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// Deprecation with <c>x-sunset</c> and <c>x-stability-level</c>, judged on a fixed day (2026-06-01), and the rules
/// outside operations (webhooks, tags, components).
/// </summary>
public class LifecycleRuleTests
{
    private static readonly FakeTimeProvider Today = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private const string Get = "/orders:\n  get:\n    responses: {'200': {description: ok}}";

    private static string Orders(string extra, string parameter = "") =>
        "/orders:\n  get:\n" + (extra.Length == 0 ? "" : $"    {extra.Replace("\n", "\n    ", StringComparison.Ordinal)}\n")
        + (parameter.Length == 0 ? "" : $"    parameters:\n      - {parameter}\n")
        + "    responses: {'200': {description: ok}}\n  post:\n    responses: {'201': {description: made}}";

    private static string Param(string extra) => $"{{name: status, in: query, schema: {{type: string}}{extra}}}";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // Removal before, on and after the announced sunset date; a sunset that is not a date.
        { "api-removed-before-sunset", "ERR", Orders("deprecated: true\nx-sunset: '2026-12-31'"), "/orders:\n  post:\n    responses: {'201': {description: made}}" },
        { "api-removed-with-deprecation", "INFO", Orders("deprecated: true\nx-sunset: '2026-05-31'"), "/orders:\n  post:\n    responses: {'201': {description: made}}" },
        { "api-path-sunset-parse", "ERR", Orders("deprecated: true\nx-sunset: next spring"), "/orders:\n  post:\n    responses: {'201': {description: made}}" },
        { "api-path-removed-before-sunset", "ERR", "/legacy:\n  get:\n    deprecated: true\n    x-sunset: '2027-01-01'\n    responses: {'200': {description: ok}}\n" + Get, Get },
        // Deprecating, and changing the sunset of what stays deprecated.
        { "endpoint-deprecated-with-sunset", "INFO", Orders(""), Orders("deprecated: true\nx-sunset: '2026-12-31'") },
        { "api-deprecated-sunset-parse", "ERR", Orders(""), Orders("deprecated: true\nx-sunset: '31/12/2026'") },
        { "api-sunset-deleted", "ERR", Orders("deprecated: true\nx-sunset: '2026-12-31'"), Orders("deprecated: true") },
        { "api-sunset-date-changed-too-small", "ERR", Orders("deprecated: true\nx-sunset: '2026-12-31'"), Orders("deprecated: true\nx-sunset: '2026-07-01'") },
        // Stability.
        { "api-stability-decreased", "ERR", Orders("x-stability-level: stable"), Orders("x-stability-level: beta") },
        { "api-stability-decreased", "ERR", Orders(""), Orders("x-stability-level: alpha") },
        { "api-stability-increased", "INFO", Orders("x-stability-level: draft"), Orders("x-stability-level: beta") },
        { "api-invalid-stability-level", "ERR", Orders("x-stability-level: beta"), Orders("x-stability-level: gamma") },
        // Parameters.
        { "request-parameter-removed-before-sunset", "ERR", Orders("", Param(", deprecated: true, x-sunset: '2026-12-31'")), Orders("") },
        { "request-parameter-removed-with-deprecation", "INFO", Orders("", Param(", deprecated: true, x-sunset: '2026-01-31'")), Orders("") },
        { "request-parameter-sunset-parse", "ERR", Orders("", Param(", deprecated: true, x-sunset: soon")), Orders("") },
        { "request-parameter-sunset-deleted", "ERR", Orders("", Param(", deprecated: true, x-sunset: '2026-12-31'")), Orders("", Param(", deprecated: true")) },
        { "request-parameter-sunset-date-changed-too-small", "ERR", Orders("", Param(", deprecated: true, x-sunset: '2026-12-31'")), Orders("", Param(", deprecated: true, x-sunset: '2026-09-01'")) },
        { "request-parameter-reactivated", "INFO", Orders("", Param(", deprecated: true")), Orders("", Param("")) },
        // Tags.
        { "api-tag-added", "INFO", Orders(""), Orders("tags: [orders]") },
        { "api-tag-removed", "INFO", Orders("tags: [orders]"), Orders("") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_lifecycle_rule_is_reported_with_its_level_and_oasdiff_alias(string ruleId, string level, string oldPaths, string newPaths)
    {
        var report = await DiffAsync(Doc(oldPaths), Doc(newPaths), Today);

        var change = Assert.Single(report.Changes, c => c.RuleId == ruleId);
        Assert.True(report.Changes.All(c => c == change || c.Level == ChangeLevel.Info), Show(report));
        Assert.Equal(level, change.Level.ToLabel());
        Assert.NotNull(change.Alias);
        Assert.Equal(OasdiffCatalogue.Level(change.Alias), change.Level);
    }

    [Fact]
    public async Task The_same_removal_is_an_error_before_the_sunset_date_and_information_after_it()
    {
        var old = Doc(Orders("deprecated: true\nx-sunset: '2026-06-15'"));
        var removed = Doc("/orders:\n  post:\n    responses: {'201': {description: made}}");

        var before = await DiffAsync(old, removed, Today);
        var after = await DiffAsync(old, removed, new FakeTimeProvider(new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal("api-removed-before-sunset", Assert.Single(before.Changes).RuleId);
        Assert.Equal("api-removed-with-deprecation", Assert.Single(after.Changes).RuleId);
    }

    [Fact]
    public async Task Webhooks_added_and_removed_are_reported()
    {
        const string Hook = "    post:\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n      responses: {'200': {description: ok}}\n";
        string Doc(string hooks) => Doc31(Get).Replace("paths:\n", $"webhooks:\n{hooks}paths:\n", StringComparison.Ordinal);

        var report = await DiffAsync(Doc($"  orderPlaced:\n{Hook}"), Doc($"  orderShipped:\n{Hook}"));

        Assert.Equal(
            ["webhook-removed ERR webhook orderPlaced", "webhook-added INFO webhook orderShipped"],
            report.Changes.Select(c => $"{c.RuleId} {c.Level.ToLabel()} {c.Operation}"));
    }

    [Fact]
    public async Task A_status_added_carries_oasdiffs_success_or_non_success_alias()
    {
        var report = await DiffAsync(
            Doc("/orders:\n  get:\n    responses: {'200': {description: ok}}"),
            Doc("/orders:\n  get:\n    responses: {'200': {description: ok}, '202': {description: later}, '404': {description: nf}}"));

        Assert.Equal(["response-success-status-added", "response-non-success-status-added"], report.Changes.Select(c => c.Alias));
    }

    [Fact]
    public async Task A_media_type_that_loses_its_schema_is_a_warning_in_a_response()
    {
        var report = await DiffAsync(
            Doc("/orders:\n  get:\n    responses:\n      '200':\n        description: ok\n        content: {application/json: {schema: {type: object}}}"),
            Doc("/orders:\n  get:\n    responses:\n      '200':\n        description: ok\n        content: {application/json: {}}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal(("response-body-media-type-schema-removed", ChangeLevel.Warn), (change.RuleId, change.Level));
    }

    [Fact]
    public async Task Security_inherited_from_the_document_carries_oasdiffs_global_alias()
    {
        const string Schemes = "securitySchemes:\n  key: {type: apiKey, in: header, name: X-Key}";
        var open = Doc(Get, Schemes);
        var secured = open.Replace("paths:\n", "security: [{key: []}]\npaths:\n", StringComparison.Ordinal);

        var change = Assert.Single((await DiffAsync(open, secured)).Changes);

        Assert.Equal(("api-security-added", "api-global-security-added", ChangeLevel.Info), (change.RuleId, change.Alias, change.Level));
    }

    [Fact]
    public async Task Removed_component_schemas_and_security_schemes_are_information()
    {
        var old = Doc(Get, "schemas:\n  Unused: {type: object}\nsecuritySchemes:\n  key: {type: apiKey, in: header, name: X-Key}");
        var @new = Doc(Get, "securitySchemes:\n  key: {type: http, scheme: bearer}\n  oauth: {type: http, scheme: basic}");

        var report = await DiffAsync(old, @new);

        Assert.Equal(
            ["api-schema-removed", "api-security-component-type-changed", "api-security-component-added"],
            report.Changes.Select(c => c.RuleId));
        Assert.All(report.Changes, c => Assert.Equal(ChangeLevel.Info, c.Level));
    }
}
