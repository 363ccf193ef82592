using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>The credentials of a service's <c>auth</c> identity for steps 5 and 7, from the run's <see cref="TokenSource"/> (one login per identity and service).</summary>
internal static class ApiSession
{
    /// <summary>Signs in to <paramref name="service"/> as its <c>auth</c> says; no auth gives empty credentials.</summary>
    public static Task<Credentials> SignInAsync(ServiceComponent service, CheckContext context, CancellationToken cancellationToken) =>
        SignInAsync(service.Auth, service, context, cancellationToken);

    /// <summary>Signs in to <paramref name="service"/> as <paramref name="identity"/> (an identity of the top-level <c>auth</c> section, an admin).</summary>
    public static Task<Credentials> SignInAsync(ServiceAuth? identity, ServiceComponent service, CheckContext context, CancellationToken cancellationToken) =>
        TokenSource.Of(context).CredentialsAsync(identity, service.Url!, ApiCall.DefaultTimeout, cancellationToken);
}
