using System.Collections.Concurrent;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A machine-to-machine API on 127.0.0.1 with its own OAuth 2.0 token endpoint (client credentials grant, RFC 6749 4.4):
/// <c>POST /oauth/token</c> grants <c>tok-N</c> to client <c>partner</c> with secret <c>s3cr:t</c> (basic or in the form),
/// and <c>GET /items</c> answers 200 to a token it granted, 401 otherwise. Its flaws are switched on by the test.
/// </summary>
public sealed class ClientCredentialsApi : IDisposable
{
    private readonly ScriptedHttpServer _server;
    private readonly ConcurrentDictionary<string, bool> _granted = new(StringComparer.Ordinal);
    private int _issued;

    public ClientCredentialsApi(bool grantsAnySecret = false, bool noStore = true, bool grantsAnyType = false)
    {
        _server = new ScriptedHttpServer(r => Answer(r, grantsAnySecret, noStore, grantsAnyType), concurrent: true);
    }

    public Uri Url => _server.Url;

    public IReadOnlyList<Received> Requests => [.. _server.Requests];

    /// <summary>The tokens the endpoint granted.</summary>
    public IReadOnlyCollection<string> Granted => [.. _granted.Keys];

    /// <summary>A manifest of the API with the <c>partner</c> identity (<paramref name="clientAuth"/>) and its contract, written to <paramref name="folder"/>.</summary>
    public string Manifest(string folder, string clientAuth = "basic", string extra = "")
    {
        File.WriteAllText(Path.Combine(folder, "openapi.json"), """
            {
              "openapi": "3.0.3",
              "info": { "title": "items", "version": "1" },
              "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } } },
              "paths": {
                "/items": { "get": { "security": [ { "bearer": [] } ], "responses": { "200": { "description": "items" }, "401": { "description": "no token" } } } }
              }
            }
            """);
        return $$"""
            version: 1
            system: { name: m2m }
            auth:
              partner: { clientCredentials: { token: POST /oauth/token, clientId: partner, clientSecret: "s3cr:t", scope: "items:read", clientAuth: {{clientAuth}} } }
            components:
              - { name: api, kind: service, url: "{{Url.ToString().TrimEnd('/')}}", openapi: openapi.json, auth: partner }
            {{extra}}
            """;
    }

    public void Dispose() => _server.Dispose();

    private Reply Answer(Received r, bool grantsAnySecret, bool noStore, bool grantsAnyType)
    {
        if (r.Method == "POST" && r.PathAndQuery == "/oauth/token")
        {
            var form = r.Body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.ElementAtOrDefault(1)?.Replace('+', ' ') ?? string.Empty));
            var basic = r.Headers.TryGetValue("Authorization", out var header) && header == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("partner:s3cr%3At"));
            var posted = form.GetValueOrDefault("client_id") == "partner" && form.GetValueOrDefault("client_secret") == "s3cr:t";
            if (form.GetValueOrDefault("grant_type") != "client_credentials" && !grantsAnyType)
            {
                return new Reply(400, """{"error":"unsupported_grant_type"}""");
            }

            if (!basic && !posted && !grantsAnySecret)
            {
                return new Reply(401, """{"error":"invalid_client","error_description":"unknown client or wrong secret"}""", Headers: new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic" });
            }

            var token = $"tok-{Interlocked.Increment(ref _issued)}";
            _granted[token] = true;
            return new Reply(200, $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":300}""",
                Headers: noStore ? new Dictionary<string, string> { ["Cache-Control"] = "no-store" } : null);
        }

        if (r.Method == "GET" && r.PathAndQuery.StartsWith("/items", StringComparison.Ordinal))
        {
            return r.Headers.TryGetValue("Authorization", out var bearer) && bearer.StartsWith("Bearer ", StringComparison.Ordinal) && _granted.ContainsKey(bearer["Bearer ".Length..])
                ? new Reply(200, "[]")
                : new Reply(401, """{"title":"no valid token"}""", "application/problem+json");
        }

        return new Reply(r.PathAndQuery == "/health" ? 200 : 404, "{}");
    }
}
