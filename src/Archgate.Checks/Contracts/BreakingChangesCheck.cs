using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Diff;
using Archgate.Checks.Contracts.Pact;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Step 2: the service's contract against its previous version (<c>openapi.baseline</c>): every change of
/// <c>archgate diff</c> as a finding (ERR high, WARN medium, INFO info), and, for each breaking change, the
/// consumers whose pact interactions touch the broken element ("web uses GET /orders/{id} $.total").
/// </summary>
internal sealed class BreakingChangesCheck(HttpComponent service) : ICheck
{
    public string Id => $"contracts.breaking-changes:{service.Name}";

    public int Step => 2;

    public string Title => $"{service.Name}'s contract keeps what its baseline promised";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var spec = service.OpenApi!;
        context.Activity?.Report($"comparing {Path.GetFileName(spec.Baseline)} with {Path.GetFileName(spec.Path)}");
        var baseline = await ContractDocumentLoader.LoadAsync(spec.Baseline!, cancellationToken);
        var current = await ContractDocumentLoader.LoadAsync(spec.Path, cancellationToken);
        if (baseline.Document is null || current.Document is null)
        {
            var errors = baseline.Errors.Concat(current.Errors).Select(e => Findings.Create(ContractRules.DocumentInvalid, Severity.High,
                component: service.Name,
                location: e.ToString(),
                message: $"cannot compare the contract with its baseline: {e.Message}",
                hint: "fix the document; the breaking-change check needs both versions to load")).ToList();
            return CheckResult.From(errors);
        }

        var report = ContractDiff.Compare(baseline.Document, current.Document);
        var pacts = await ConsumerPactsAsync(context.System, cancellationToken);
        var findings = new List<Finding>();
        foreach (var change in report.Changes)
        {
            findings.Add(Findings.Create(change.Code, change.Level switch
                {
                    ChangeLevel.Err => Severity.High,
                    ChangeLevel.Warn => Severity.Medium,
                    _ => Severity.Info,
                },
                component: service.Name,
                location: $"{change.Operation} {change.Location}",
                message: $"{change.Message} ({change.RuleId})",
                evidence: change.OldValue is null && change.NewValue is null ? null : $"baseline: {change.OldValue ?? "-"}; now: {change.NewValue ?? "-"}",
                hint: change.Level == ChangeLevel.Err
                    ? "restore the element, or version the API and keep the old one until its consumers moved; docs/contract-diff.md has the rule"
                    : null));
            if (change.Level == ChangeLevel.Err)
            {
                findings.AddRange(ConsumerImpact(change, pacts));
            }
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent("contract_breaking_changes", service.Name, report.Count(ChangeLevel.Err), "count"),
            Metric.ForComponent("contract_changes", service.Name, report.Changes.Count, "count"),
        };
        return CheckResult.From(findings, metrics);
    }

    private async Task<IReadOnlyList<PactDocument>> ConsumerPactsAsync(SystemModel system, CancellationToken cancellationToken)
    {
        var result = new List<PactDocument>();
        foreach (var file in system.PactFiles)
        {
            var read = await PactReader.ReadFileAsync(file, cancellationToken);
            if (read.Document is { } pact && system.Pact.Providers.GetValueOrDefault(pact.Provider, pact.Provider) == service.Name)
            {
                result.Add(pact);
            }
        }

        return result;
    }

    /// <summary>One finding per consumer interaction that uses what the change broke.</summary>
    internal IEnumerable<Finding> ConsumerImpact(ApiChange change, IReadOnlyList<PactDocument> pacts)
    {
        var space = change.Operation.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            yield break;
        }

        var method = change.Operation[..space];
        var template = new Regex("^" + Regex.Replace(Regex.Escape(change.Operation[(space + 1)..]), @"\\\{[^}]*}", "[^/]+") + "/?$");
        var jsonPath = JsonPathOf(change.Location);
        foreach (var pact in pacts)
        {
            foreach (var interaction in pact.Interactions)
            {
                // Message interactions call no HTTP operation.
                if (interaction.Message is not null
                    || !interaction.Request.Method.Equals(method, StringComparison.OrdinalIgnoreCase) || !template.IsMatch(interaction.Request.Path))
                {
                    continue;
                }

                var body = change.Location.StartsWith("request", StringComparison.Ordinal) ? interaction.Request.Body : interaction.Response.Body;
                if (jsonPath is not null && !(body?.IsJson == true && Touches(body.Json, jsonPath)))
                {
                    continue;
                }

                yield return Findings.Create(ContractRules.ConsumerBroken, Severity.High,
                    component: service.Name,
                    location: $"{pact.Consumer}: \"{interaction.Description}\"",
                    message: $"{pact.Consumer} uses {change.Operation}{(jsonPath is null ? string.Empty : " " + jsonPath)}, broken in the new version: {change.Message}",
                    hint: $"keep the element until {pact.Consumer} no longer relies on it, or change {pact.Consumer} first");
            }
        }
    }

    /// <summary>The JSON path in a diff location such as <c>response 200 application/json $.total</c>.</summary>
    private static string? JsonPathOf(string location)
    {
        var at = location.IndexOf(" $", StringComparison.Ordinal);
        return at < 0 ? null : location[(at + 1)..];
    }

    /// <summary>Whether the JSON example has something at <paramref name="path"/> (<c>$.a.b</c>, <c>$[*].a</c>).</summary>
    internal static bool Touches(JsonNode? node, string path)
    {
        IEnumerable<JsonNode?> current = [node];
        foreach (Match m in Regex.Matches(path[1..], @"\.([^.\[]+)|\[\*\]|\[(\d+)\]"))
        {
            current = m.Value switch
            {
                "[*]" => current.OfType<JsonArray>().SelectMany(a => a),
                _ when m.Groups[2].Success => current.OfType<JsonArray>().Select(a => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) < a.Count ? a[int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)] : null),
                _ => current.OfType<JsonObject>().Where(o => o.ContainsKey(m.Groups[1].Value)).Select(o => o[m.Groups[1].Value]),
            };
            current = current.ToList();
        }

        return current.Any();
    }
}
