using Archgate.Checks.Contracts;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>Step 9's active probes of every service with a url, in plan order: authentication, authorization, injection, CORS.</summary>
public static class SecurityProbes
{
    /// <summary>The probe checks for the system of <paramref name="build"/>.</summary>
    public static IEnumerable<ICheck> For(StepChecksContext build, SecurityProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        options ??= new SecurityProbeOptions();
        var documents = new ContractDocuments();
        foreach (var service in build.InOrder<ServiceComponent>())
        {
            yield return new AuthenticationCheck(service, documents, options);
            yield return new AuthorizationCheck(service, documents, options);
            yield return new InjectionCheck(service, documents, options);
            yield return new CorsCheck(service, documents, options);
        }
    }
}
