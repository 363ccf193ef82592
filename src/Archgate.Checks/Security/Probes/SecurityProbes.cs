using Archgate.Checks.Contracts;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9's active probes of every service with a url, in plan order: authentication, authorization, CORS and CSRF,
/// then injection last. The injection probes are the ones that disturb the session the others share: they send every
/// operation, a logout ending it and wrong passwords that a login rate limiter counts against the contract's example
/// user (ex11: the CSRF probe after them found its identity refused 429), so nothing that needs the session follows them.
/// The sign-in guessing probes (one per login operation) come after every service's: they set out to meet a limiter,
/// which may then refuse sign-ins from this address for a while.
/// </summary>
public static class SecurityProbes
{
    /// <summary>The probe checks for the system of <paramref name="build"/>.</summary>
    public static IEnumerable<ICheck> For(StepChecksContext build, SecurityProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        options ??= new SecurityProbeOptions();
        var documents = new ContractDocuments();
        var services = build.InOrder<ServiceComponent>();
        foreach (var service in services)
        {
            yield return new AuthenticationCheck(service, documents, options);
            yield return new AuthorizationCheck(service, documents, options);
            yield return new CorsCheck(service, documents, options);
            yield return new InjectionCheck(service, documents, options);
        }

        // After every service's probes: a sign-in limit the guessing meets may refuse this address for a while.
        foreach (var guessing in PasswordGuessingCheck.For(build.System, services, documents, options))
        {
            yield return guessing;
        }
    }
}
