using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// The manifest's <c>security.identities</c> as the authorization probes use them: signed in through the run's
/// <see cref="TokenSource"/> at the probed service, ordinary users (no <c>admin</c> role) first.
/// </summary>
internal static class IdentityLogin
{
    /// <summary>The identities that are no admin (their roles do not name one), in manifest order; without roles, every identity.</summary>
    public static IReadOnlyList<ServiceAuth> Ordinary(IReadOnlyList<ServiceAuth> identities) =>
        identities.Where(i => !AdminOperations.IsAdmin(i)).ToList();

    /// <summary>The credentials of <paramref name="identity"/> at the target; <see cref="Credentials.Problem"/> says why not.</summary>
    public static async Task<Credentials> LoginAsync(ProbeTarget target, ServiceAuth identity, CheckContext context, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await Authenticator.AuthenticateAsync(identity, target.Component.Url, target.Document, context, timeout, cancellationToken)).Credentials; // a manifest path: under the url
}
