using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Step 2: a consumer's pact holds against its provider. Every HTTP interaction is replayed against the
/// running provider (the component named like the pact's provider, or mapped in
/// <c>contracts.providers</c>), with provider states set up and torn down around it; each mismatch is a
/// finding worded as the Pact verifier words it.
/// </summary>
internal sealed class PactCheck : ICheck
{
    private readonly string _file;
    private readonly PactReadResult _read;

    /// <summary>What tells this pact from another of the same consumer and provider (its file's name), or null: it is the pair's only one.</summary>
    private readonly string? _variant;

    private PactCheck(string file, PactReadResult read, string? variant = null)
    {
        _file = file;
        _read = read;
        _variant = variant;
    }

    /// <summary>Reads <paramref name="file"/> now, so the check's id names its consumer and provider.</summary>
    public static PactCheck For(string file) => new(file, Read(file));

    /// <summary>
    /// One check per pact file, each read now. The id names the pact's consumer and provider; when several files hold
    /// pacts of one pair (a pact split by feature), each id adds its file's name, <c>contracts.pact:web-api@web-api-write</c>,
    /// so their results, waivers and baselines do not collide (ex13). A pair's only pact keeps the plain id.
    /// </summary>
    public static List<PactCheck> ForAll(IEnumerable<string> files)
    {
        var read = files.Select(f => (File: f, Read: Read(f))).ToList();
        var pairs = read.Where(r => r.Read.Document is not null)
            .GroupBy(r => Pair(r.Read.Document!), StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g)
            .ToList();
        var names = pairs.GroupBy(r => Path.GetFileNameWithoutExtension(r.File), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. read.Select(r => new PactCheck(r.File, r.Read, pairs.Contains(r) ? Variant(r.File) : null))];

        // Two files of one name in different folders: the folder tells them apart.
        string Variant(string file) => names[Path.GetFileNameWithoutExtension(file)] > 1
            ? $"{Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileNameWithoutExtension(file)}"
            : Path.GetFileNameWithoutExtension(file);
    }

    private static PactReadResult Read(string file)
    {
        var text = RegularFile.ReadText(file, Manifest.ManifestLimits.MaxContractBytes, out var problem);
        return text is null ? new PactReadResult(null, [$"cannot read the file: {problem}"]) : PactReader.Read(text);
    }

    private static string Pair(PactDocument pact) => $"{pact.Consumer}-{pact.Provider}";

    public string Id => _read.Document is { } pact
        ? $"contracts.pact:{Pair(pact)}{(_variant is null ? string.Empty : "@" + _variant)}"
        : $"contracts.pact:{Path.GetFileNameWithoutExtension(_file)}";

    public int Step => 2;

    public string Title => _read.Document is { } pact
        ? $"{pact.Provider} honours the pact of {pact.Consumer}{(_variant is null ? string.Empty : $" in {Path.GetFileName(_file)}")}"
        : $"Pact {Path.GetFileName(_file)} holds";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var display = Path.GetRelativePath(context.System.BaseDirectory, _file);
        if (_read.Document is not { } pact)
        {
            return CheckResult.From(_read.Errors.Select(e => Findings.Create(PactRules.PactInvalid, Severity.High,
                component: null,
                location: display,
                message: $"the pact file is not a valid pact: {e}",
                hint: "regenerate the pact from the consumer's tests, or fix the file; Archgate reads Pact specification v1-v4")).ToList());
        }

        var componentName = context.System.Pact.ComponentFor(pact.Provider);
        var provider = context.System.Find<HttpComponent>(componentName);
        if (provider is null)
        {
            return CheckResult.From(
            [
                Findings.Create(PactRules.ProviderUnknown, Severity.High,
                    component: pact.Provider,
                    location: display,
                    message: provider is null
                        ? $"the pact's provider '{pact.Provider}' is not a component of the system"
                        : $"the pact's provider '{componentName}' has no URL to verify against",
                    hint: "name the component like the pact's provider, or map it: contracts: { providers: { " + pact.Provider + ": <component> } }"),
            ]);
        }

        // Message interactions need a message provider (contracts.messages); without one they are noted, not verified.
        var messages = context.System.Pact.Messages is null ? pact.Interactions.Where(i => i.Message is not null).ToList() : [];
        var verifier = new PactVerifier(context.Http, provider.Url, context.System.Pact, context.Time, TokenSource.Of(context));
        var results = await verifier.VerifyAsync(pact with { Interactions = pact.Interactions.Except(messages).ToList() }, context.Activity, cancellationToken);
        var findings = new List<Finding>();
        findings.AddRange(pact.Skipped.Select(s => Findings.Create(PactRules.InteractionSkipped, Severity.Info,
            component: provider.Name,
            location: $"{pact.Consumer}: {display}",
            message: $"skipped {s}: only HTTP and message interactions are verified")));
        findings.AddRange(messages.Select(m => Findings.Create(PactRules.InteractionSkipped, Severity.Info,
            component: provider.Name,
            location: $"{pact.Consumer}: {display}",
            message: $"skipped {m.Message!.Kind} interaction '{m.Description}': no message provider to ask for it",
            hint: "name the endpoint that produces messages: contracts: { messages: { url: /_pact/messages } }")));

