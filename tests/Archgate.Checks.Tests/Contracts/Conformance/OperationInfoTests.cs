using Archgate.Checks.Contracts.Conformance;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Which operations the contract lets a caller into without credentials, as OpenAPI reads <c>security</c>.</summary>
public sealed class OperationInfoTests
{
    private static Dictionary<string, OperationInfo> Operations(string documentSecurity, string items) =>
        OperationInfo.All(LoadDocument($$"""
            openapi: 3.0.3
            info: { title: t, version: "1" }
            {{documentSecurity}}
            paths:
              /items:
            {{items}}
            components:
              securitySchemes:
                bearer: { type: http, scheme: bearer }
                key: { type: apiKey, in: header, name: X-Api-Key }
            """)).ToDictionary(o => o.Method);

    [Fact]
    public void An_operations_own_security_overrides_the_documents_and_an_empty_requirement_lets_anyone_in()
    {
        var operations = Operations("security: [ { bearer: [] } ]", """
                get: { security: [], responses: { '200': { description: ok } } }
                head: { security: [ {} ], responses: { '200': { description: ok } } }
                options: { security: [ {}, { bearer: [] } ], responses: { '200': { description: ok } } }
                post: { responses: { '201': { description: ok } } }
                put: { security: [ { key: [] }, { bearer: [] } ], responses: { '200': { description: ok } } }
        """);

        Assert.True(operations["GET"].AllowsAnonymous);
        Assert.True(operations["HEAD"].AllowsAnonymous);
        Assert.True(operations["OPTIONS"].AllowsAnonymous);
        Assert.True(operations["OPTIONS"].Secured); // optional authentication: credentials go with it, none are needed
        Assert.False(operations["POST"].AllowsAnonymous);
        Assert.False(operations["PUT"].AllowsAnonymous);
    }

    [Fact]
    public void Without_a_requirement_anywhere_or_with_an_empty_one_in_the_document_every_operation_is_public()
    {
        var none = Operations("", """
                get: { responses: { '200': { description: ok } } }
                post: { security: [ { bearer: [] } ], responses: { '201': { description: ok } } }
        """);
        var optional = Operations("security: [ {}, { bearer: [] } ]", """
                get: { responses: { '200': { description: ok } } }
        """);

        Assert.True(none["GET"].AllowsAnonymous);
        Assert.False(none["POST"].AllowsAnonymous);
        Assert.True(optional["GET"].AllowsAnonymous);
    }
}
