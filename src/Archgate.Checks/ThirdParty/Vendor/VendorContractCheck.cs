using System.Text;
using Archgate.Checks.Contracts;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty.Vendor;

/// <summary>
/// Step 6, last for each third party with a <c>contract</c>: every request its callers sent it through Archgate's proxies
/// during the run is validated against the vendor's published OpenAPI document (path, method, credentials, required
/// parameters, body media type and schema). A request the vendor would reject is a finding with the request (secrets
/// masked) and the schema path; one finding per distinct problem, with how many requests had it.
/// </summary>
internal sealed class VendorContractCheck(ThirdPartyComponent provider) : ICheck
{
    /// <summary>How many distinct problems are reported per provider. <value>10</value>.</summary>
    private const int MaxFindings = 10;

    /// <summary>How much of a request body the evidence shows. <value>2,000 characters</value>.</summary>
    private const int MaxBodyShown = 2000;

    private static readonly string[] SecretHeaders = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"];

    public string Id => $"third-party.vendor-contract:{provider.Name}";

    public int Step => 6;

    public string Title => $"{provider.Name}: the requests its callers sent satisfy the vendor's contract";

    public Applicability AppliesTo(SystemModel system) =>
        provider.Contract is null ? Applicability.No($"{provider.Name} declares no 'contract'") : Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var contract = provider.Contract!;
        var loaded = await ContractDocumentLoader.LoadAsync(contract.Path, cancellationToken);
        if (loaded.Document is null)
        {
            return CheckResult.From([Make(ThirdPartyRules.VendorContractUnreadable, Severity.High,
                $"{provider.Name}'s contract cannot be read: {string.Join("; ", loaded.Errors.Take(3))}", null,
                "give the vendor's published OpenAPI document (3.0 or 3.1, JSON or YAML) as 'contract'")]);
        }

        var validator = new VendorRequestValidator(loaded.Document);
        var recorded = Recorded(context).ToList();
        if (recorded.Count == 0)
        {
            return CheckResult.From([Make(ThirdPartyRules.VendorNothingRecorded, Severity.Medium,
                $"no request to {provider.Name} was recorded at Archgate's proxies: nothing was validated against its contract", null,
                $"start the system with Archgate (run --up), give {provider.Name}'s callers its address as ${{url:{provider.Name}}} and declare a 'drive' for each edge")]);
        }

        var problems = new Dictionary<(string Caller, VendorProblem Problem), (ProxiedRequest First, int Count)>();
        var checkedOps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (caller, request) in recorded)
        {
            var found = validator.Validate(request);
            foreach (var problem in found)
            {
                problems[(caller, problem)] = problems.TryGetValue((caller, problem), out var seen) ? (seen.First, seen.Count + 1) : (request, 1);
            }

            var key = $"{caller}: {request.Method} {request.Target.Split('?')[0]}";
            checkedOps[key] = checkedOps.GetValueOrDefault(key) + 1;
        }

        var severity = provider.Critical ? Severity.Critical : Severity.High;
        var findings = problems
            .OrderByDescending(p => p.Value.Count)
            .Take(MaxFindings)
            .Select(p => Make(ThirdPartyRules.VendorWouldReject, severity,
                $"{p.Key.Caller} → {provider.Name}: {p.Key.Problem.Operation} breaks the vendor's contract ({p.Value.Count} of {recorded.Count(r => r.Caller == p.Key.Caller)} request(s)): {p.Key.Problem.Message}",
                $"schema path: {Path.GetFileName(contract.Path)}{p.Key.Problem.SchemaPath}\n{Show(p.Value.First)}",
                $"send what {provider.Name}'s contract asks for; the test-mode stub took it, the real {provider.Name} would not"))
            .ToList();
        if (findings.Count == 0)
        {
            findings.Add(Make(ThirdPartyRules.VendorContractHolds, Severity.Info,
                $"{recorded.Count} request(s) to {provider.Name} satisfy its contract ({Path.GetFileName(contract.Path)})",
                string.Join("\n", checkedOps.Select(o => $"{o.Key} × {o.Value}")), "nothing to do"));
        }

        return CheckResult.From(findings, [Metric.ForComponent("vendor_requests_validated", provider.Name, recorded.Count, "requests")]);
    }

    /// <summary>
    /// The callers' requests recorded at every HTTP proxy in front of the provider that the proxy read in full (answered,
    /// by the provider or by a fault): under the edge's <c>calls</c> prefix when it declares one, else all but health probes.
    /// </summary>
    private IEnumerable<(string Caller, ProxiedRequest Request)> Recorded(CheckContext context)
    {
        if (context.Edges is not EdgeProxies proxies)
        {
            yield break;
        }

        foreach (var (edge, proxy) in proxies.All.Where(p => p.Key.Dependency == provider.Name && p.Value.Mode == ProxyMode.Http).OrderBy(p => p.Key.Caller, StringComparer.Ordinal))
        {
            var prefix = context.System.Edges.FirstOrDefault(e => e.Edge == edge)?.Calls;
            foreach (var request in proxy.Counters.Requests.Where(r => r.Status is not null))
            {
                var counts = prefix is not null
                    ? request.Target.StartsWith(prefix, StringComparison.Ordinal)
                    : !request.Target.StartsWith("/health", StringComparison.OrdinalIgnoreCase);
                if (counts)
                {
                    yield return (edge.Caller, request);
                }
            }
        }
    }

    /// <summary>The request as evidence: start line, headers (credentials masked), body (cut).</summary>
    internal static string Show(ProxiedRequest request)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.Target).Append(" → ").Append(request.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer").AppendLine(" at the proxy");
        foreach (var (name, value) in request.Headers)
        {
            text.Append(name).Append(": ").AppendLine(SecretHeaders.Contains(name.ToLowerInvariant()) ? Mask(value) : value);
        }

        if (request.Body is { } body)
        {
            var shown = Encoding.UTF8.GetString(body.Bytes);
            text.AppendLine().Append(shown.Length > MaxBodyShown ? shown[..MaxBodyShown] + "..." : shown);
            if (body.Truncated)
            {
                text.Append(" (cut)");
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A credential header with its scheme word kept (<c>Bearer ***</c>) and its value hidden.</summary>
    private static string Mask(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && space < 20 ? value[..space] + " ***" : "***";
    }

    private Finding Make(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, provider.Name, provider.Contract?.Location.ToString() ?? provider.Location.ToString(), message, evidence, hint);
}
