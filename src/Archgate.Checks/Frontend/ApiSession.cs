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

    /// <summary>
    /// Signs in to <paramref name="service"/> as the run's admin (<see cref="Security.AdminOperations.Admin"/>), for an
    /// admin-only operation: the admin and its credentials, or why there are none (<c>no identity has roles: [admin]</c>,
    /// <c>'ada' could not sign in: ...</c>). The token source signs each identity in once per run.
    /// </summary>
    public static async Task<(ServiceAuth? Admin, Credentials? Credentials, string? WhyNot)> SignInAsAdminAsync(HttpComponent service, CheckContext context, CancellationToken cancellationToken)
    {
        if (Security.AdminOperations.Admin(context.System) is not { } admin)
        {
            return (null, null, "no identity has roles: [admin]");
        }

        var credentials = await SignInAsync(admin, service, context, cancellationToken);
        return credentials.Ok ? (admin, credentials, null) : (admin, null, $"'{admin.Label}' could not sign in: {credentials.Problem}");
    }

    /// <summary>Signs in to <paramref name="service"/> as <paramref name="identity"/> (an identity of the top-level <c>auth</c> section, an admin).</summary>
    public static Task<Credentials> SignInAsync(ServiceAuth? identity, HttpComponent service, CheckContext context, CancellationToken cancellationToken) =>
        TokenSource.Of(context).CredentialsAsync(identity, service.Url, ApiCall.DefaultTimeout, cancellationToken);
}
