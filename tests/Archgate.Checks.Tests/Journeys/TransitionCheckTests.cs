using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Step 7's state transitions: a claim's actions walked on fresh claims, an illegal one refused, never 5xx.</summary>
public sealed class TransitionCheckTests
{
    private const string Contract = """
        openapi: 3.1.0
        info: { title: claims, version: 1.0.0 }
        paths:
          /claims:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [title], properties: { title: { type: string } } }, example: { title: trip } } }
              responses: { '201': { description: created } }
          /claims/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: the claim } } }
            delete: { responses: { '204': { description: deleted } } }
          /claims/{id}/submit:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post: { responses: { '200': { description: submitted }, '409': { description: not a draft } } }
          /claims/{id}/approve:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post: { responses: { '200': { description: approved }, '409': { description: not submitted } } }
          /claims/{id}/reject:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post:
              requestBody: { content: { application/json: { schema: { type: object, properties: { reason: { type: string } } }, example: { reason: no receipt } } } }
              responses: { '200': { description: rejected }, '409': { description: not submitted } }
          /claims/{id}/pay:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post: { responses: { '200': { description: paid }, '409': { description: not approved } } }
        """;

    /// <summary>How the fake claims API answers an illegal transition.</summary>
    public enum Refusal
    {
        /// <summary>409 with a problem+json naming the state.</summary>
        Conflict,

        /// <summary>500 with a stack trace (ex12's transition-500).</summary>
        Crash,

        /// <summary>409 with a plain-text body.</summary>
        PlainText,

        /// <summary>As <see cref="Conflict"/>, but pay is refused 403 in plain text whatever the state: the caller may not pay.</summary>
        PayForbidden,

        /// <summary>As <see cref="Conflict"/>, but pay is accepted whatever the state: a draft paid without being approved.</summary>
        PaysAnything,
    }

    /// <summary>Claims with a tiny state machine: draft -> submitted -> approved/rejected; approved -> paid.</summary>
    private sealed class ClaimsApi(Refusal refusal) : IDisposable
    {
        private readonly ConcurrentDictionary<int, string> _claims = new();
        private readonly ConcurrentDictionary<int, bool> _approvers = new();
        private int _next;
        private ScriptedHttpServer? _server;

        public ScriptedHttpServer Server => _server ??= new ScriptedHttpServer(Answer);

        public int Live => _claims.Count;

        public void Dispose() => _server?.Dispose();

