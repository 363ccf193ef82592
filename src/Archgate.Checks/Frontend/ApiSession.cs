using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;
using Microsoft.OpenApi;

namespace Archgate.Checks.Frontend;

/// <summary>
/// The seam between steps 5 and 7 and the manifest's login: the credentials a service's <c>auth</c> gives. It reads
/// the service's <see cref="ServiceAuth"/> today; the named <c>auth</c> model with one token source per identity
/// replaces the body of <see cref="SignInAsync"/> and nothing else.
/// </summary>
internal static class ApiSession
{
    /// <summary>Signs in to <paramref name="service"/> as its <c>auth</c> says; no auth gives empty credentials.</summary>
    public static Task<Credentials> SignInAsync(Component service, HttpClient http, CancellationToken cancellationToken) =>
        Authenticator.AuthenticateAsync(service.Auth, service.Url!, new OpenApiDocument(), http, ApiCall.DefaultTimeout, cancellationToken);
}