        foreach (var result in results)
        {
            // Warnings (an unsupported matcher or generator) never fail the provider.
            findings.AddRange(result.Mismatches.Where(m => m.IsWarning).Select(m => Findings.Create(PactRules.NotApplied, Severity.Medium,
                component: provider.Name,
                location: Location(pact, result, null),
                message: m.Message,
                hint: "Archgate did not apply this part of the pact; check it by hand, or tell the Archgate maintainers which matcher or generator you need")));

            if (result.Passed)
            {
                findings.Add(Findings.Create(PactRules.InteractionPassed, Severity.Info,
                    component: provider.Name,
                    location: Location(pact, result, null),
                    message: $"verified: {result.Request}" + StatesText(result.Interaction)));
                continue;
            }

            // A pending interaction (v4) is reported but does not fail the verification, as the Pact rules say.
            findings.AddRange(result.Mismatches.Where(m => !m.IsWarning).Select(m => Findings.Create(RuleFor(m.Kind), result.Pending ? Severity.Medium : Severity.High,
                component: provider.Name,
                location: Location(pact, result, m),
                message: result.Pending ? $"pending interaction: {m}" : m.ToString(),
                evidence: result.Evidence ?? result.Request,
                hint: result.Pending
                    ? $"the interaction is pending: {pact.Consumer} expects this but does not yet rely on it; it fails the verification once it is no longer pending"
                    : HintFor(m.Kind, pact))));
        }

        var failed = results.Count(r => !r.Passed && !r.Pending);
        var pendingFailed = results.Count(r => !r.Passed && r.Pending);
        var tags = new Dictionary<string, string> { ["component"] = provider.Name, ["consumer"] = pact.Consumer, ["provider"] = pact.Provider };
        var metrics = new List<Metric>
        {
            new("pact_interactions_verified", tags, results.Count, "count"),
            new("pact_interactions_failed", tags, failed, "count"),
            new("pact_interactions_pending_failed", tags, pendingFailed, "count"),
            new(ContractRules.MismatchRateMetric, tags, results.Count == 0 ? 0 : (double)failed / results.Count, "ratio"),
        };
        var check = CheckResult.From(findings, metrics);
        return results.FirstOrDefault(r => r.TransientCause is not null) is { } transient
            ? check with { TransientCause = transient.TransientCause }
            : check;
    }

    private static string Location(PactDocument pact, InteractionResult result, PactMismatch? mismatch)
    {
        var where = mismatch switch
        {
            null => null,
            { Kind: MismatchKind.Status } => "status",
            { Kind: MismatchKind.Header } m => $"header {m.Path}",
            { Kind: MismatchKind.Metadata } m => $"metadata {m.Path}",
            { Kind: MismatchKind.State } m => $"state '{m.Path}'",
            { Kind: MismatchKind.Body or MismatchKind.BodyType } m => m.Where ?? "body",
            _ => "request",
        };
        return $"{pact.Consumer}: \"{result.Interaction.Description}\"" + (where is null ? string.Empty : $" {where}");
    }

    private static string StatesText(PactInteraction interaction) => interaction.States.Count == 0
        ? string.Empty
        : $" given {string.Join(", ", interaction.States.Select(s => $"'{s.Name}'"))}";

    private static string RuleFor(MismatchKind kind) => kind switch
    {
        MismatchKind.State => PactRules.StateChangeFailed,
        MismatchKind.Request => PactRules.RequestFailed,
        MismatchKind.Login => PactRules.LoginFailed,
        _ => PactRules.InteractionFailed,
    };

    private static string HintFor(MismatchKind kind, PactDocument pact) => kind switch
    {
        MismatchKind.State => "check contracts.stateChange and that the provider's state endpoint knows this state",
        MismatchKind.Request => "is the provider running at its URL (and its message endpoint, contracts.messages)? 'archgate run --up' starts the components that have a 'run' section",
        MismatchKind.Login => "check contracts.auth (login path, username, password, token field)",
        _ => $"{pact.Provider} broke what {pact.Consumer} relies on: restore the field or type, or agree a new pact with {pact.Consumer} before changing the API",
    };
}
