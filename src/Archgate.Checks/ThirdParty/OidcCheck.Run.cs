using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>One run of <see cref="OidcCheck"/>: the requests in order, the timeline they leave, and the findings.</summary>
internal sealed partial class OidcCheck
{
    private sealed class Run(OidcCheck check, CheckContext context, CancellationToken ct)
    {
        private readonly OidcSpec _spec = check.Spec;
        private readonly ThirdPartyComponent _provider = check.Provider;
        private readonly HttpComponent _receiver = context.System.Find<HttpComponent>(check.Spec.Receiver)!;

        public StringBuilder Timeline { get; } = new();

        public List<Finding> Findings { get; } = [];

        public int Refused => RefusedCases.Count;

        public List<string> RefusedCases { get; } = [];

        private string ProviderIssuer => _spec.IssuerText;

        private Severity OutageSeverity => _provider.Critical || _receiver.Critical ? Severity.Critical : Severity.High;

        public async Task ExecuteAsync()
        {
            var discoveryUrl = new Uri(ProviderIssuer + "/.well-known/openid-configuration");
            var discovery = await SendAsync(new HttpRequestMessage(HttpMethod.Get, discoveryUrl));
            Note($"GET {discoveryUrl.AbsolutePath} → {discovery.Describe()}");
            if (discovery.Status is null or >= 500)
            {
                await OutageAsync(discovery);
                return;
            }

            if (ReadDiscovery(discovery) is not { } endpoints)
            {
                return;
            }

            var jwks = await SendAsync(new HttpRequestMessage(HttpMethod.Get, endpoints.Jwks));
            Note($"GET {endpoints.Jwks.AbsolutePath} → {(jwks.Status is { } js ? js.ToString(CultureInfo.InvariantCulture) : jwks.Describe())}");
            var keys = jwks.Status == 200 ? ParseKeys(jwks.Body) : [];
            Note($"JWKS: {keys.Count} RSA signing key(s){(keys.Count > 0 ? $" ({string.Join(", ", keys.Keys.Select(k => k.Length == 0 ? "no kid" : k))})" : string.Empty)}");
            if (keys.Count == 0)
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcJwks, OutageSeverity, _provider.Name,
                    $"{_provider.Name}'s JWKS ({endpoints.Jwks}) {(jwks.Status == 200 ? "has no RSA signing key" : $"answered {jwks.Describe()}")}: no id token can be verified, sign-in at {_receiver.Name} cannot work",
                    "publish the provider's signing keys (kty RSA, use sig, kid, n, e) at the discovery document's jwks_uri"));
                return;
            }

            // The genuine sign-in first: its id token goes to the caller at once, before it can expire.
            var nonce = Random("n");
            var genuine = await SignInAsync(endpoints, _spec.ClientId, nonce, keys, "genuine");
            if (genuine is null)
            {
                return;
            }

            await CallerAsync(endpoints, genuine.Value.Token, nonce, genuine.Value.Jwt, keys);
            await PkceAsync(endpoints, genuine.Value.Code, genuine.Value.Verifier);
        }

        /// <summary>The provider did not answer (or answered 5xx): a third-party outage; then the caller's degraded answers.</summary>
        private async Task OutageAsync(Answer discovery)
        {
            var affected = ProviderCallCheck.Affected(context.System, _receiver.Name);
            var limit = (_provider.Policy?.Timeout ?? ProviderEdge.ProtocolTimeout) + check._options.Tolerance;
            var url = new Uri(_receiver.Url, _spec.Path);
            using var key = RSA.Create(2048);
            var probeNonce = Random("n");
            var probe = OidcTokens.SignRs256(Claims(_spec.ClientId, probeNonce, "archgate-probe"), key, "archgate-probe");
            var answer = await PresentAsync(url, probe, probeNonce);
            Note($"POST {_spec.Path} at {_receiver.Name} with an id token while {_provider.Name} is down → {answer.Describe()} in {Ms(answer.Latency)}");
            var degraded = new List<string>();
            if (answer.Status is null || answer.Latency > limit || answer.Status is < 400 or 500 or 502 or 504 || answer.Body.Length == 0)
            {
                Findings.Add(check.Make(ThirdPartyRules.SlowCaller, _receiver.Critical ? Severity.Critical : Severity.High, _receiver.Name,
                    $"with {_provider.Name} down, a sign-in at {_receiver.Name} ({_spec.Path}) answered {answer.Describe()} in {Ms(answer.Latency)}: " +
                    (answer.Status is null || answer.Latency > limit ? $"not within {_provider.Name}'s {AttemptReport.Sec(limit - check._options.Tolerance)} timeout" : "not a readable error (a 4xx or 503 with a body)"),
                    $"bound {_receiver.Name}'s calls to {_provider.Name} by a timeout and answer 503 with a message that offers another way to sign in"));
            }
            else
            {
                degraded.Add($"{_spec.Path} answered {answer.Status} in {Ms(answer.Latency)}");
            }

            if (_receiver.Auth is LoginAuth login)
            {
                var tokens = TokenSource.Of(context);
                tokens.Forget(login, _receiver.Url);
                var result = await tokens.TokenAsync(login, _receiver.Url, check._options.RequestTimeout, ct);
                Note($"{login.Method} {login.Path} at {_receiver.Name} (password login) → {(result.Token is null ? result.Problem : "signed in")}");
                if (result.Token is null)
                {
                    Findings.Add(check.Make(ThirdPartyRules.SlowCaller, _receiver.Critical ? Severity.Critical : Severity.High, _receiver.Name,
                        $"with {_provider.Name} down, the password login at {_receiver.Name} failed too: {result.Problem}",
                        $"keep {_receiver.Name}'s own login independent of {_provider.Name}"));
                }
                else
                {
                    degraded.Add("the password login works");
                }
            }

            Findings.Insert(0, check.Make(ThirdPartyRules.Outage, OutageSeverity, _provider.Name,
                $"third-party outage: {_provider.Name} (OpenID Connect sign-in) {(discovery.Status is { } s ? $"answered {s}" : $"did not answer ({discovery.Error})")} for its discovery document, no fault injected; " +
                $"affected: sign-in with {_provider.Name} at {affected}{(degraded.Count > 0 ? $"; {_receiver.Name} degraded gracefully: {string.Join(", ", degraded)}" : string.Empty)}",
                $"{_provider.Name} is down for real: the run does not blame {_receiver.Name}; check the provider, then rerun"));
        }

        /// <summary>The endpoints of a valid, consistent discovery document; findings for what is wrong with it.</summary>
        private Endpoints? ReadDiscovery(Answer answer)
        {
            JsonElement doc;
            try
            {
                doc = answer.Status == 200 ? JsonDocument.Parse(answer.Body).RootElement.Clone() : default;
            }
            catch (JsonException)
            {
                doc = default;
            }

            if (doc.ValueKind != JsonValueKind.Object)
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcDiscovery, Severity.High, _provider.Name,
                    $"{_provider.Name}'s discovery document at {ProviderIssuer}/.well-known/openid-configuration answered {answer.Describe()}, not a JSON object",
                    "serve the OpenID Provider Metadata (OpenID Connect Discovery 1.0, 3) as JSON at issuer + /.well-known/openid-configuration"));
                return null;
            }

            var problems = new List<string>();
            var severe = false;
            var issuer = Text(doc, "issuer");
            if (issuer != ProviderIssuer)
            {
                problems.Add($"its issuer is {(issuer is null ? "missing" : $"'{issuer}'")}, not '{ProviderIssuer}' (Discovery 4.3: they must be identical)");
                severe = true;
            }

            Uri? Endpoint(string name)
            {
                if (Text(doc, name) is not { } text || !Uri.TryCreate(text, UriKind.Absolute, out var uri))
                {
                    problems.Add($"{name} is missing or not an absolute URL");
                    severe = true;
                    return null;
                }

                if (!string.Equals(uri.GetLeftPart(UriPartial.Authority), _spec.Issuer.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{name} {uri} is not under the issuer's origin {_spec.Issuer.GetLeftPart(UriPartial.Authority)}");
                }

                return uri;
            }

            var authorize = Endpoint("authorization_endpoint");
            var token = Endpoint("token_endpoint");
            var jwks = Endpoint("jwks_uri");
            if (!Strings(doc, "response_types_supported").Contains("code"))
            {
                problems.Add("response_types_supported does not list 'code'");
                severe = true;
            }

            if (!Strings(doc, "id_token_signing_alg_values_supported").Contains("RS256"))
            {
                problems.Add("id_token_signing_alg_values_supported does not list RS256 (Discovery 3: it must)");
            }

            if (!Strings(doc, "code_challenge_methods_supported").Contains("S256"))
            {
                problems.Add("code_challenge_methods_supported does not list S256 (RFC 8414 2: PKCE not advertised)");
            }

            if (Strings(doc, "subject_types_supported").Count == 0)
            {
                problems.Add("subject_types_supported is missing");
            }

            Note($"discovery: issuer {issuer ?? "missing"}; authorize {authorize?.AbsolutePath}, token {token?.AbsolutePath}, jwks {jwks?.AbsolutePath}");
            if (problems.Count > 0)
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcDiscovery, severe ? Severity.High : Severity.Medium, _provider.Name,
                    $"{_provider.Name}'s discovery document is not consistent: {string.Join("; ", problems)}",
                    $"publish metadata whose issuer is exactly '{ProviderIssuer}' and whose endpoints are the provider's own"));
            }

            return severe || authorize is null || token is null || jwks is null ? null : new Endpoints(authorize, token, jwks);
        }

        /// <summary>The authorization and token requests of one sign-in; findings when the flow fails or the id token is not valid.</summary>
        private async Task<(string Token, JwtParts Jwt, string Code, string Verifier)?> SignInAsync(Endpoints endpoints, string clientId, string nonce, Dictionary<string, RSAParameters> keys, string label)
        {
            var verifier = OidcTokens.NewVerifier();
            var redirect = await AuthorizeAsync(endpoints, clientId, nonce, verifier, label);
            if (redirect.Problem is not null || redirect.Code is null)
            {
                if (label == "genuine")
                {
                    Findings.Add(check.Make(ThirdPartyRules.OidcFlow, Severity.High, _provider.Name,
                        $"the authorization code flow with {_provider.Name} failed: {redirect.Problem}",
                        $"let the client '{clientId}' sign in the test user '{_spec.User}' by login_hint and redirect to {_spec.RedirectUri} with the code and the state"));
                }

                return null;
            }

            var answer = await ExchangeAsync(endpoints, redirect.Code, clientId, verifier);
            var idToken = answer.Status == 200 ? IdTokenOf(answer.Body) : null;
            var jwt = idToken is null ? null : OidcTokens.Read(idToken);
            Note($"token ({label}: code and its code_verifier) → {(jwt is null ? answer.Describe() : $"200 with an id token (kid {jwt.Kid}, aud {string.Join(" ", jwt.Audiences)}, exp in {ExpiresIn(jwt)})")}");
            if (jwt is null)
            {
                if (label == "genuine")
                {
                    Findings.Add(check.Make(ThirdPartyRules.OidcFlow, Severity.High, _provider.Name,
                        $"{_provider.Name}'s token endpoint did not exchange the code and its code_verifier for an id token: {answer.Describe()}",
                        "answer the authorization_code grant with a JSON body holding id_token (OpenID Connect Core 3.1.3.3)"));
                }

                return null;
            }

            if (IdTokenProblems(jwt, keys, clientId, nonce) is { Count: > 0 } problems)
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcFlow, Severity.High, _provider.Name,
                    $"{_provider.Name}'s id token ({label}) is not valid under OpenID Connect Core 3.1.3.7: {string.Join("; ", problems)}",
                    "sign id tokens RS256 with a key of the JWKS and carry iss, aud (the client id), exp, iat and the request's nonce"));
                return null;
            }

            return (idToken!, jwt, redirect.Code, verifier);
        }

        private async Task<Redirect> AuthorizeAsync(Endpoints endpoints, string clientId, string nonce, string? verifier, string label)
        {
            var state = Random("s");
            var query = new List<(string, string)>
            {
                ("response_type", "code"), ("client_id", clientId), ("redirect_uri", _spec.RedirectUri.OriginalString), ("scope", _spec.Scope),
                ("state", state), ("nonce", nonce), ("login_hint", _spec.User),
            };
            if (verifier is not null)
            {
                query.Add(("code_challenge", OidcTokens.ChallengeOf(verifier)));
                query.Add(("code_challenge_method", "S256"));
            }

            var url = new Uri($"{endpoints.Authorize.AbsoluteUri}{(endpoints.Authorize.Query.Length > 0 ? "&" : "?")}{string.Join("&", query.Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2)}"))}");
            var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
            Redirect result;
            if (answer.Status is not (301 or 302 or 303 or 307) || answer.Location is null)
            {
                result = new(null, null, null, $"the authorization request for '{_spec.User}' answered {answer.Describe()}, not a redirect to {_spec.RedirectUri}");
            }
            else if (!string.Equals(answer.Location.GetLeftPart(UriPartial.Path), _spec.RedirectUri.GetLeftPart(UriPartial.Path), StringComparison.Ordinal))
            {
                result = new(null, null, null, $"it redirected to {answer.Location.GetLeftPart(UriPartial.Path)}, not to the redirect_uri {_spec.RedirectUri}");
            }
            else
            {
                var p = ParseQuery(answer.Location.Query);
                var code = p.GetValueOrDefault("code");
                var back = p.GetValueOrDefault("state");
                var iss = p.GetValueOrDefault("iss");
                result = p.GetValueOrDefault("error") is { } error
                    ? new(null, back, iss, $"it redirected with error={error}{(p.GetValueOrDefault("error_description") is { } d ? $" ({d})" : string.Empty)}")
                    : code is null ? new(null, back, iss, "it redirected without a code")
                    : back != state ? new(null, back, iss, $"the state came back {(back is null ? "missing" : "changed")}: the client cannot tie the answer to its request (CSRF)")
                    : iss is not null && iss != ProviderIssuer ? new(null, back, iss, $"the redirect's iss '{iss}' is not the issuer (RFC 9207)")
                    : new(code, back, iss, null);
            }

            Note($"authorize ({label}, client {clientId}, login_hint {_spec.User}{(verifier is null ? ", no code_challenge" : ", S256 challenge")}) → " +
                (result.Problem ?? $"{answer.Status} to the redirect_uri with a code and the same state{(result.Iss is not null ? " and iss" : string.Empty)}"));
            return result;
        }

        private Task<Answer> ExchangeAsync(Endpoints endpoints, string code, string clientId, string? verifier)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", _spec.RedirectUri.OriginalString), new("client_id", clientId),
            };
            if (verifier is not null)
            {
                form.Add(new("code_verifier", verifier));
            }

            return SendAsync(new HttpRequestMessage(HttpMethod.Post, endpoints.Token) { Content = new FormUrlEncodedContent(form) });
        }

        /// <summary>RFC 7636 4.6 and RFC 6749 4.1.2: a wrong or missing code_verifier and a reused code are refused.</summary>
        private async Task PkceAsync(Endpoints endpoints, string usedCode, string usedVerifier)
        {
            var accepted = new List<string>();
            var wrong = await AuthorizeAsync(endpoints, _spec.ClientId, Random("n"), OidcTokens.NewVerifier(), "wrong code_verifier");
            if (wrong.Code is { } c1)
            {
                var answer = await ExchangeAsync(endpoints, c1, _spec.ClientId, OidcTokens.NewVerifier());
                Note($"token (the code with another code_verifier) → {answer.Describe()}");
                if (answer.Status is >= 200 and < 300)
                {
                    accepted.Add("a code_verifier that is not the one of the code's challenge");
                }
            }

            var missing = await AuthorizeAsync(endpoints, _spec.ClientId, Random("n"), OidcTokens.NewVerifier(), "no code_verifier");
            if (missing.Code is { } c2)
            {
                var answer = await ExchangeAsync(endpoints, c2, _spec.ClientId, null);
                Note($"token (the code without code_verifier) → {answer.Describe()}");
                if (answer.Status is >= 200 and < 300)
                {
                    accepted.Add("no code_verifier at all");
                }
            }

            var reuse = await ExchangeAsync(endpoints, usedCode, _spec.ClientId, usedVerifier);
            Note($"token (the genuine sign-in's code and code_verifier again) → {reuse.Describe()}");
            if (reuse.Status is >= 200 and < 300)
            {
                accepted.Add("a code that was already exchanged");
            }

            if (accepted.Count > 0)
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcPkce, Severity.High, _provider.Name,
                    $"{_provider.Name}'s token endpoint issued tokens for {string.Join(", for ", accepted)}: an intercepted authorization code can be redeemed by anyone",
                    "bind each code to its S256 code_challenge and refuse an exchange whose code_verifier does not hash to it (RFC 7636 4.6); let a code work once"));
            }
        }

        /// <summary>The caller's side: the genuine id token signs in; forged, misdirected, replayed and expired ones do not.</summary>
        private async Task CallerAsync(Endpoints endpoints, string token, string nonce, JwtParts jwt, Dictionary<string, RSAParameters> keys)
        {
            var url = new Uri(_receiver.Url, _spec.Path);
            var wrongNonce = await PresentAsync(url, token, Random("n"));
            Judge("the genuine id token with another nonce", wrongNonce, ThirdPartyRules.OidcNonce, Severity.High,
                "compare the id token's nonce with the one this sign-in sent, and refuse it when they differ (OpenID Connect Core 3.1.3.7 11)");

            var genuine = await PresentAsync(url, token, nonce);
            Note($"POST {_spec.Path} at {_receiver.Name} (genuine id token and its nonce) → {genuine.Describe()}");
            if (genuine.Status is not (>= 200 and < 300))
            {
                Findings.Add(check.Make(ThirdPartyRules.OidcRefused, Severity.High, _receiver.Name,
                    $"{_receiver.Name} refused {_provider.Name}'s genuine id token for '{_spec.User}' ({genuine.Describe()}): sign-in with {_provider.Name} does not work",
                    $"validate id tokens against {ProviderIssuer}'s JWKS with issuer '{ProviderIssuer}' and audience '{_spec.ClientId}', and link '{_spec.User}' to a user"));
            }

            using (var other = RSA.Create(2048))
            {
                var forgedNonce = Random("n");
                var claims = Claims(_spec.ClientId, forgedNonce, jwt.Claim("sub") ?? "archgate");
                foreach (var name in new[] { "preferred_username", "email", "name" })
                {
                    if (jwt.Claim(name) is { } value)
                    {
                        claims[name] = value;
                    }
                }

                var forged = await PresentAsync(url, OidcTokens.SignRs256(claims, other, jwt.Kid), forgedNonce);
                Judge("an id token signed with another key (same kid)", forged, ThirdPartyRules.OidcForeignKey, Severity.Critical,
                    $"verify every id token's signature with {_provider.Name}'s JWKS ({_provider.Name}'s keys only)");
                var unsignedNonce = Random("n");
                claims["nonce"] = unsignedNonce;
                var unsigned = await PresentAsync(url, OidcTokens.Unsigned(claims), unsignedNonce);
                Judge("an unsigned id token (alg none)", unsigned, ThirdPartyRules.OidcForeignKey, Severity.Critical,
                    "accept only the algorithms the provider signs with (RS256); never alg none");
            }

            var otherClient = _spec.ClientId + ".archgate-other";
            var otherNonce = Random("n");
            if (await SignInAsync(endpoints, otherClient, otherNonce, keys, $"another client, {otherClient}") is { } misdirected)
            {
                var answer = await PresentAsync(url, misdirected.Token, otherNonce);
                Judge($"a genuine id token issued to another client ({otherClient})", answer, ThirdPartyRules.OidcAudience, Severity.Critical,
                    $"refuse id tokens whose aud does not contain '{_spec.ClientId}' (OpenID Connect Core 3.1.3.7 3)");
            }
            else
            {
                Note($"wrong audience not tried: {_provider.Name} gave no id token to the client {otherClient}");
            }

            await ExpiredAsync(url, token, nonce, jwt);
        }

        private async Task ExpiredAsync(Uri url, string token, string nonce, JwtParts jwt)
        {
            var expires = DateTimeOffset.FromUnixTimeSeconds(jwt.Seconds("exp") ?? 0);
            var wait = expires + _spec.Skew + TimeSpan.FromSeconds(1) - context.Time.GetUtcNow();
            var cap = _spec.ExpiryWait ?? check._options.MaxExpiryWait;
            if (wait > cap)
            {
                // Never waited out and never passed: the case is reported as not evaluated, with what it would take.
                var why = $"the genuine id token expires in {AttemptReport.Sec(expires - context.Time.GetUtcNow())} and {_receiver.Name} allows {AttemptReport.Sec(_spec.Skew)} of skew (oidc.skew): {AttemptReport.Sec(wait)} to wait, beyond the {AttemptReport.Sec(cap)} the check may (oidc.expiryWait)";
                Note($"expired id token not tried: {why}");
                if (cap <= TimeSpan.Zero)
                {
                    return; // the case switched off in code (OidcCheckOptions.MaxExpiryWait zero); the manifest cannot
                }

                Findings.Add(check.Make(ThirdPartyRules.OidcExpiredNotEvaluated, Severity.Medium, _receiver.Name,
                    $"{_receiver.Name}: the expired id token case was not evaluated: {why}",
                    $"give {check.Provider.Name}'s test tokens a short life (exp minus iat plus the skew within {AttemptReport.Sec(cap)}), or raise oidc.expiryWait"));
                return;
            }

            if (wait > TimeSpan.Zero)
            {
                Note($"waiting {AttemptReport.Sec(wait)} for the genuine id token to expire (exp + {AttemptReport.Sec(_spec.Skew)} skew)");
                // A timer may fire a little early; the token must be past exp + skew + 1 s by the clock when it is presented.
                var due = expires + _spec.Skew + TimeSpan.FromSeconds(1);
                for (var left = wait; left > TimeSpan.Zero; left = due - context.Time.GetUtcNow())
                {
                    await Task.Delay(left + TimeSpan.FromMilliseconds(20), context.Time, ct);
                }
            }
            else
            {
                Note($"the genuine id token is already past exp + {AttemptReport.Sec(_spec.Skew)} skew");
            }

            var answer = await PresentAsync(url, token, nonce);
            Judge("the genuine id token once expired", answer, ThirdPartyRules.OidcExpired, Severity.High,
                $"refuse id tokens whose exp is past, allowing at most the declared {AttemptReport.Sec(_spec.Skew)} of clock skew");
        }

        private void Judge(string what, Answer answer, string rule, Severity severity, string hint)
        {
            Note($"POST {_spec.Path} at {_receiver.Name} ({what}) → {answer.Describe()}");
            if (answer.Status is >= 200 and < 300)
            {
                Findings.Add(check.Make(rule, severity, _receiver.Name, $"{_receiver.Name} signed in with {what} ({answer.Status}): anyone can sign in as {_spec.User}", hint));
            }
            else
            {
                RefusedCases.Add(what);
            }
        }

        private List<string> IdTokenProblems(JwtParts jwt, Dictionary<string, RSAParameters> keys, string clientId, string nonce)
        {
            var problems = new List<string>();
            if (!OidcTokens.VerifiesRs256(jwt, keys))
            {
                problems.Add($"its {jwt.Alg} signature does not verify under the JWKS key '{jwt.Kid}'");
            }

            if (jwt.Claim("iss") != ProviderIssuer)
            {
                problems.Add($"iss is '{jwt.Claim("iss")}', not '{ProviderIssuer}'");
            }

            if (!jwt.Audiences.Contains(clientId))
            {
                problems.Add($"aud does not contain '{clientId}'");
            }
            else if (jwt.Audiences.Count > 1 && jwt.Claim("azp") != clientId)
            {
                problems.Add("several audiences and azp is not the client");
            }

            if (jwt.Seconds("exp") is not { } exp || DateTimeOffset.FromUnixTimeSeconds(exp) <= context.Time.GetUtcNow())
            {
                problems.Add("exp is missing or past");
            }

            if (jwt.Seconds("iat") is null || jwt.Claim("sub") is null)
            {
                problems.Add("iat or sub is missing");
            }

            if (jwt.Claim("nonce") != nonce)
            {
                problems.Add("its nonce is not the request's");
            }

            return problems;
        }

        /// <summary>Plausible id token claims for a forged token: the provider's issuer, the client, a fresh exp.</summary>
        private JsonObject Claims(string clientId, string nonce, string subject)
        {
            var now = context.Time.GetUtcNow();
            return new JsonObject
            {
                ["iss"] = ProviderIssuer,
                ["sub"] = subject,
                ["aud"] = clientId,
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
                ["nonce"] = nonce,
            };
        }

        private Task<Answer> PresentAsync(Uri url, string idToken, string nonce) =>
            SendAsync(new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(new JsonObject { ["idToken"] = idToken, ["nonce"] = nonce }.ToJsonString(), Encoding.UTF8, "application/json"),
            });

        private async Task<Answer> SendAsync(HttpRequestMessage request)
        {
            using var _ = request;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(check._options.RequestTimeout);
            var started = context.Time.GetTimestamp();
            try
            {
                using var response = await context.Http.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(request.RequestUri!, l)) : null;
                return new Answer((int)response.StatusCode, body, location, null, context.Time.GetElapsedTime(started));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or HostNotAllowedException)
            {
                return new Answer(null, string.Empty, null, ProbeHttp.Classify(ex).Cause, context.Time.GetElapsedTime(started));
            }
        }

        private static Dictionary<string, RSAParameters> ParseKeys(string body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                return OidcTokens.RsaKeys(doc.RootElement);
            }
            catch (JsonException)
            {
                return [];
            }
        }

        private static string? IdTokenOf(string body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                return Text(doc.RootElement, "id_token");
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private string ExpiresIn(JwtParts jwt) =>
            jwt.Seconds("exp") is { } exp ? AttemptReport.Sec(DateTimeOffset.FromUnixTimeSeconds(exp) - context.Time.GetUtcNow()) : "?";

        private void Note(string line) => Timeline.AppendLine(line);

        private static string Random(string prefix) => $"{prefix}_{OidcTokens.Base64Url(RandomNumberGenerator.GetBytes(12))}";

        private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

        private static string? Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static List<string> Strings(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                : [];

        private static Dictionary<string, string> ParseQuery(string query)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var i = pair.IndexOf('=', StringComparison.Ordinal);
                var key = WebUtility.UrlDecode(i < 0 ? pair : pair[..i]);
                result.TryAdd(key, i < 0 ? string.Empty : WebUtility.UrlDecode(pair[(i + 1)..]));
            }

            return result;
        }
    }
}
