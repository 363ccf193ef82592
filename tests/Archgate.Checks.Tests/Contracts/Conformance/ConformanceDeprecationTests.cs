using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// A deprecated operation must say so in its answers, where its clients see it (ex13's v1 twin of a v2 read):
/// <c>Deprecation</c> (RFC 9745) and, with the contract's <c>x-sunset</c>, <c>Sunset</c> (RFC 8594) on that day.
/// </summary>
public sealed class ConformanceDeprecationTests
{
    private const string Rooms = """
        openapi: 3.0.3
        info: { title: rooms, version: "2" }
        paths:
          /v1/rooms:
            get:
              deprecated: true
              x-sunset: "2027-06-30"
              responses:
                '200': { description: ok, content: { application/json: { schema: { type: array, items: { type: string } } } } }
          /v2/rooms:
            get:
              responses:
                '200': { description: ok, content: { application/json: { schema: { type: array, items: { type: string } } } } }
        """;

    private static Func<Received, Reply> Service(IReadOnlyDictionary<string, string>? v1Headers) => request =>
        request.Method != "GET" ? new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" })
        : request.PathAndQuery.StartsWith("/v1/rooms", StringComparison.Ordinal) ? new Reply(200, "[\"a\"]", Headers: v1Headers)
        : request.PathAndQuery.StartsWith("/v2/rooms", StringComparison.Ordinal) ? new Reply(200, "[\"a\"]")
        : new Reply(404, null);

    [Fact]
    public async Task A_deprecated_operation_that_announces_its_deprecation_and_sunset_passes()
    {
        using var server = new ScriptedHttpServer(Service(new Dictionary<string, string>
        {
            ["Deprecation"] = "@1767225600",
            ["Sunset"] = "Wed, 30 Jun 2027 00:00:00 GMT",
        }));

        var result = await RunCheckAsync(Rooms, server);

        Assert.DoesNotContain(result.Findings, f => f.Rule == ConformanceRules.DeprecationUnannounced);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Theory]
    [InlineData(null, "Wed, 30 Jun 2027 00:00:00 GMT", "the operation is deprecated in the contract, but the answer has no Deprecation header (RFC 9745)")]
    [InlineData("true", "Wed, 30 Jun 2027 00:00:00 GMT", "the Deprecation header is 'true', not a date in RFC 9745's form")]
    [InlineData("@1767225600", null, "the contract's x-sunset says the operation goes on 2027-06-30, but the answer has no Sunset header (RFC 8594)")]
    [InlineData("@1767225600", "Thu, 31 Dec 2026 00:00:00 GMT", "the Sunset header says Thu, 31 Dec 2026 00:00:00 GMT, but the contract's x-sunset says 2027-06-30")]
    [InlineData("@1767225600", "2027-06-30", "the Sunset header '2027-06-30' is no HTTP-date")]
    public async Task A_deprecated_operation_that_does_not_say_so_is_a_low_finding_on_it_alone(string? deprecation, string? sunset, string expected)
    {
        var headers = new Dictionary<string, string>();
        if (deprecation is not null)
        {
            headers["Deprecation"] = deprecation;
        }

        if (sunset is not null)
        {
            headers["Sunset"] = sunset;
        }

        using var server = new ScriptedHttpServer(Service(headers));

        var result = await RunCheckAsync(Rooms, server);

        var finding = Assert.Single(result.Findings, f => f.Rule == ConformanceRules.DeprecationUnannounced);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.StartsWith("GET /v1/rooms answered 200: " + expected, finding.Message, StringComparison.Ordinal);
        Assert.Contains("RFC 9745", finding.Hint, StringComparison.Ordinal);
        Assert.NotEqual(CheckStatus.Fail, result.Status); // advice, not a broken contract
    }
}
