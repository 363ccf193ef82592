using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Signs in as one of the manifest's <c>security.identities</c>, the way the component's own <c>auth</c> login
/// does (its method, path and token field), with the identity's user and password. The seam the named
/// <c>auth</c> model's token source replaces once it lands.
/// </summary>
internal static class IdentityLogin
{
    /// <summary>Why identities cannot sign in to <paramref name="component"/>, or null when they can.</summary>
    public static string? Unsupported(Component component) => component.Auth is LoginAuth
        ? null
        : $"{component.Name} has no login 'auth' (login: POST /path) to sign the identities in with";

    /// <summary>The credentials of <paramref name="identity"/>; <see cref="Credentials.Problem"/> says why not.</summary>
    public static Task<Credentials> LoginAsync(ProbeTarget target, Identity identity, HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (target.Component.Auth is not LoginAuth login)
        {
            return Task.FromResult(new Credentials([], [identity.Password], Unsupported(target.Component)));
        }

        var auth = new LoginAuth(login.Method, login.Path, identity.User, identity.Password, login.TokenPath);
        return Authenticator.AuthenticateAsync(auth, target.BaseUrl, target.Document, http, timeout, cancellationToken);
    }
}
