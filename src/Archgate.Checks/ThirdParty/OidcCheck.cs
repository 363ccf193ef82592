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

/// <summary>Timings of the OIDC check.</summary>
public sealed record OidcCheckOptions
{
    /// <summary>How long one request to the provider or to the caller may take. <value>10 s</value>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the check may wait for the genuine id token to expire (exp plus the caller's skew) to present it expired,
    /// unless the manifest's <c>oidc.expiryWait</c> says otherwise; beyond it the case is not evaluated (AG6093). Zero
    /// switches the case off without a finding (tests of other cases). <value>60 s</value>.
    /// </summary>
    public TimeSpan MaxExpiryWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>With the provider down, how much later than its timeout the caller may still answer. <value>2 s</value>.</summary>
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Step 6 per third party with an <c>oidc</c> section: plays a public client (as a single-page app does) against the
/// provider and then presents id tokens to the caller that signs users in with them. At the provider: the discovery
/// document is valid and consistent (its issuer is the declared one, its endpoints under the issuer's origin, RS256 and
/// S256 advertised), the JWKS has an RSA signing key, the authorization code flow with PKCE completes for the test user
/// and gives back the state, the id token meets OpenID Connect Core 3.1.3.7, and a wrong or missing code_verifier and
/// a reused code are refused (RFC 7636 4.6, RFC 6749 4.1.2). At the caller: the genuine id token signs in, while one
/// with another nonce, one signed with a key the provider never published, an unsigned one, one issued to another
/// client and (when tokens are short-lived) an expired one are refused. A provider that does not answer is a
/// third-party outage affecting sign-in, not the caller's fault; the caller must then still answer a sign-in attempt
/// with a readable error within the provider's timeout, and its password login must keep working.
/// </summary>
internal sealed partial class OidcCheck(ThirdPartyComponent provider, OidcCheckOptions? options = null) : ICheck
{
    private readonly OidcCheckOptions _options = options ?? new();

    private OidcSpec Spec => provider.Oidc!;

    private ThirdPartyComponent Provider => provider;

    public string Id => $"third-party.oidc:{provider.Name}";

    public int Step => 6;

    public string Title => $"{provider.Name} signs users in with OpenID Connect (code flow with PKCE) and {Spec.Receiver} takes only its genuine id tokens";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var run = new Run(this, context, cancellationToken);
        await run.ExecuteAsync();
        var evidence = run.Timeline.ToString();
        var findings = run.Findings.Select(f => f with { Evidence = evidence }).ToList();
        if (findings.All(f => f.Rule == ThirdPartyRules.OidcExpiredNotEvaluated))
        {
            findings.Add(Make(ThirdPartyRules.OidcVerified, Severity.Info, provider.Name,
                $"sign-in with {provider.Name} works: discovery and JWKS valid, the code flow with PKCE completes and keeps the state, wrong and missing code_verifier and a reused code refused; " +
                $"{Spec.Receiver} took the genuine id token and refused {run.Refused} forged one(s) ({string.Join(", ", run.RefusedCases)})",
                "nothing to do") with { Evidence = evidence });
        }

        return CheckResult.From(findings);
    }

    private Finding Make(string rule, Severity severity, string component, string message, string hint) => new()
    {
        Rule = rule,
        Severity = severity,
        Component = component,
        Location = Spec.Location is { } l ? $"{l} components.{provider.Name}.oidc" : $"components.{provider.Name}.oidc",
        Message = message,
        Hint = hint,
    };

    /// <summary>One answer over HTTP, or why there was none; never an exception.</summary>
    private sealed record Answer(int? Status, string Body, Uri? Location, string? Error, TimeSpan Latency)
    {
        public string Describe() => Status is { } s
            ? $"{s}{(Excerpt(Body) is { Length: > 0 } b ? $" {b}" : string.Empty)}"
            : $"no answer ({Error}) after {Latency.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

        private static string Excerpt(string body)
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                foreach (var field in new[] { "error", "title", "error_description" })
                {
                    if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String)
                    {
                        return ProbeHttp.Excerpt(v.GetString()!, 120);
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON: no excerpt; bodies may carry tokens.
            }

            return string.Empty;
        }
    }

    /// <summary>The endpoints the discovery document names.</summary>
    private sealed record Endpoints(Uri Authorize, Uri Token, Uri Jwks);

    /// <summary>What the authorization endpoint's redirect carried.</summary>
    private sealed record Redirect(string? Code, string? State, string? Iss, string? Problem);
}
