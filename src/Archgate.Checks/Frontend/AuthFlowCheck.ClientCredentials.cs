using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5's auth flow of a machine-to-machine service, whose identity is a client credentials grant (RFC 6749, 4.4)
/// and which has no login: the genuine grant answers a bearer token (5.1) that caches may not keep (<c>no-store</c>), a
/// wrong client secret is refused as <c>invalid_client</c> and an unknown grant type as <c>unsupported_grant_type</c>
/// (5.2), and the token opens a secured GET of the contract that refuses the same call without it. Five requests when
/// the first secured GET opens.
/// </summary>
internal sealed partial class AuthFlowCheck
{
    /// <summary>The grant type no token endpoint knows, for the unknown grant probe.</summary>
    private const string UnknownGrant = "urn:archgate:unknown-grant";

    private async Task<CheckResult> ClientCredentialsFlowAsync(CheckContext context, ClientCredentialsAuth client, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        var where = client.At is { } at ? context.System.Find<HttpComponent>(at) : service;
        var location = client.Endpoint;
        if (where?.Url is null)
        {
            findings.Add(Finding(FrontendRules.ClientGrantFailed, Severity.Critical, location, $"the token endpoint is at '{client.At}', which has no url", null,
                "name a component with a url in the identity's 'at'"));
            return Result(findings, null);
        }

        var tokenUrl = ApiCall.Resolve(where.Url, client.Token.Path);
        var secrets = new List<string>(client.Secrets);
        var genuine = await GrantAsync(context.Http, client, tokenUrl, "client_credentials", cancellationToken);
        var access = genuine.Ok ? TokenSource.ReadToken(genuine.Body, "$.access_token") : null;
        if (access is null)
        {
            findings.Add(Finding(FrontendRules.ClientGrantFailed, Severity.Critical, location,
                genuine.Ok ? $"the client credentials grant of '{client.Label}' (client '{client.ClientId}') answered {genuine.Status} without an access_token"
                    : $"the client credentials grant of '{client.Label}' (client '{client.ClientId}') failed: {genuine.Summary}{TokenSource.OAuthError(genuine.Body)}",
                Mask(genuine.Evidence(), secrets), "check the client id and secret in the manifest's auth, and that the service is up; the token answer carries access_token (RFC 6749, 5.1)"));
            return Result(findings, genuine.Failure?.Transient == true ? genuine.Failure.Cause : null);
        }

        secrets.Add(access);
        if (TokenAnswerProblems(genuine.Body) is { Count: > 0 } problems)
        {
            findings.Add(Finding(FrontendRules.ClientGrantFailed, Severity.High, location, $"the token answer is not a bearer token answer: {string.Join("; ", problems)}",
                Mask(genuine.Evidence(), secrets), "answer { \"access_token\": ..., \"token_type\": \"Bearer\", \"expires_in\": <seconds> } (RFC 6749, 5.1)"));
        }

        if (genuine.Header("Cache-Control") is not { } cache || !cache.Contains("no-store", StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(Finding(FrontendRules.TokenCacheable, Severity.Medium, location,
                $"the token answer has {(genuine.Header("Cache-Control") is { } c ? $"Cache-Control: {c}" : "no Cache-Control")}, not no-store: a cache between the client and the endpoint may keep the token",
                Mask(genuine.Evidence(), secrets), "send Cache-Control: no-store with every answer that carries a token (RFC 6749, 5.1)"));
        }

        // A secret no client has: the genuine one with a suffix (basic or form, as the identity sends it).
        var wrong = await GrantAsync(context.Http, client with { ClientSecret = client.ClientSecret + "-archgate-wrong" }, tokenUrl, "client_credentials", cancellationToken);
        Refusal(findings, secrets, location, wrong, FrontendRules.WrongClientSecret, "a wrong client secret", [400, 401], "invalid_client",
            "authenticate the client before granting: a wrong secret answers 401 (400 when the secret came in the form) with error invalid_client (RFC 6749, 5.2)");
        var unknown = await GrantAsync(context.Http, client, tokenUrl, UnknownGrant, cancellationToken);
        Refusal(findings, secrets, location, unknown, FrontendRules.UnknownGrantType, $"the unknown grant_type '{UnknownGrant}'", [400], "unsupported_grant_type",
            "grant only the grant types the endpoint supports; any other answers 400 with error unsupported_grant_type (RFC 6749, 5.2)");

        var contract = await ContractAsync(cancellationToken);
        var candidates = contract is { } d ? ProtectedOperations(d.Document, d.Prefix, client, context.System.Security) : [];
        if (candidates.Count == 0)
        {
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "openapi",
                contract is null ? "no readable contract: the granted token was not tried on a protected operation"
                    : $"no protected GET without path parameters that '{client.Label}' may call found in the contract: the granted token was not tried on an operation",
                null, "declare the service's openapi with a secured GET operation (security requirement) the client may call"));
        }

        await ProtectedCallAsync(context.Http, client, candidates, Bearer(access), "access token", false, findings, secrets, cancellationToken);
        return Result(findings, null);
    }

    /// <summary>What a 2xx token answer lacks (RFC 6749, 5.1): a <c>token_type</c> of Bearer (any case), a numeric <c>expires_in</c> when it has one.</summary>
    internal static List<string> TokenAnswerProblems(string body)
    {
        var problems = new List<string>();
        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return ["the body is not JSON"];
        }

        var type = answer?["token_type"] is JsonValue t && t.TryGetValue<string>(out var text) ? text : null;
        if (type is null)
        {
            problems.Add("no token_type");
        }
        else if (!type.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"token_type '{type}', not Bearer");
        }

        if (answer?["expires_in"] is { } expires && !(expires is JsonValue v && v.GetValueKind() == JsonValueKind.Number))
        {
            problems.Add($"expires_in {expires.ToJsonString()} is not a number of seconds");
        }

        return problems;
    }

    /// <summary>
    /// Judges a grant the endpoint must refuse: a token for it is <paramref name="rule"/> high; a refusal with another
    /// status than <paramref name="statuses"/> or another <c>error</c> than <paramref name="error"/> is low (a client
    /// cannot tell why it was refused); no answer says nothing.
    /// </summary>
    private void Refusal(List<Finding> findings, List<string> secrets, string location, ApiAnswer answer, string rule, string what, int[] statuses, string error, string hint)
    {
        if (answer.Failure is not null)
        {
            return;
        }

        if (answer.Ok)
        {
            secrets.AddRange(new[] { TokenSource.ReadToken(answer.Body, "$.access_token") }.OfType<string>());
            findings.Add(Finding(rule, Severity.High, location, $"the token endpoint granted {what}: it answered {answer.Status}", Mask(answer.Evidence(), secrets), hint));
            return;
        }

        var said = TokenSource.ReadToken(answer.Body, "$.error");
        if (!statuses.Contains(answer.Status) || said != error)
        {
            findings.Add(Finding(rule, Severity.Low, location,
                $"the token endpoint refused {what} with {answer.Status} {(said is null ? "and no error code" : $"error '{said}'")}, not {string.Join(" or ", statuses)} {error}",
                Mask(answer.Evidence(), secrets), hint));
        }
    }

    private static Task<ApiAnswer> GrantAsync(HttpClient http, ClientCredentialsAuth client, Uri tokenUrl, string grantType, CancellationToken cancellationToken) =>
        ApiCall.SendAsync(http, client.Token.Method, tokenUrl, client.BasicAuthorization is { } basic ? [new("Authorization", basic)] : null,
            client.FormBody(grantType), ApiCall.DefaultTimeout, cancellationToken, "application/x-www-form-urlencoded");
}