        private Reply Answer(Received r)
        {
            var path = r.PathAndQuery.Split('?')[0].Trim('/').Split('/');
            if (path is ["approvers", ..])
            {
                return Approvers(r, path);
            }

            if (r.Method == "POST" && path is ["claims"])
            {
                var id = Interlocked.Increment(ref _next);
                _claims[id] = "draft";
                return new Reply(201, new JsonObject { ["id"] = id, ["status"] = "draft" }.ToJsonString(),
                    Headers: new Dictionary<string, string> { ["Location"] = $"/claims/{id}" });
            }

            if (path.Length < 2 || !int.TryParse(path[1], CultureInfo.InvariantCulture, out var claim) || !_claims.TryGetValue(claim, out var state))
            {
                return new Reply(404, """{"title":"no such claim"}""", "application/problem+json");
            }

            switch (r.Method, path.Length)
            {
                case ("GET", 2):
                    return new Reply(200, new JsonObject { ["id"] = claim, ["status"] = state }.ToJsonString());
                case ("DELETE", 2):
                    _claims.TryRemove(claim, out _);
                    return new Reply(204);
                case ("POST", 3) when refusal == Refusal.PayForbidden && path[2] == "pay":
                    return new Reply(403, "forbidden", "text/plain");
                case ("PUT", 3) when path[2] == "assign":
                    // An approver this API knows, or 422: the contract's example id names none.
                    return JsonNode.Parse(r.Body)?["approverId"]?.GetValue<int>() is { } approver && _approvers.ContainsKey(approver)
                        ? new Reply(200, new JsonObject { ["id"] = claim, ["status"] = state, ["approverId"] = approver }.ToJsonString())
                        : new Reply(422, """{"title":"no such approver"}""", "application/problem+json");
                case ("POST" or "PATCH", 3):
                    var verb = r.Method == "POST" ? path[2]
                        : path[2] == "status" ? (string?)JsonNode.Parse(r.Body)?["status"] switch { "submitted" => "submit", "approved" => "approve", "rejected" => "reject", "paid" => "pay", var other => other }
                        : null;
                    string? next = (state, verb) switch
                    {
                        ("draft", "submit") => "submitted",
                        ("submitted", "approve") => "approved",
                        ("submitted", "reject") => "rejected",
                        ("approved", "pay") => "paid",
                        (not "paid", "pay") when refusal == Refusal.PaysAnything => "paid",
                        ("draft" or "submitted", "withdraw") => "withdrawn",
                        _ => null,
                    };
                    if (next is not null)
                    {
                        _claims[claim] = next;
                        return new Reply(200, new JsonObject { ["id"] = claim, ["status"] = next }.ToJsonString());
                    }

                    return refusal switch
                    {
                        Refusal.Conflict or Refusal.PayForbidden or Refusal.PaysAnything => new Reply(409, $$"""{"title":"the claim is {{state}}","detail":"a {{state}} claim cannot be {{path[2]}}ed"}""", "application/problem+json"),
                        Refusal.PlainText => new Reply(409, "conflict", "text/plain"),
                        _ => new Reply(500, $"System.InvalidOperationException: {state} -> {path[2]}\n   at Claims.Workflow.Move(String to)", "text/plain"),
                    };
                default:
                    return new Reply(405);
            }
        }

        private Reply Approvers(Received r, string[] path)
        {
            if (r.Method == "POST" && path.Length == 1)
            {
                var id = 100 + Interlocked.Increment(ref _next);
                _approvers[id] = true;
                return new Reply(201, new JsonObject { ["id"] = id }.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/approvers/{id}" });
            }

            if (path.Length != 2 || !int.TryParse(path[1], CultureInfo.InvariantCulture, out var approver) || !_approvers.ContainsKey(approver))
            {
                return new Reply(404, """{"title":"no such approver"}""", "application/problem+json");
            }

            return r.Method == "DELETE" && _approvers.TryRemove(approver, out _) ? new Reply(204) : new Reply(200, new JsonObject { ["id"] = approver }.ToJsonString());
        }
    }

    /// <summary>The claims contract with its actions as one <c>PATCH /claims/{id}/status</c> whose body's status is an enum.</summary>
    private static readonly string StatusContract = Contract[..Contract.IndexOf("  /claims/{id}/submit:", StringComparison.Ordinal)] + """
          /claims/{id}/status:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            patch:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [status], properties: { status: { type: string, enum: [submitted, approved, rejected, paid] }, note: { type: string } } }
                    example: { status: submitted, note: by archgate }
              responses: { '200': { description: moved }, '409': { description: not allowed from this state } }
        """;

    /// <summary>The claims contract with one <c>PUT /claims/{id}/assign</c> whose body names an approver, and the approvers.</summary>
    private static readonly string AssignContract = Contract[..Contract.IndexOf("  /claims/{id}/submit:", StringComparison.Ordinal)] + """
          /approvers:
            post:
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { name: { type: string } } }, example: { name: ida } } } }
              responses: { '201': { description: created } }
          /approvers/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: the approver } } }
            delete: { responses: { '204': { description: deleted } } }
          /claims/{id}/assign:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            put:
              requestBody: { required: true, content: { application/json: { schema: { type: object, required: [approverId], properties: { approverId: { type: integer } } }, example: { approverId: 7 } } } }
              responses: { '200': { description: assigned }, '422': { description: no such approver } }
        """;

