using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>One small pair of documents per path, operation, parameter, body, response and security rule.</summary>
public class OperationRuleTests
{
    private const string Get = """
        /orders:
          get:
            responses:
              '200': {description: ok}
        """;

    private const string GetAndDelete = """
        /orders:
          get:
            responses:
              '200': {description: ok}
          delete:
            responses:
              '204': {description: gone}
        """;

    private const string OAuth = """
        securitySchemes:
          oauth:
            type: oauth2
            flows: {clientCredentials: {tokenUrl: 'https://auth.example/token', scopes: {read: r, write: w}}}
          key:
            type: apiKey
            in: header
            name: X-Key
        """;

    public static TheoryData<string, string, string, string, string, string> Cases => new()
    {
        {
            "api-path-removed-without-deprecation", "ERR", "GET /legacy", "path",
            Doc(Get + "\n/legacy:\n  get:\n    responses: {'200': {description: ok}}"), Doc(Get)
        },
        {
            "api-path-removed-with-deprecation", "INFO", "GET /legacy", "path",
            Doc(Get + "\n/legacy:\n  get:\n    deprecated: true\n    responses: {'200': {description: ok}}"), Doc(Get)
        },
        { "api-removed-without-deprecation", "ERR", "DELETE /orders", "operation", Doc(GetAndDelete), Doc(Get) },
        {
            "api-removed-with-deprecation", "INFO", "DELETE /orders", "operation",
            Doc(GetAndDelete.Replace("delete:\n", "delete:\n    deprecated: true\n", StringComparison.Ordinal)), Doc(Get)
        },
        { "api-path-added", "INFO", "GET /new", "path", Doc(Get), Doc(Get + "\n/new:\n  get:\n    responses: {'200': {description: ok}}") },
        { "endpoint-added", "INFO", "DELETE /orders", "operation", Doc(Get), Doc(GetAndDelete) },
        { "endpoint-deprecated", "INFO", "GET /orders", "operation", Doc(Get), Doc(Get.Replace("get:\n", "get:\n    deprecated: true\n", StringComparison.Ordinal)) },
        { "endpoint-reactivated", "INFO", "GET /orders", "operation", Doc(Get.Replace("get:\n", "get:\n    deprecated: true\n", StringComparison.Ordinal)), Doc(Get) },
        { "api-operation-id-changed", "WARN", "GET /orders", "operationId", Doc(Op("operationId: listOrders")), Doc(Op("operationId: getOrders")) },
        { "api-operation-id-added", "INFO", "GET /orders", "operationId", Doc(Op("")), Doc(Op("operationId: listOrders")) },
        {
            "api-path-parameter-renamed", "INFO", "GET /orders/{orderId}", "path",
            Doc(PathOp("/orders/{id}", "id")), Doc(PathOp("/orders/{orderId}", "orderId"))
        },

        { "new-required-request-parameter", "ERR", "GET /orders", "parameter query:status", Doc(Op("")), Doc(Op(Param("status", "query", required: true))) },
        { "new-optional-request-parameter", "INFO", "GET /orders", "parameter query:status", Doc(Op("")), Doc(Op(Param("status", "query"))) },
        { "request-parameter-removed", "WARN", "GET /orders", "parameter query:status", Doc(Op(Param("status", "query"))), Doc(Op("")) },
        {
            "request-parameter-removed-with-deprecation", "INFO", "GET /orders", "parameter query:status",
            Doc(Op(Param("status", "query", extra: "deprecated: true"))), Doc(Op(""))
        },
        { "request-parameter-became-required", "ERR", "GET /orders", "parameter query:status", Doc(Op(Param("status", "query"))), Doc(Op(Param("status", "query", required: true))) },
        { "request-parameter-became-optional", "INFO", "GET /orders", "parameter query:status", Doc(Op(Param("status", "query", required: true))), Doc(Op(Param("status", "query"))) },
        { "request-parameter-location-changed", "ERR", "GET /orders", "parameter query:status", Doc(Op(Param("status", "query"))), Doc(Op(Param("status", "header"))) },
        {
            "request-parameter-style-changed", "WARN", "GET /orders", "parameter query:ids",
            Doc(Op(Param("ids", "query", schema: "{type: array, items: {type: string}}"))),
            Doc(Op(Param("ids", "query", schema: "{type: array, items: {type: string}}", extra: "style: pipeDelimited")))
        },
        {
            "request-parameter-deprecated", "INFO", "GET /orders", "parameter query:status",
            Doc(Op(Param("status", "query"))), Doc(Op(Param("status", "query", extra: "deprecated: true")))
        },

        { "request-body-added-required", "ERR", "GET /orders", "request body", Doc(Op("")), Doc(Op(Body(required: true))) },
        { "request-body-added-optional", "INFO", "GET /orders", "request body", Doc(Op("")), Doc(Op(Body(required: false))) },
        { "request-body-removed", "ERR", "GET /orders", "request body", Doc(Op(Body(required: false))), Doc(Op("")) },
        { "request-body-became-required", "ERR", "GET /orders", "request body", Doc(Op(Body(required: false))), Doc(Op(Body(required: true))) },
        { "request-body-became-optional", "INFO", "GET /orders", "request body", Doc(Op(Body(required: true))), Doc(Op(Body(required: false))) },
        {
            "request-body-media-type-removed", "ERR", "GET /orders", "request body application/xml",
            Doc(Op(Body(required: true, mediaTypes: ["application/json", "application/xml"]))), Doc(Op(Body(required: true)))
        },
        {
            "request-body-media-type-added", "INFO", "GET /orders", "request body application/xml",
            Doc(Op(Body(required: true))), Doc(Op(Body(required: true, mediaTypes: ["application/json", "application/xml"])))
        },

        { "response-success-status-removed", "ERR", "GET /orders", "response 201", Doc(Responses("'200': {description: ok}\n'201': {description: made}")), Doc(Responses("'200': {description: ok}")) },
        { "response-non-success-status-removed", "INFO", "GET /orders", "response 404", Doc(Responses("'200': {description: ok}\n'404': {description: nf}")), Doc(Responses("'200': {description: ok}")) },
        { "response-status-added", "INFO", "GET /orders", "response 404", Doc(Responses("'200': {description: ok}")), Doc(Responses("'200': {description: ok}\n'404': {description: nf}")) },
        {
            "response-media-type-removed", "ERR", "GET /orders", "response 200 text/csv",
            Doc(Responses(Content("application/json", "text/csv"))), Doc(Responses(Content("application/json")))
        },
        {
            "response-media-type-added", "INFO", "GET /orders", "response 200 text/csv",
            Doc(Responses(Content("application/json"))), Doc(Responses(Content("application/json", "text/csv")))
        },
        {
            "response-required-header-removed", "ERR", "GET /orders", "response 200 header X-Rate",
            Doc(Responses(WithHeader("required: true"))), Doc(Responses("'200': {description: ok}"))
        },
        {
            "response-optional-header-removed", "WARN", "GET /orders", "response 200 header X-Rate",
            Doc(Responses(WithHeader(""))), Doc(Responses("'200': {description: ok}"))
        },
        {
            "response-header-became-optional", "ERR", "GET /orders", "response 200 header X-Rate",
            Doc(Responses(WithHeader("required: true"))), Doc(Responses(WithHeader("")))
        },
        { "response-header-added", "INFO", "GET /orders", "response 200 header X-Rate", Doc(Responses("'200': {description: ok}")), Doc(Responses(WithHeader(""))) },
        {
            "response-header-deprecated", "INFO", "GET /orders", "response 200 header X-Rate",
            Doc(Responses(WithHeader(""))), Doc(Responses(WithHeader("deprecated: true")))
        },

        { "api-security-added", "INFO", "GET /orders", "security", Doc(Op(""), OAuth), Doc(Op("security: [{oauth: [read]}]"), OAuth) },
        { "api-security-added", "INFO", "GET /orders", "security key", Doc(Op("security: [{oauth: [read]}]"), OAuth), Doc(Op("security: [{oauth: [read], key: []}]"), OAuth) },
        { "api-security-scope-added", "INFO", "GET /orders", "security oauth", Doc(Op("security: [{oauth: [read]}]"), OAuth), Doc(Op("security: [{oauth: [read, write]}]"), OAuth) },
        { "api-security-scope-removed", "INFO", "GET /orders", "security oauth", Doc(Op("security: [{oauth: [read, write]}]"), OAuth), Doc(Op("security: [{oauth: [read]}]"), OAuth) },
        { "api-security-requirement-removed", "INFO", "GET /orders", "security key", Doc(Op("security: [{oauth: [read]}, {key: []}]"), OAuth), Doc(Op("security: [{oauth: [read]}]"), OAuth) },
        { "api-security-requirement-added", "INFO", "GET /orders", "security key", Doc(Op("security: [{oauth: [read]}]"), OAuth), Doc(Op("security: [{oauth: [read]}, {key: []}]"), OAuth) },
        { "api-security-removed", "INFO", "GET /orders", "security", Doc(Op("security: [{oauth: [read]}]"), OAuth), Doc(Op("security: []"), OAuth) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_rule_is_reported_once_with_its_id_level_operation_and_location(
        string ruleId, string level, string operation, string location, string oldYaml, string newYaml)
    {
        var report = await DiffAsync(oldYaml, newYaml);

        var change = Assert.Single(report.Changes, c => c.RuleId == ruleId);
        Assert.True(report.Changes.Count == 1, Show(report));
        Assert.Equal(level, change.Level.ToLabel());
        Assert.Equal(operation, change.Operation);
        Assert.Equal(location, change.Location);
        Assert.Equal(DiffRules.All.Single(r => r.Id == ruleId).Code, change.Code);
    }

    [Fact]
    public async Task Security_declared_for_the_whole_document_applies_to_each_operation()
    {
        var open = Doc(Op(""), OAuth);
        var secured = Doc(Op(""), OAuth).Replace("paths:\n", "security: [{key: []}]\npaths:\n", StringComparison.Ordinal);

        var report = await DiffAsync(open, secured);

        var change = Assert.Single(report.Changes);
        Assert.Equal(("api-security-added", "GET /orders"), (change.RuleId, change.Operation));
    }

    [Fact]
    public async Task A_parameter_declared_on_the_path_item_counts_for_every_operation()
    {
        var old = Doc("/orders:\n  get:\n    responses: {'200': {description: ok}}");
        var @new = Doc("/orders:\n  parameters:\n    - {name: tenant, in: header, required: true, schema: {type: string}}\n  get:\n    responses: {'200': {description: ok}}");

        var report = await DiffAsync(old, @new);

        var change = Assert.Single(report.Changes);
        Assert.Equal(("new-required-request-parameter", "parameter header:tenant"), (change.RuleId, change.Location));
        Assert.Equal("new-required-request-default-parameter-to-existing-path", change.Alias);
    }

    private static string Op(string body) =>
        "/orders:\n  get:\n" + (body.Length == 0 ? "" : Indent(body, 4)) + "    responses:\n      '200': {description: ok}";

    private static string PathOp(string path, string name) =>
        $"{path}:\n  get:\n    parameters:\n      - {{name: {name}, in: path, required: true, schema: {{type: string}}}}\n    responses: {{'200': {{description: ok}}}}";

    private static string Responses(string responses) => "/orders:\n  get:\n    responses:\n" + Indent(responses, 6);

    private static string Param(string name, string location, bool required = false, string schema = "{type: string}", string extra = "") =>
        $"parameters:\n  - name: {name}\n    in: {location}\n    required: {(required ? "true" : "false")}\n    schema: {schema}\n" + (extra.Length == 0 ? "" : $"    {extra}\n");

    private static string Body(bool required, string[]? mediaTypes = null) =>
        $"requestBody:\n  required: {(required ? "true" : "false")}\n  content:\n"
        + string.Concat((mediaTypes ?? ["application/json"]).Select(m => $"    {m}:\n      schema: {{type: object}}\n"));

    private static string Content(params string[] mediaTypes) =>
        "'200':\n  description: ok\n  content:\n" + string.Concat(mediaTypes.Select(m => $"    {m}:\n      schema: {{type: string}}\n"));

    private static string WithHeader(string extra) =>
        "'200':\n  description: ok\n  headers:\n    X-Rate:\n      schema: {type: integer}\n" + (extra.Length == 0 ? "" : $"      {extra}\n");

    private static string Indent(string text, int spaces) =>
        string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', spaces) + l + "\n"));
}
