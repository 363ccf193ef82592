using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>The credentials of a service's <c>auth</c> identity for steps 5 and 7, from the run's <see cref="TokenSource"/> (one login per identity and service).</summary>
internal static class ApiSession
{
    /// <summary>Signs in to <paramref name="service"/> as its <c>auth</c> says; no auth gives empty credentials.</summary>
    public static Task<Credentials> SignInAsync(ServiceComponent service, CheckContext context, CancellationToken cancellationToken) =>
        TokenSource.Of(context).CredentialsAsync(service.Auth, service.Url!, ApiCall.DefaultTimeout, cancellationToken);
}