    /// <summary>The claims contract with no DELETE on a claim, and a <c>POST /claims/{id}/withdraw</c> that undoes a draft or submitted one.</summary>
    private static readonly string WithdrawContract = Contract.Replace("    delete: { responses: { '204': { description: deleted } } }\n", string.Empty, StringComparison.Ordinal) + "\n" + """
          /claims/{id}/withdraw:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post: { responses: { '200': { description: withdrawn }, '409': { description: decided already } } }
        """;

    private static async Task<CheckResult> RunAsync(ClaimsApi api, string contract = Contract, string? transitions = null, TransitionBudget? budget = null)
    {
        var folder = AuthFlowCheckTests.Folder();
        File.WriteAllText(Path.Combine(folder, "claims.yaml"), contract);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: "{{api.Server.Url.ToString().TrimEnd('/')}}"
                openapi: claims.yaml
            {{(transitions is null ? string.Empty : "    transitions:\n" + transitions)}}
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new TransitionCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments(), budget);
        Assert.True(check.AppliesTo(system).Applies);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static string Dump(CheckResult result) => $"{result.Status} {result.Reason}\n" + string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location}: {f.Message}\n{f.Evidence}"));

    [Fact]
    public async Task A_state_machine_that_refuses_illegal_transitions_with_409_passes_with_its_map()
    {
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var map = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.TransitionSummary, map.Rule);
        Assert.Contains("4 action(s) (approve, pay, reject, submit), 16 sequence(s) on fresh objects", map.Message, StringComparison.Ordinal);
        Assert.Contains("accepted: [submit], [submit, approve], [submit, reject], [submit, approve, pay]", map.Message, StringComparison.Ordinal);
        Assert.Contains("approve on a fresh object (409)", map.Message, StringComparison.Ordinal);
        Assert.Contains("pay after [submit, reject] (409)", map.Message, StringComparison.Ordinal);
        Assert.Contains("[submit, approve, pay]: submit 200, approve 200, pay 200", map.Evidence, StringComparison.Ordinal);
        Assert.Equal(0, api.Live); // every claim it made deleted
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery.EndsWith("/reject", StringComparison.Ordinal) && r.Body.Contains("no receipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_DELETE_each_claim_is_withdrawn_afterwards_unless_its_sequence_withdrew_it_or_decided_it()
    {
        // Claims left open hold what they claim: with no DELETE in the contract, its withdraw undoes them.
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api, WithdrawContract);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var requests = api.Server.Requests.ToList();
        Assert.DoesNotContain(requests, r => r.Method == "DELETE");
        // Each claim is withdrawn once at most: a sequence that ended with withdraw is not sent it again.
        var withdrawals = requests.Where(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/withdraw", StringComparison.Ordinal)).GroupBy(r => r.PathAndQuery).ToList();
        Assert.All(withdrawals, g => Assert.True(g.Count() <= 2, $"{g.Key} withdrawn {g.Count()} times")); // a probe that was refused, then the clean-up
        var map = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary);
        // What its state refuses to withdraw (approved, paid, rejected) is named as left behind.
        Assert.Contains("not cleaned up: ", map.Message, StringComparison.Ordinal);
        Assert.Contains("after [submit, approve]: POST /claims/", map.Message, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/claims/1/withdraw");
    }

    [Fact]
    public async Task A_state_machine_that_crashes_on_an_illegal_transition_is_AG7070_naming_the_sequence()
    {
        using var api = new ClaimsApi(Refusal.Crash);

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var pay = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionServerError && f.Location == "POST /claims/{id}/pay");
        Assert.Equal(Severity.High, pay.Severity);
        Assert.Contains("answered 500 on a fresh object; after [submit]; after [submit, reject]", pay.Message, StringComparison.Ordinal);
        Assert.Contains("[submit, reject, pay]:", pay.Evidence, StringComparison.Ordinal);
        Assert.Contains("/claims/", pay.Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == JourneyRules.TransitionServerError && f.Location == "POST /claims/{id}/submit" && f.Message.Contains("after [submit]", StringComparison.Ordinal));
        var map = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary).Message;
        Assert.Contains("accepted: [submit], [submit, approve], [submit, reject], [submit, approve, pay]; refused: none; 5xx: approve on a fresh object (500), ", map, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_in_plain_text_is_AG7071()
    {
        using var api = new ClaimsApi(Refusal.PlainText);

        var result = await RunAsync(api);

        var unreadable = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionUnreadable && f.Location == "POST /claims/{id}/approve");
        Assert.Equal(Severity.Medium, unreadable.Severity);
        Assert.Contains("was refused (409) on a fresh object", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains("not a problem+json", unreadable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.TransitionServerError);
    }

    [Fact]
    public async Task A_refusal_for_the_caller_is_in_the_map_but_not_judged_as_a_transition()
    {
        using var api = new ClaimsApi(Refusal.PayForbidden);

        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var map = Assert.Single(result.Findings).Message;
        Assert.Contains("pay after [submit, approve] (403)", map, StringComparison.Ordinal);
        Assert.Contains("accepted: [submit], [submit, approve], [submit, reject];", map, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contract_without_actions_is_skipped()
    {
        using var api = new ClaimsApi(Refusal.Conflict);
        var plain = Contract[..Contract.IndexOf("  /claims/{id}/submit:", StringComparison.Ordinal)];

        var result = await RunAsync(api, plain);

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("no resource with actions", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_values_of_a_PATCH_with_an_enum_body_are_actions_and_a_crash_on_an_illegal_one_is_AG7070()
    {
        using var api = new ClaimsApi(Refusal.Crash);

        var result = await RunAsync(api, StatusContract);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var crash = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionServerError && f.Message.Contains("with status=paid", StringComparison.Ordinal));
        Assert.Equal("PATCH /claims/{id}/status", crash.Location);
        Assert.Contains("PATCH /claims/{id}/status with status=paid answered 500 on a fresh object", crash.Message, StringComparison.Ordinal);
        var map = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary).Message;
        Assert.Contains("4 action(s) (status=submitted, status=approved, status=rejected, status=paid)", map, StringComparison.Ordinal);
        Assert.Contains("accepted: [status=submitted], [status=submitted, status=approved], [status=submitted, status=rejected], [status=submitted, status=approved, status=paid]", map, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "PATCH" && r.Body.Contains("\"status\":\"approved\"", StringComparison.Ordinal) && r.Body.Contains("by archgate", StringComparison.Ordinal));
        Assert.Equal(0, api.Live);
    }

    [Fact]
    public async Task Status_values_refused_with_409_pass()
    {
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api, StatusContract);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var map = Assert.Single(result.Findings).Message;
        Assert.Contains("status=approved on a fresh object (409)", map, StringComparison.Ordinal);
        Assert.Contains("status=paid after [status=submitted, status=rejected] (409)", map, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PUT_action_whose_body_names_another_resource_takes_one_the_check_created()
    {
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api, AssignContract);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        var map = Assert.Single(result.Findings).Message;
        Assert.True(map.Contains("accepted: [assign], [assign, assign]", StringComparison.Ordinal), Dump(result));
        Assert.Contains("references filled: approverId = 101, the approver this check created", map, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "PUT" && r.PathAndQuery.EndsWith("/assign", StringComparison.Ordinal) && r.Body.Contains("\"approverId\":101", StringComparison.Ordinal));
    }

    /// <summary>The claims' declared state machine: a draft is submitted, then approved or rejected; an approved claim is paid.</summary>
    private const string Declared = """
              "/claims/{id}/":
                start: [submit]
                submit: [approve, reject]
                approve: [pay]
                reject: []
                pay: []
        """;

    [Fact]
    public async Task A_move_the_declared_transitions_do_not_allow_accepted_is_AG7073_per_action_and_state()
    {
        // ex17 row 3: a parcel moved straight from created to delivered was accepted, and nothing said so.
        using var api = new ClaimsApi(Refusal.PaysAnything);

        // Every claim may be paid, so there are more accepted sequences to walk than the default budget holds.
        var result = await RunAsync(api, transitions: Declared, budget: new TransitionBudget { Requests = 200, Objects = 40 });

        Assert.Equal(CheckStatus.Fail, result.Status);
        var illegal = result.Findings.Where(f => f.Rule == JourneyRules.IllegalTransitionAccepted).ToList();
        Assert.All(illegal, f => Assert.Equal((Severity.High, "POST /claims/{id}/pay"), (f.Severity, f.Location)));
        var fresh = Assert.Single(illegal, f => f.Message.Contains("pay on a fresh claim", StringComparison.Ordinal));
        Assert.Equal("illegal transition accepted: pay on a fresh claim; allowed: submit; accepted in [pay]", fresh.Message);
        Assert.Contains("[pay]:\n", fresh.Evidence, StringComparison.Ordinal);
        Assert.Contains("transitions./claims/{id}/.start", fresh.Hint, StringComparison.Ordinal);
        Assert.True(illegal.Any(f => f.Message == "illegal transition accepted: pay after submit; allowed: approve, reject; accepted in [submit, pay]"), Dump(result));
        Assert.True(illegal.Any(f => f.Message == "illegal transition accepted: pay after reject; allowed: nothing (reject is final); accepted in [submit, reject, pay]"), Dump(result));
        Assert.Equal(3, illegal.Count); // [submit, approve, pay] is the declared way; pay after pay is a repeat
        var map = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary).Message;
        Assert.Contains("3 illegal move(s) accepted", map, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.DeclaredTransitionRefused);
    }

    [Fact]
    public async Task A_service_that_keeps_the_declared_order_passes_and_the_map_says_what_was_judged()
    {
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api, transitions: Declared.Replace("reject: []", "reject: [withdraw]", StringComparison.Ordinal) + """

                  "/approvals/{id}":
                    start: [grant]
            """);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result));
        Assert.DoesNotContain(result.Findings, f => f.Rule is JourneyRules.IllegalTransitionAccepted or JourneyRules.DeclaredTransitionRefused);
        var map = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary && f.Location == "/claims/{id}").Message;
        Assert.Contains("4 declared move(s) accepted, 0 illegal move(s) accepted, 0 declared move(s) refused", map, StringComparison.Ordinal);
        Assert.Contains("declared actions that are no action of the contract for /claims/{id}: withdraw", map, StringComparison.Ordinal);
        var unmatched = Assert.Single(result.Findings, f => f.Rule == JourneyRules.TransitionSummary && f.Location != "/claims/{id}").Message;
        Assert.Contains("transitions declared for /approvals/{id}", unmatched, StringComparison.Ordinal);
        Assert.Contains("no resource with actions", unmatched, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_move_refused_in_exactly_its_state_is_AG7074()
    {
        using var api = new ClaimsApi(Refusal.Conflict);

        var result = await RunAsync(api, transitions: Declared.Replace("submit: [approve, reject]", "submit: [approve, reject, pay]", StringComparison.Ordinal));

        var refused = Assert.Single(result.Findings, f => f.Rule == JourneyRules.DeclaredTransitionRefused);
        Assert.Equal((Severity.Medium, "POST /claims/{id}/pay"), (refused.Severity, refused.Location));
        Assert.Equal("a declared transition was refused: pay after [submit] answered 409", refused.Message);
        Assert.Contains("[submit, pay]:\n", refused.Evidence, StringComparison.Ordinal);
        // pay refused on a fresh claim or after reject is what the declaration asks for: no finding.
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.IllegalTransitionAccepted);
    }
}
