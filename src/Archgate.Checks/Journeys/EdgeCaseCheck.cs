using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, error scenarios and edge cases for the operations the journeys call: each HTTP journey of the service runs
/// once (its setup too), and for each operation it called (the first call of each; logins are step 5's), the contract
/// gives the cases (<see cref="EdgeCases"/>) around the request the journey sent: invalid input, the largest payload
/// and one beyond, a list filtered to nothing. Each answer is judged by <see cref="EdgeCaseJudge"/>; every request and
/// answer is in the operation's summary.
/// </summary>
internal sealed class EdgeCaseCheck(ServiceComponent service, ContractDocuments documents, JourneyCheckOptions options) : ICheck
{
    public string Id => $"journeys.edge-cases:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: invalid input, the largest payloads and empty lists for the journeys' operations";

    public Applicability AppliesTo(SystemModel system) =>
        ContractDocuments.Declared(service) is { Applies: false } none ? none
        : Journeys(system).Count == 0 ? Applicability.No($"no journey with HTTP steps calls {service.Name}")
        : Applicability.Yes;

    private List<Journey> Journeys(SystemModel system) =>
        [.. system.Journeys.Where(j => j.Service == service.Name && !j.HasBrowserSteps && j.Steps.Any(s => s.Request is not null))];

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var loaded = await documents.LoadAsync(service.OpenApi!.Path, cancellationToken);
        if (loaded.Document is null)
        {
            return CheckResult.Skipped($"{service.Name}'s contract could not be read (step 2 says why)");
        }

