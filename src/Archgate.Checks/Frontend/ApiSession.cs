using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>The credentials of a service's <c>auth</c> identity for steps 5 and 7, from the run's <see cref="TokenSource"/> (one login per identity and service).</summary>
internal static class ApiSession
{
    /// <summary>Signs in to <paramref name="service"/> as its <c>auth</c> says; no auth gives empty credentials.</summary>
    public static Task<Credentials> SignInAsync(ServiceComponent service, CheckContext context, CancellationToken cancellationToken) =>
        SignInAsync(service.Auth, service, context, cancellationToken);

    /// <summary>
    /// Signs in to <paramref name="service"/> as the identity that may call what <paramref name="restriction"/> restricts
    /// (<see cref="RoleRestriction.Caller"/>): its credentials, or why there are none (<see cref="RoleRestriction.NoCaller"/>,
    /// <c>'sam' could not sign in: ...</c>). The token source signs each identity in once per run.
    /// </summary>
    public static async Task<(Credentials? Credentials, string? WhyNot)> SignInAsync(RoleRestriction restriction, HttpComponent service, CheckContext context, CancellationToken cancellationToken)
    {
        if (restriction.Caller is not { } caller)
        {
            return (null, restriction.NoCaller);
        }

        var credentials = await SignInAsync(caller, service, context, cancellationToken);
        return credentials.Ok ? (credentials, null) : (null, $"'{caller.Label}' could not sign in: {credentials.Problem}");
    }

    /// <summary>Signs in to <paramref name="service"/> as <paramref name="identity"/> (an identity of the top-level <c>auth</c> section, an admin).</summary>
    public static Task<Credentials> SignInAsync(ServiceAuth? identity, HttpComponent service, CheckContext context, CancellationToken cancellationToken) =>
        TokenSource.Of(context).CredentialsAsync(identity, service.Url, ApiCall.DefaultTimeout, cancellationToken);
}
