using System.Globalization;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9, authentication enforced: every operation the contract secures and every <c>security.protected</c> path
/// is called without credentials, with a garbage token, and (when the service's login issues a JWT) with its
/// payload tampered under the original signature, signed with another key, and with <c>alg: none</c>, and with an
/// expired token (<see cref="ExpiredToken"/>); an apiKey scheme of the contract with a wrong key of its shape, and,
/// when the key is a JWT, with those forgeries in its place. Each must be refused; a 2xx is critical (AG9001, AG9002, AG9003).
/// </summary>
internal sealed class AuthenticationCheck(HttpComponent component, ContractDocuments documents, SecurityProbeOptions options) : ICheck
{
    public string Id => $"security.authn:{component.Name}";

    public int Step => 9;

    public string Title => $"{component.Name} refuses requests without valid credentials";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var target = (await ProbeTarget.OpenAsync(component, context, documents, options, cancellationToken)).Target!;
        var findings = new List<Finding>();
        var leftOut = new List<string>();
        var token = target.Service.Headers.FirstOrDefault(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value is { } auth
            && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : null;
        var minted = Mint(token, policy.SigningKey, context.Time.GetUtcNow());
        // A protected pattern no operation of the contract matches is probed on its literal part (unless it is another service's).
        var literal = await target.LiteralProbesAsync(policy.Protected, "security.protected", context, documents, leftOut, cancellationToken);
        var sender = target.Sender(context, options, new[] { minted.Valid, minted.Expired }.OfType<string>());
        // A delete goes only to what this check created for it, as the service's identity (the admin for an admin-only
        // create), and what survives the probes is deleted afterwards with that identity (target.CleanUpAsync).
        var deletes = await DeleteProbesAsync(target, context, sender, leftOut, cancellationToken);
        List<(string What, ProbeRequest Request, bool Literal)> probes =
        [
            .. Probes(target, policy, leftOut).Select(p => (p.What, p.Request, false)),
            .. deletes.Select(p => (p.What, p.Request, false)),
            .. literal.Select(p => (p.What, p.Request, true)),
        ];
        if (probes.Count == 0)
        {
            return CheckResult.Skipped((target.HasContract
                ? $"{component.Name}'s contract secures no operation and security.protected names none of its paths"
                : $"{component.Name} has no readable contract and security.protected names none of its paths: nothing declares what must be protected")
                + (leftOut.Count > 0 ? $" (not probed: {string.Join(", ", leftOut)})" : ""));
        }

        var variants = Variants(token);
        // A cookie scheme that names the identity's own session cookie is the forged session cookie's probe already.
        var keys = WrongKeys(target, context.System, context.Time.GetUtcNow())
            .Where(k => k.In != ApiKeyLocation.Cookie || !target.Service.SessionCookies.Any(c => c.Name.Equals(k.Name, StringComparison.Ordinal))).ToList();
        var keyProbed = new HashSet<string>(StringComparer.Ordinal);
        var forgedSession = ForgedSession(target.Service);
        var refused = 0;
        var refusedProbes = new List<(string What, ProbeRequest Request)>();
        var openToForged = new List<string>();
        var notFound = new List<string>();
        foreach (var (what, request, isLiteral) in probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Activity?.Report($"authentication: {what}");
            var exchange = await sender.SendAsync(request, cancellationToken);
            if (exchange is null)
            {
                leftOut.Add($"{what} ({sender.Spent ?? "no answer: " + sender.FailureCause})");
                continue;
            }

            if (exchange.Succeeded)
            {
                target.Made(request, exchange, target.Service); // made all the same: deleted at the end as the service's identity
                findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.NoCredentialsAccepted, Severity.Critical), component.Name, what,
                    $"{what} answered {exchange.Status} without credentials: anyone can call an operation declared protected (its contract security or security.protected)", sender.Evidence(request, exchange)));
                openToForged.Add($"{what}: no credentials");
                continue;
            }

            var accepted = new List<(string Variant, ProbeRequest Request, ProbeExchange Exchange)>();
            foreach (var (variant, header) in variants)
            {
                var forged = request.WithHeader("Authorization", header);
                var answer = await sender.SendAsync(forged, cancellationToken);
                if (answer?.Succeeded == true)
                {
                    target.Made(forged, answer, target.Service);
                    accepted.Add((variant, forged, answer));
                }
            }

            // An API key the contract offers in the token's place (security: [{bearer: []}, {apiKey: []}]): a wrong key of
            // the same shape, alone, in the scheme's header, query parameter or cookie.
            var operation = isLiteral ? null : target.Operations.FirstOrDefault(o => o.Name == what);
            foreach (var key in operation is null ? [] : keys.Where(k => Allows(operation, target.Document, k.Scheme)))
            {
                var forged = key.On(request);
                keyProbed.Add(key.Variant);
                if (await sender.SendAsync(forged, cancellationToken) is { Succeeded: true } answer)
                {
                    target.Made(forged, answer, target.Service);
                    accepted.Add((key.Variant, forged, answer));
                }
            }

            if (forgedSession is { } session)
            {
                var forged = session.Headers.Aggregate(request.WithHeader("Cookie", session.Cookie), (r, h) => r.WithHeader(h.Key, h.Value));
                if (await sender.SendAsync(forged, cancellationToken) is { Succeeded: true } answer)
                {
                    target.Made(forged, answer, target.Service);
                    accepted.Add(("forged session cookie", forged, answer));
                }
            }

            if (accepted is [var only] && keys.Any(k => k.Variant == only.Variant && k.Forgery == ExpiredKey))
            {
                // Of every forgery of the key, only the expired one taken: its signature is verified, its exp is not.
                findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.ExpiredTokenAccepted, Severity.Critical), component.Name, what,
                    $"{what} answered {only.Exchange.Status} to an expired token ({only.Variant}, minted with security.signingKey, exp {ExpiredToken.MintedPast.TotalMinutes:0} min past) " +
                    "while it refused the key's other forgeries: exp is not checked",
                    sender.Evidence(only.Request, only.Exchange)));
                openToForged.Add($"{what}: {only.Variant}");
            }
            else if (accepted.Count > 0)
            {
                // A forged JWT in the key's place is a token not verified, as for bearer; a random key is a key not looked up.
                var onlyKeys = accepted.All(a => keys.Any(k => k.Variant == a.Variant && k.Forgery is null));
                findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.InvalidTokenAccepted, Severity.Critical), component.Name, what,
                    $"{what} answered {accepted[0].Exchange.Status} to {(onlyKeys ? "an unknown API key" : "an invalid token")} ({string.Join(", ", accepted.Select(a => a.Variant))}): " +
                    (onlyKeys ? "the key is not checked against the issued ones" : "the token is not verified"),
                    sender.Evidence(accepted[0].Request, accepted[0].Exchange)));
                openToForged.Add($"{what}: {string.Join(", ", accepted.Select(a => a.Variant))}");
            }
            else if (isLiteral && exchange.Status == 404)
            {
                notFound.Add(what); // the path does not exist here: nothing was refused
            }
            else
            {
                refused++;
                refusedProbes.Add((what, request));
            }
        }

        var expiredProbe = await ExpiredToken.RunAsync(token, minted, refusedProbes, openToForged, sender, context.Time, options, cancellationToken);
        if (expiredProbe.AcceptedRequest is { } acceptedRequest)
        {
            findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.ExpiredTokenAccepted, Severity.Critical), component.Name, acceptedRequest.Method + " " + acceptedRequest.Template,
                $"{acceptedRequest.Method} {acceptedRequest.Template} answered {expiredProbe.AcceptedExchange!.Status} to an expired token ({expiredProbe.How}): exp is not checked",
                sender.Evidence(acceptedRequest, expiredProbe.AcceptedExchange)));
        }

        var cleanup = await target.CleanUpAsync(sender, cancellationToken);

        if (sender.Requests > 0 && sender.Failures == sender.Requests)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                TransientCause = sender.FailureCause,
                Findings = [Findings.Create(SecurityRules.Rule(SecurityRules.AuthenticationCoverage, Severity.High), component.Name, target.BaseUrl.ToString(),
                    $"{component.Name} did not answer the authentication probes: {sender.FailureCause}", null)],
            };
        }

        var variantNames = "none, " + string.Join(", ", variants.Select(v => v.Name)) + (forgedSession is null ? string.Empty : ", forged session cookie")
            + string.Concat(keys.Where(k => keyProbed.Contains(k.Variant)).Select(k => $", {k.Variant} (where the contract allows {k.Scheme})"));
        var expired = (forgedSession is not null ? "a cookie session: its session cookies were also sent with values of Archgate's own (the anti-CSRF cookie and header kept); "
            : token is null ? "only requests without credentials and with a garbage token were sent (the manifest's auth gives no bearer token to forge from); "
            : !JwtForgery.IsJwt(token) ? "the token is not a JWT: forged variants were not sent; " : "") + expiredProbe.Note;
        findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.AuthenticationCoverage, Severity.Info), component.Name, "authentication",
            $"{probes.Count - notFound.Count} operations probed with credentials: {variantNames}; {refused} refused every one; " +
            (notFound.Count > 0 ? $"not found (answered 404: the path does not exist here, not counted): {string.Join(", ", notFound)}; " : "") +
            $"{sender.Requests} requests in " +
            $"{sender.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; {expired}" +
            (cleanup is null ? "" : $"; {cleanup}") +
            (leftOut.Count > 0 ? $"; not probed: {string.Join(", ", leftOut.Take(12))}{(leftOut.Count > 12 ? $" and {leftOut.Count - 12} more" : "")}" : ""), null));
        return SecurityGate.Judge(findings, policy,
        [
            Metric("security_requests", sender.Requests),
            Metric("security_operations_probed", probes.Count - notFound.Count),
        ]);
    }

    private Metric Metric(string name, double value) => new(name,
        new Dictionary<string, string> { ["component"] = component.Name, ["family"] = "authentication" }, value, "count");

    /// <summary>
    /// For a cookie session: the Cookie header with each session cookie given a value of Archgate's own (the anti-CSRF
    /// cookie kept, with its header, so a refusal is the session's); null when the service's identity has no session.
    /// </summary>
    private static (string Cookie, IReadOnlyList<KeyValuePair<string, string>> Headers)? ForgedSession(Http.Credentials service)
    {
        if (!Http.SessionCookie.AnySession(service.SessionCookies))
        {
            return null;
        }

        var cookies = service.SessionCookies.Select(c => $"{c.Name}={(c.IsCsrfToken ? c.Value : "archgate" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)))}");
        return (string.Join("; ", cookies), service.Headers);
    }

    /// <summary>An unexpired (control) and an expired token minted with the manifest's key, or why not; nothing without a key.</summary>
    private static (string? Valid, string? Expired, string? Problem) Mint(string? token, JwtSigningKey? key, DateTimeOffset now)
    {
        if (token is null || key is null || !JwtForgery.IsJwt(token))
        {
            return (null, null, null);
        }

        var valid = ExpiredToken.Mint(token, key, now.AddMinutes(10), now);
        var expired = ExpiredToken.Mint(token, key, now - ExpiredToken.MintedPast, now);
        return (valid.Token, expired.Token, valid.Problem ?? expired.Problem);
    }

    /// <summary>
    /// A wrong key for each <c>apiKey</c> security scheme of the contract: a random value of the shape of the manifest's
    /// key for that place (each letter and digit replaced by a random one of its kind, the rest kept: <c>lk_live_9f2c</c> gives
    /// <c>qw_mzta_3b8e</c>), else a random one.
    /// </summary>
    internal static IReadOnlyList<WrongKey> WrongKeys(ProbeTarget target, SystemModel system, DateTimeOffset now)
    {
        var known = system.Auth.Values.Concat(system.Security.Identities).Append(target.Component.Auth).OfType<ApiKeyAuth>().ToList();
        var result = new List<WrongKey>();
        foreach (var (id, scheme) in target.Document.Components?.SecuritySchemes ?? new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>())
        {
            if (scheme.Type != Microsoft.OpenApi.SecuritySchemeType.ApiKey || string.IsNullOrEmpty(scheme.Name))
            {
                continue;
            }

            var place = scheme.In switch
            {
                Microsoft.OpenApi.ParameterLocation.Query => ApiKeyLocation.Query,
                Microsoft.OpenApi.ParameterLocation.Cookie => ApiKeyLocation.Cookie,
                _ => ApiKeyLocation.Header,
            };
            var key = known.FirstOrDefault(k => k.In == place && string.Equals(k.Header, scheme.Name, StringComparison.OrdinalIgnoreCase))?.Value
                ?? Obtained(target.Service, place, scheme.Name);
            result.Add(new WrongKey(id, place, scheme.Name, Reshaped(key)));
            // A key that is a JWT is verified as a bearer token is, or not at all: the bearer token's forgeries go in its place.
            if (key is not null && JwtForgery.IsJwt(key))
            {
                result.Add(new WrongKey(id, place, scheme.Name, JwtForgery.TamperedPayload(key)!) { Forgery = "tampered payload" });
                result.Add(new WrongKey(id, place, scheme.Name, JwtForgery.OtherKey(key)!) { Forgery = "other key's signature" });
                result.Add(new WrongKey(id, place, scheme.Name, JwtForgery.AlgNone(key)!) { Forgery = "alg none" });
                if (system.Security.SigningKey is { } signingKey && ExpiredToken.Mint(key, signingKey, now - ExpiredToken.MintedPast, now).Token is { } expired)
                {
                    result.Add(new WrongKey(id, place, scheme.Name, expired) { Forgery = ExpiredKey });
                }
            }
        }

        return result;
    }

    /// <summary>How the expired forgery of a key that is a JWT is named: accepted alone, it is AG9003, not AG9002.</summary>
    private const string ExpiredKey = "expired token";

    /// <summary>The value the service's credentials send at <paramref name="place"/> under <paramref name="name"/> (a key the run obtained), or null.</summary>
    private static string? Obtained(Credentials service, ApiKeyLocation place, string name) => place switch
    {
        ApiKeyLocation.Query => service.Query.FirstOrDefault(q => q.Key == name).Value,
        ApiKeyLocation.Cookie => service.Cookies.FirstOrDefault(c => c.Key == name).Value,
        _ => service.Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value,
    };

    /// <summary>A random value of <paramref name="key"/>'s shape (never the key itself), or a random one without a key.</summary>
    internal static string Reshaped(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "archgate" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        }

        string result;
        do
        {
            result = string.Concat(key.Select(c =>
                char.IsAsciiDigit(c) ? (char)('0' + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10))
                : char.IsAsciiLetterLower(c) ? (char)('a' + System.Security.Cryptography.RandomNumberGenerator.GetInt32(26))
                : char.IsAsciiLetterUpper(c) ? (char)('A' + System.Security.Cryptography.RandomNumberGenerator.GetInt32(26))
                : c));
        }
        while (result == key && key.Any(char.IsAsciiLetterOrDigit));

        return result == key ? key + "0" : result;
    }

    /// <summary>Whether <paramref name="operation"/>'s security (else the document's) offers the scheme <paramref name="scheme"/>.</summary>
    private static bool Allows(OperationInfo operation, Microsoft.OpenApi.OpenApiDocument document, string scheme) =>
        (operation.Operation.Security ?? document.Security)?.Any(r => r.Keys.Any(k => k.Reference?.Id == scheme)) == true;

    /// <summary>A wrong key for the contract's <c>apiKey</c> scheme <paramref name="Scheme"/>, sent in its place.</summary>
    internal sealed record WrongKey(string Scheme, ApiKeyLocation In, string Name, string Value)
    {
        /// <summary>For a key that is a JWT: which forgery of it this is (<c>alg none</c>); null for a random key of its shape.</summary>
        public string? Forgery { get; init; }

        /// <summary>How findings name it: <c>wrong API key (header X-Api-Key)</c>, <c>alg none as API key (header X-Api-Key)</c>.</summary>
        public string Variant => $"{Forgery ?? "wrong"}{(Forgery is null ? " " : " as ")}API key ({In.ToString().ToLowerInvariant()} {Name})";

        /// <summary>The request without credentials with this key in the scheme's place.</summary>
        public ProbeRequest On(ProbeRequest request) => In switch
        {
            ApiKeyLocation.Query => request with { Query = [.. request.Query.Where(q => q.Key != Name), new(Name, Value)] },
            ApiKeyLocation.Cookie => request with { Cookies = [.. request.Cookies.Where(c => c.Key != Name), new(Name, Value)] },
            _ => request.WithHeader(Name, Value),
        };
    }

    /// <summary>The forged Authorization headers to try after "no credentials".</summary>
    internal static IReadOnlyList<(string Name, string Header)> Variants(string? token)
    {
        var result = new List<(string, string)> { ("garbage token", "Bearer archgate-garbage-token") };
        if (token is not null && JwtForgery.IsJwt(token))
        {
            result.Add(("tampered payload", "Bearer " + JwtForgery.TamperedPayload(token)));
            result.Add(("other key's signature", "Bearer " + JwtForgery.OtherKey(token)));
            result.Add(("alg none", "Bearer " + JwtForgery.AlgNone(token)));
        }

        return result;
    }

    /// <summary>
    /// One delete per secured DELETE on an item, aimed at an object created for it just before as the service's
    /// identity, or as an identity that may call the create when only some roles may (<see cref="RoleRestriction"/>, as the
    /// authorization check makes it), through the POST on the item's collection: a delete is never sent to what the run
    /// did not create. Where no object can be made, the delete is left out and the reason said. Each comes with the
    /// credentials that created its object, which delete what the probes left.
    /// </summary>
    private static async Task<List<(string What, ProbeRequest Request, Credentials Owner)>> DeleteProbesAsync(
        ProbeTarget target, CheckContext context, ProbeSender sender, List<string> leftOut, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var result = new List<(string, ProbeRequest, Credentials)>();
        foreach (var operation in target.Operations.Where(o => o.Method == "DELETE" && !ProbeTarget.IsPublic(o, policy)))
        {
            var creator = !PathTemplates.EndsInParameter(operation.Template) ? null
                : target.Operations.FirstOrDefault(o => o.Method == "POST" && PathTemplates.IsItemOf(operation.Template, o.Template));
            if (policy.Safe || creator is null)
            {
                leftOut.Add($"{operation.Name} ({(policy.Safe ? "security.safe" : "a delete is sent only to an object the check creates, and the contract has no POST on its collection")})");
                continue;
            }

            var owner = target.Service;
            var admin = "";
            if (RoleRestriction.Of(context.System, creator) is { } restriction)
            {
                var (credentials, whyNot) = await Frontend.ApiSession.SignInAsync(restriction, target.Component, context, cancellationToken);
                if (credentials is null)
                {
                    leftOut.Add($"{operation.Name} (no object to delete: {restriction.What} and {whyNot})");
                    continue;
                }

                (owner, admin) = (credentials, $" as {restriction.Caller!.Label}{(restriction.AdminOnly ? ", the admin" : "")}");
            }

            var book = target.NewBook();
            var (created, notPlanned) = await target.CreateAsync(sender, creator, owner, book, cancellationToken);
            if (created is not { Succeeded: true })
            {
                leftOut.Add($"{operation.Name} (no object to delete: {creator.Name}{admin} answered {created?.Status.ToString(CultureInfo.InvariantCulture) ?? notPlanned ?? "nothing"})");
                continue;
            }

            var delete = RequestPlanner.Plan(operation, book, 1);
            if (delete.Requests.Count == 0)
            {
                leftOut.Add($"{operation.Name} (the object {creator.Name} created could not be found: {delete.SkipReason})");
                continue;
            }

            result.Add((operation.Name, delete.Requests[0] with { Purpose = $"authentication probe of an object {creator.Name}{admin} created for it" }, owner));
        }

        return result;
    }

    /// <summary>One request per operation the contract secures or a pattern of <c>security.protected</c> matches.</summary>
    private static List<(string What, ProbeRequest Request)> Probes(ProbeTarget target, SecurityPolicy policy, List<string> leftOut)
    {
        var book = target.NewBook();
        var result = new List<(string, ProbeRequest)>();
        // An operation that also takes anonymous callers (security: [{}, {bearer: []}], optional sign-in) answers them by design.
        foreach (var operation in target.Operations.Where(o => !ProbeTarget.IsPublic(o, policy)))
        {
            if (operation.Method == "DELETE")
            {
                continue; // DeleteProbesAsync
            }

            if (policy.Safe && !operation.IsSafe)
            {
                leftOut.Add($"{operation.Name} (security.safe)");
                continue;
            }

            var plan = RequestPlanner.Plan(operation, book, 1);
            var request = plan.Requests.Count > 0
                ? plan.Requests[0]
                : RequestPlanner.UnsupportedMethod(operation.Template, operation.Method, book, [operation]) with { Kind = ProbeKind.Valid, Purpose = "authentication probe" };
            result.Add((operation.Name, request));
        }

        return result;
    }
}
