using Archgate.Checks.Contracts.Pact;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>Builds pacts and verifies them against a real provider on 127.0.0.1.</summary>
internal static class PactTestKit
{
    /// <summary>A v3 pact with one GET interaction expecting <paramref name="body"/> under <paramref name="bodyRules"/>.</summary>
    public static string V3(string body, string bodyRules = "{}", string extraResponse = "") => $$"""
        {
          "consumer": { "name": "web" }, "provider": { "name": "api" },
          "interactions": [ {
            "description": "get the thing",
            "request": { "method": "GET", "path": "/thing" },
            "response": { "status": 200, "body": {{body}}, "matchingRules": { "body": {{bodyRules}} } {{extraResponse}} }
          } ],
          "metadata": { "pactSpecification": { "version": "3.0.0" } }
        }
        """;

    /// <summary>One matcher on <c>$.v</c>.</summary>
    public static string OneMatcher(string expectedValue, string matcher) =>
        V3($$"""{ "v": {{expectedValue}} }""", $$"""{ "$.v": { "matchers": [ {{matcher}} ] } }""");

    /// <summary>The expected response of a one-interaction pact whose response is <paramref name="responseJson"/>.</summary>
    public static PactResponse Expect(string responseJson, string version = "3.0.0")
    {
        var v4 = version.StartsWith('4');
        var pact = $$"""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { {{(v4 ? "\"type\": \"Synchronous/HTTP\"," : string.Empty)}} "description": "d",
                "request": { "method": "GET", "path": "/" }, "response": {{responseJson}} } ],
              "metadata": { "pactSpecification": { "version": "{{version}}" } } }
            """;
        return Parse(pact).Interactions[0].Response;
    }

    /// <summary>A received response from header lines and a body.</summary>
    public static ActualResponse Actual(byte[] body, params (string Name, string Value)[] headers) =>
        ActualResponse.From(200, headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)), body);

    /// <summary>A received response with a UTF-8 body.</summary>
    public static ActualResponse Actual(string body, params (string Name, string Value)[] headers) =>
        Actual(System.Text.Encoding.UTF8.GetBytes(body), headers);

    /// <summary>The failures (not the warnings) of matching, as the verifier prints them.</summary>
    public static List<string> Failures(PactResponse expected, ActualResponse actual) =>
        ResponseMatcher.Match(expected, actual).Where(m => !m.IsWarning).Select(m => m.ToString()).ToList();

    public static PactDocument Parse(string json)
    {
        var read = PactReader.Read(json);
        Assert.True(read.Document is not null, string.Join("\n", read.Errors));
        return read.Document!;
    }

    public static async Task<IReadOnlyList<InteractionResult>> VerifyAsync(string pactJson, Uri provider, PactSettings? settings = null)
    {
        using var http = ProbeHttp.CreateClient(TargetPolicy.LoopbackHosts);
        var verifier = new PactVerifier(http, provider, settings ?? new PactSettings());
        return await verifier.VerifyAsync(Parse(pactJson), null, CancellationToken.None);
    }

    /// <summary>Serves <paramref name="actualBody"/> and verifies the pact; the mismatches as the verifier prints them.</summary>
    public static async Task<IReadOnlyList<string>> MismatchesAsync(string pactJson, string actualBody)
    {
        using var server = PactProviderServer.Answering(actualBody);
        var results = await VerifyAsync(pactJson, server.Url);
        return results.SelectMany(r => r.Mismatches).Select(m => m.ToString()).ToList();
    }
}
