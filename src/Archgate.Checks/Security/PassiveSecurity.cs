using Archgate.Checks.Security.Passive;
using Archgate.Protocol;

namespace Archgate.Checks.Security;

/// <summary>
/// Step 9's checks that send no attack: the passive rules over the run's traffic, secrets, the dependency audit
/// and TLS. They run after the active probes, so the passive rules also judge what the probes received.
/// </summary>
public static class PassiveSecurity
{
    /// <summary>The checks, in run order.</summary>
    public static IEnumerable<ICheck> Checks(StepChecksContext build, Audit.DependencyAuditOptions? audit = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        yield return new PassiveScanCheck(new PassiveScanOptions());
        yield return new Secrets.SecretsCheck(new Secrets.SecretsScanOptions());
        yield return new Audit.DependencyAuditCheck(audit ?? new Audit.DependencyAuditOptions());
        foreach (var component in build.System.OfKind<Model.HttpComponent>().Where(c => c.Kind is Model.ComponentKind.Service or Model.ComponentKind.Frontend && c.Url.Scheme == Uri.UriSchemeHttps))
        {
            yield return new Tls.TlsCheck(component, new Tls.TlsCheckOptions());
        }
    }

    /// <summary>
    /// The recorder of a run's probe client: <c>ProbeHttp.CreateClient(hosts, PassiveSecurity.Recorder())</c>, so
    /// the passive rules judge every response of the run, not only step 9's own.
    /// </summary>
    public static PassiveTraffic Recorder() => new();
}
