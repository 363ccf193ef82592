using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

/// <summary>
/// Runs one probe check against a <see cref="ProbeTestApi"/> through the manifest a user would write, with its
/// <see cref="ProbeTestApi.Contract"/> unless a test gives another.
/// </summary>
internal static class ProbeKit
{
    public static async Task<CheckResult> RunAsync(
        ProbeTestApi api, Func<Component, ContractDocuments, SecurityProbeOptions, ICheck> make, string security = "", SecurityProbeOptions? options = null,
        string? contract = null, string protectedPaths = ProbeTestApi.ProtectedPaths, string identities = ProbeTestApi.Identities, bool admin = true, bool staff = false,
        string fixtures = "", string auth = "")
    {
        var folder = Directory.CreateTempSubdirectory("archgate-security-").FullName;
        var path = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(path, contract ?? ProbeTestApi.Contract);
        var system = TestSystems.Load(api.Manifest(path, security, protectedPaths, identities, admin, staff, fixtures, auth), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = make(system.Components[0], new ContractDocuments(), options ?? new SecurityProbeOptions());
        Assert.True(check.AppliesTo(system).Applies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await check.RunAsync(TestSystems.Context(system, http), timeout.Token);
    }

    /// <summary>Every finding, one line each, then every request the server received: the message of a failed assertion.</summary>
    public static string Dump(CheckResult result, ProbeTestApi api) =>
        $"{result.Status} {result.Reason}\n" + string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} | {f.Message} | {f.Evidence}"))
        + "\n--\n" + string.Join("\n", api.Server.Requests.Take(200).Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));

    /// <summary>Findings at medium or above.</summary>
    public static IReadOnlyList<Finding> Serious(CheckResult result) => result.Findings.Where(f => f.Severity >= Severity.Medium).ToList();
}