        var operations = OperationInfo.All(loaded.Document);
        var resources = ContractResource.Find(loaded.Document);
        var contractBase = ContractBase.Of(service.Url, loaded.Document);
        var prefix = ContractBase.Prefix(service.Url, loaded.Document);
        var logins = context.System.Auth.Values.OfType<LoginAuth>().Where(l => l.SignsInAt(service.Name)).Select(l => $"{l.Method.ToUpperInvariant()} {l.Path}").ToHashSet(StringComparer.Ordinal);
        var findings = new List<Finding>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var sent = 0;
        foreach (var declared in Journeys(context.System))
        {
            var journey = await Performance.LoadScenario.WithContractLoginsAsync(context.System, declared, cancellationToken);
            context.Activity?.Report($"edge cases: running '{journey.Name}' once");
            var calls = new List<JourneyWrite>();
            var variables = new Dictionary<string, string>(journey.Variables, StringComparer.Ordinal);
            var run = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Setup, variables, cancellationToken, calls: calls);
            if (run.Ok)
            {
                run = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Steps, JourneyRunner.Start(variables, 1), cancellationToken, calls: calls);
            }

            if (!run.Ok)
            {
                findings.Add(Finding(JourneyRules.EdgeCasesNotCovered, Severity.Info, journey.Name,
                    $"'{journey.Name}' failed at {run.FailedStep} ({run.Problem}): the operations after it have no edge cases", run.Evidence));
            }

            foreach (var call in calls.Where(c => c.Answer.Ok))
            {
                if (Match(operations, call, prefix) is not { } operation || logins.Contains($"{operation.Method} {prefix}{operation.Template}") || !covered.Add(operation.Name))
                {
                    continue;
                }

                var cases = EdgeCases.For(operation, call.Path, call.Body, options.EdgeCasesPerOperation);
                if (cases.Count == 0)
                {
                    continue;
                }

                context.Activity?.Report($"edge cases: {cases.Count} of {operation.Name}");
                var resource = resources.FirstOrDefault(r => r.Create.Name == operation.Name);
                sent += await OperationAsync(context.Http, operation, call, cases, resource, contractBase, findings, cancellationToken);
            }
        }

        if (covered.Count == 0)
        {
            return new CheckResult
            {
                Status = CheckStatus.Error,
                Reason = $"no operation of {service.Name}'s contract could be reached through its journeys",
                Findings = findings,
            };
        }

        return CheckResult.From(findings, [new Metric("edge_cases", new Dictionary<string, string> { ["service"] = service.Name }, sent, "count")]);
    }

    private async Task<int> OperationAsync(HttpClient http, OperationInfo operation, JourneyWrite call, IReadOnlyList<EdgeCase> cases, ContractResource? resource, Uri contractBase,
        List<Finding> findings, CancellationToken cancellationToken)
    {
        var made = new List<string>();
        var list = EdgeCases.ListProperty(operation);
        var lines = new List<string>();
        var failed = 0;
        var unanswered = 0;
        var undetermined = 0;
        var headers = call.Headers;
        Task<ApiAnswer> SendAsync(EdgeCase edge) =>
            ApiCall.SendAsync(http, operation.Method, ApiCall.Resolve(service.Url, edge.PathAndQuery), headers, edge.Body, ApiCall.DefaultTimeout, cancellationToken,
                operation.JsonMediaType);

        async Task<(EdgeCase Edge, ApiAnswer Answer)> SendAdaptedAsync(EdgeCase edge)
        {
            var answer = await SendAsync(edge);
            if (answer.Status == 409 && edge.Body is { } body && ContractResource.Unique(body, operation) is { } unique)
            {
                // The journey's own values, kept unique by the service (its title, its e-mail), conflict with what the
                // journey created: a 409 that says nothing of the edge case. It goes again once with unique free text.
                edge = edge with { Body = unique };
                answer = await SendAsync(edge);
            }

            if (answer.Status == 412 && IfMatch(headers) is not null
                && await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url, edge.PathAndQuery), [.. headers.Where(h => !IsIfMatch(h))], null, ApiCall.DefaultTimeout, cancellationToken)
                    is { Ok: true } current && current.Header("ETag") is { } etag)
            {
                // The journey's captured ETag went stale with its own update: a 412 that says nothing of the edge case.
                // The cases go on with the item's current ETag.
                headers = [.. headers.Where(h => !IsIfMatch(h)), new("If-Match", etag)];
                answer = await SendAsync(edge);
            }

            return (edge, answer);
        }

        // The journey's own request again first. A case changes one thing of it, so a case's refusal says something of
        // its input only while this request is still taken: a journey that moved its object on (submitted the claim the
        // items are added to) has the service refuse every case for the object's state, whatever the input.
        string? refusedAsIs = null;
        if (cases.Any(c => c.Kind is not EdgeCaseKind.Empty))
        {
            var (_, baseline) = await SendAdaptedAsync(new EdgeCase(EdgeCaseKind.Largest, "the journey's request", call.Path, call.Body));
            lines.Add($"the journey's request again: {operation.Method} {call.Path} -> " +
                (baseline.Failure is null ? $"{baseline.Status} {ProbeHttp.Excerpt(baseline.Body, 200)}" : baseline.Failure.Cause));
            if (baseline.Ok && resource?.ItemPath(baseline, contractBase.AbsolutePath.TrimEnd('/')) is { } again)
            {
                made.Add(again);
            }
            else if (baseline.Failure is null && baseline.Status is >= 400 and < 500)
            {
                refusedAsIs = $"the journey's own request is refused now too ({baseline.Status}), so a refusal says nothing of the input";
            }
        }

        foreach (var planned in cases)
        {
            var (edge, answer) = await SendAdaptedAsync(planned);
            var evidence = $"{EdgeCaseJudge.Describe(edge)}: {operation.Method} {edge.PathAndQuery}{(edge.Body is null ? string.Empty : " " + ProbeHttp.Excerpt(edge.Body, 200))} -> " +
                (answer.Failure is null ? $"{answer.Status} {ProbeHttp.Excerpt(answer.Body, 200)}" : answer.Failure.Cause);
            lines.Add(evidence);
            if (answer.Ok && resource?.ItemPath(answer, contractBase.AbsolutePath.TrimEnd('/')) is { } item)
            {
                made.Add(item);
            }

            if (answer.Failure is not null)
            {
                unanswered++;
                continue;
            }

            if (refusedAsIs is not null && edge.Kind is not EdgeCaseKind.Empty && answer.Status is >= 400 and < 500)
            {
                undetermined++;
                lines[^1] += $" (not determined: {refusedAsIs})";
                continue;
            }

            if (edge.Kind == EdgeCaseKind.Largest && answer.Status is >= 400 and < 500 and not (400 or 422))
            {
                // Refused before its body was looked at (a precondition, a conflict, a permission): the case proved nothing.
                undetermined++;
                lines[^1] += " (not determined: refused for something other than its body)";
                continue;
            }

            if (EdgeCaseJudge.Judge(edge, answer, list) is not { } verdict)
            {
                continue;
            }

            failed++;
            if (verdict.Rule == JourneyRules.InvalidInputAccepted && answer.Header("Location") is { } location && Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out var stored))
            {
                // What the service kept of the invalid input, read back as the journey's user.
                var read = await ApiCall.SendAsync(http, "GET", stored.IsAbsoluteUri ? stored : ApiCall.Resolve(service.Url, location), call.Headers, null, ApiCall.DefaultTimeout, cancellationToken);
                evidence += $"\nread back: {read.Evidence(400)}";
            }

            findings.Add(Finding(verdict.Rule, verdict.Severity, operation.Name, verdict.Message, evidence, verdict.Hint));
        }

        // What an accepted case created (the largest payload, an invalid input taken) is deleted, as the journey's user,
        // where the contract has a DELETE on the item, else undone by its release action (a booking cancelled): left
        // behind, it keeps a unique slot (or a room) from the checks after this one. With neither it is named in the
        // summary: the step's later checks replay the journey, and what it blocks there is Archgate's own leftover.
        List<string> left = resource is { Delete: null, Release: null } ? [.. made.Distinct(StringComparer.Ordinal)] : [];
        foreach (var item in made.Distinct(StringComparer.Ordinal).Except(left, StringComparer.Ordinal))
        {
            var undone = await CrudCheck.CleanUpAsync(resource!, item, (method, path, body, headers, op) =>
                ApiCall.SendAsync(http, method, ApiCall.Resolve(contractBase, path), [.. call.Headers, .. headers], body?.ToJsonString(), ApiCall.DefaultTimeout, cancellationToken,
                    op?.JsonMediaType ?? "application/json"));
            lines.Add(undone is { Ok: false } ? $"not cleaned up: {undone.Summary}" : $"cleaned up ({resource!.Undo}): {item}");
        }

        var counts = string.Join(", ", cases.GroupBy(c => c.Kind).Select(g => $"{g.Count()} {Name(g.Key)}"));
        findings.Add(Finding(JourneyRules.EdgeCaseSummary, Severity.Info, operation.Name,
            string.Create(CultureInfo.InvariantCulture, $"{operation.Name}: {cases.Count} edge cases ({counts}) around the journey's {call.Method} {call.Path}; {cases.Count - failed - unanswered - undetermined} answered as they must, {failed} not{(unanswered > 0 ? $", {unanswered} got no answer" : string.Empty)}{(undetermined > 0 ? $", {undetermined} not determined" : string.Empty)}{(refusedAsIs is null ? string.Empty : $" ({refusedAsIs}: the journey changed the object's state before the cases; give the cases an object in the state the journey's step saw, for example a journey that stops before it)")}{(left.Count == 0 ? string.Empty : $"; left behind, as the contract has no DELETE on the item and no action that cancels it: {string.Join(", ", left)}")}"),
            string.Join('\n', lines)));
        return cases.Count;
    }

    private static bool IsIfMatch(KeyValuePair<string, string> header) => header.Key.Equals("If-Match", StringComparison.OrdinalIgnoreCase);

    private static string? IfMatch(IEnumerable<KeyValuePair<string, string>> headers) => headers.FirstOrDefault(IsIfMatch).Value;

    private static string Name(EdgeCaseKind kind) => kind switch
    {
        EdgeCaseKind.Invalid => "invalid",
        EdgeCaseKind.Largest => "largest",
        EdgeCaseKind.BeyondLargest => "beyond the largest",
        _ => "empty list",
    };

    /// <summary>The contract's operation a journey's call went to: same method, and its path matches the template.</summary>
    /// <summary>The contract's operation a journey's call reached: its path (a manifest path) with the server's path taken off.</summary>
    private static OperationInfo? Match(IReadOnlyList<OperationInfo> operations, JourneyWrite call, string prefix)
    {
        var path = ContractBase.Strip(call.Path.Split('?')[0], prefix);
        return operations.Where(o => o.Method == call.Method.ToUpperInvariant() && Pattern(o.Template).IsMatch(path))
            .OrderBy(o => o.Template.Count(c => c == '{'))
            .FirstOrDefault();
    }

    private static Regex Pattern(string template) =>
        new("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]*}", "[^/]+") + "/?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint = null) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}
