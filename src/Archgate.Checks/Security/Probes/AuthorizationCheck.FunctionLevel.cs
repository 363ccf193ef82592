using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

internal sealed partial class AuthorizationCheck
{
    private sealed partial class Run
    {
        /// <summary>
        /// BFLA: every operation for some roles only (<see cref="AdminOperations.RequiredRoles"/>) is called by the first
        /// of <paramref name="callers"/> (ordinary identities, signed in) that holds none of them; one that every caller
        /// holds a role of is left out, and said so. Only 401 and 403 are refusals, and 404 where what
        /// was asked for exists (an object this run created, a fixture, a path without parameters): the server hides it.
        /// An operation on an item (<c>PUT /books/{id}</c>) goes to an object this run creates for it (as the admin when
        /// its create is admin-only), never to one the run did not create when it deletes. Another 4xx (409, 400, 422)
        /// means the request got to the service's state or validation: it is sent once more with the object's current
        /// representation, and when that is no clearer it is not determined, never refused. A create the ordinary identity
        /// should have been refused but carried out made an object of this run: the item probes go to it (no admin needed,
        /// and no second create of the same example to meet its conflict). A restricted action of an item
        /// (<see cref="ActionResource"/>: <c>POST /claims/{id}/approve</c>) goes to objects this run creates and brings to a
        /// state where it is legal by replaying the resource's other actions as identities that may send them
        /// (<see cref="ReplayActionAsync"/>): its caller's answer there decides, and a 409 still there is not determined.
        /// </summary>
        public async Task FunctionLevelAsync(
            List<(ServiceAuth Identity, Credentials Credentials)> callers, CheckContext context, ContractDocuments documents, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var templates = (target.Document.Paths?.Keys ?? Enumerable.Empty<string>()).ToList();
            var book = NewBook();
            var customer = callers[0];
            var objects = new Dictionary<(string Item, string Caller), (RunObject? Object, string? Why)>();
            var probes = new List<FunctionProbe>();
            var declared = false;
            IReadOnlyList<ActionResource> transitions = policy.Safe ? [] : ActionResource.Find(target.Document);
            var replayed = new List<string>();

            // Deletes last: the object a change or read was probed on is then the one the delete is probed on.
            var adminOnly = target.Operations.Where(o => AdminOperations.IsAdminOnly(o, policy)).OrderBy(o => o.Method == "DELETE" ? 1 : 0).ToList();
            var refused = 0;
            var notFound = new List<string>();
            var undetermined = new List<string>();
            var sentProbes = 0;

            // What needs no object of this run (a create on a collection) is probed first: the objects the item probes
            // need are made from the same contract example, and a create probed after them would meet its conflict.
            foreach (var needsObject in new[] { false, true })
            {
                foreach (var operation in adminOnly.Where(o => (CreatorOf(o) is not null || TransitionOf(o) is not null) == needsObject))
                {
                    await PlanAsync(operation);
                }

                foreach (var probe in probes.Skip(sentProbes).ToList())
                {
                    await SendAsync(probe);
                }

                sentProbes = probes.Count;
            }

            // An admin-only pattern no operation of the contract matches is probed on its literal part (unless it is another service's).
            declared |= policy.AdminOnly.Count > 0;
            probes.AddRange((await target.LiteralProbesAsync(policy.AdminOnly, "security.adminOnly", context, documents, LeftOut, cancellationToken))
                .Select(p => new FunctionProbe(p.What, p.Request, true, null, null, true, customer, ["admin"])));
            foreach (var probe in probes.Skip(sentProbes).ToList())
            {
                await SendAsync(probe);
            }

            var owners = probes.Where(p => p.Object is not null).Select(p => p.Object!.Owner.Identity.Label).Distinct().ToList();
            var probers = probes.Select(p => p.Caller.Identity.Label).Distinct().ToList();
            Covered.Add(probes.Count == 0 && !declared
                ? "function level: no role-restricted operation declared (security.adminOnly, security.roles or x-roles)"
                : $"function level: {probes.Count - notFound.Count} {Restricted(probes.Select(p => p.Roles))} operations called as " +
                  $"{(probers.Count > 0 ? string.Join(" and ", probers) : customer.Identity.Label)}, {refused} refused" +
                  (owners.Count > 0 ? $" ({probes.Count(p => p.Object is not null)} on objects this run created as {string.Join(" and ", owners)})" : "") +
                  (replayed.Count > 0 ? $", actions brought to their state first: {string.Join(", ", replayed)}" : "") +
                  (undetermined.Count > 0 ? $", not determined (not counted as refused): {string.Join(", ", undetermined)}" : "") +
                  (notFound.Count > 0 ? $", not found (answered 404: the path does not exist here, not counted): {string.Join(", ", notFound)}" : ""));

            // The contract's create of the item an operation acts on (none under security.safe): what makes its object.
            OperationInfo? CreatorOf(OperationInfo operation) =>
                policy.Safe ? null : target.Operations.FirstOrDefault(o => o.Method == "POST" && ItemOf(templates, o.Template) == operation.Template);

            // The resource whose item's action the operation is (approve of a claim), when the probe may create objects.
            ActionResource? TransitionOf(OperationInfo operation) => transitions.FirstOrDefault(r => r.Operations.Any(o => o.Name == operation.Name));

            async Task PlanAsync(OperationInfo operation)
            {
                declared = true;
                // x-roles in a contract that also lets anonymous callers in: the contract contradicts itself, and an
                // ordinary identity getting what anyone gets is no privilege escalation. security.adminOnly is never public.
                if (IsPublic(operation))
                {
                    return;
                }

                var roles = AdminOperations.RequiredRoles(operation, policy) ?? ["admin"];
                if (callers.FirstOrDefault(c => !AdminOperations.Holds(c.Identity, roles)) is not { Identity: not null } caller)
                {
                    LeftOut.Add($"{operation.Name} (for {string.Join(", ", roles)}: every identity probed holds one of those roles)");
                    return;
                }

                if (policy.Safe && !operation.IsSafe)
                {
                    LeftOut.Add($"{operation.Name} as {caller.Identity.Label} (security.safe)");
                    return;
                }

                if (TransitionOf(operation) is { } transition)
                {
                    probes.Add(new FunctionProbe(operation.Name, PlanOne(operation, book), false, operation, null, true, caller, roles) { Transition = transition });
                    return;
                }

                var creator = CreatorOf(operation);
                (RunObject? Object, string? Why) owned = (null, null);
                if (creator is not null && !objects.TryGetValue((operation.Template, caller.Identity.Label), out owned))
                {
                    owned = await OwnObjectAsync(creator, operation.Template, caller, context, timeout, cancellationToken);
                    objects[(operation.Template, caller.Identity.Label)] = owned;
                }

                if (operation.Method == "DELETE" && owned.Object is null)
                {
                    LeftOut.Add($"{operation.Name} as {caller.Identity.Label} (a delete is sent only to what this run created: " +
                        $"{owned.Why ?? "the contract has no create operation for it"})");
                    return;
                }

                var request = PlanOne(operation, owned.Object?.Book ?? book, book);
                var exists = owned.Object is not null || ResourceBook.Parameters(operation.Template).All(p => book.Fixture(operation.Template, p) is not null);
                probes.Add(new FunctionProbe(operation.Name, request, false, operation, owned.Object, exists, caller, roles));
            }

            async Task SendAsync(FunctionProbe probe)
            {
                var caller = probe.Caller;
                var on = probe.Object;
                var where = string.Empty;
                ProbeRequest sent;
                ProbeExchange? exchange;
                string? answered;
                if (probe.Transition is { } transition)
                {
                    var replay = await ReplayActionAsync(probe, transition, callers, context, timeout, cancellationToken);
                    if (replay.Sent is null)
                    {
                        LeftOut.Add($"{probe.What} as {caller.Identity.Label} ({replay.Why})");
                        return;
                    }

                    (sent, exchange, on, where) = (replay.Sent, replay.Exchange, replay.Object, replay.Where);
                    answered = $"{exchange?.Status.ToString(CultureInfo.InvariantCulture)}{where}";
                    if (replay.After.Count > 0)
                    {
                        replayed.Add($"{probe.What} after [{string.Join(", ", replay.After)}]");
                    }

                    if (exchange is { Status: >= 400 and < 500 and not (401 or 403 or 404 or 405 or 429) })
                    {
                        answered += $": {replay.Sequences} sequence(s) of the item's actions reached no state where the action is legal{replay.Limits}";
                    }
                }
                else
                {
                    sent = caller.Credentials.On(probe.Request);
                    exchange = await sender.SendAsync(sent, cancellationToken);
                    answered = exchange?.Status.ToString(CultureInfo.InvariantCulture);
                }

                if (probe.Transition is null && exchange is { Status: >= 400 and < 500 and not (401 or 403 or 404 or 405 or 429) } && probe.Operation is { } operation && sent.Body is not null
                    && await RetryBodyAsync(sent, operation, probe.Object, context, timeout, cancellationToken) is { } retry && retry.Body != sent.Body)
                {
                    // A conflict or a validation error answers the body, not the caller: what the same caller gets with a body
                    // the service should take decides.
                    sent = sent with { Body = retry.Body };
                    exchange = await sender.SendAsync(sent, cancellationToken);
                    answered += $", then {exchange?.Status.ToString(CultureInfo.InvariantCulture) ?? "nothing"} with {retry.How}";
                }

                if (exchange is null)
                {
                    LeftOut.Add($"{probe.What} ({sender.Spent ?? "no answer: " + sender.FailureCause})");
                }
                else if (exchange.Succeeded)
                {
                    Add(SecurityRules.FunctionLevelAuthorization, Severity.Critical, probe.What,
                        $"{probe.What} is {RoleRestriction.Describe(probe.Roles)}, and '{caller.Identity.Label}' ({Holding(caller.Identity)}) got {exchange.Status}" +
                        (on is { } made ? $" on {sent.Path}, which this run created as '{made.Owner.Identity.Label}'" : "") + where,
                        sender.Evidence(sent, exchange));
                    if (probe.Transition is null && probe.Operation is { Method: "POST" } create)
                    {
                        // What it made is cleaned up at the end, and the first such object of an item is the one its item probes go to.
                        var madeBook = NewBook();
                        madeBook.Record(probe.Request with { Body = sent.Body }, exchange.Status, exchange.Headers, exchange.Body);
                        target.Track(madeBook, caller.Credentials);
                        if (ItemOf(templates, create.Template) is { } item && !objects.ContainsKey((item, caller.Identity.Label))
                            && madeBook.Created(item, ResourceBook.Parameters(item)[^1]) is not null)
                        {
                            objects[(item, caller.Identity.Label)] = (new RunObject(madeBook, caller, Json(exchange.Body) as JsonObject), null);
                        }
                    }
                }
                else if (probe.Literal && exchange.Status == 404)
                {
                    notFound.Add(probe.What); // the path does not exist here: nothing was refused
                }
                else if (exchange.Status is 401 or 403 || (exchange.Status == 404 && probe.Exists))
                {
                    refused++;
                }
                else
                {
                    undetermined.Add($"{probe.What} (answered {answered}{(exchange.Status == 404 ? $": {sent.Path} was not created by this run, so missing and hidden look alike" : "")})");
                    if (exchange.Status is 400 or 422)
                    {
                        // Validated before the role was checked: a correct service may do so (Spring validates a body before
                        // @PreAuthorize), so this warns and does not fail; it is no refusal either.
                        Add(SecurityRules.FunctionLevelAuthorization, Severity.Low, probe.What,
                            $"{probe.What} is {RoleRestriction.Describe(probe.Roles)}, and '{caller.Identity.Label}' ({Holding(caller.Identity)}) got {exchange.Status}, a validation error, instead of 401 or 403: " +
                            "the role is checked after the input, or not at all; whether the operation would have been carried out was not determined",
                            sender.Evidence(sent, exchange));
                    }
                }
            }
        }

        /// <summary>
        /// The one request a function-level probe sends for <paramref name="operation"/>, its path from <paramref name="book"/>;
        /// where the planner makes none (a path parameter without an example), one with <paramref name="fallback"/>'s values.
        /// </summary>
        private static ProbeRequest PlanOne(OperationInfo operation, ResourceBook book, ResourceBook? fallback = null) =>
            RequestPlanner.Plan(operation, book, 1).Requests is [var planned, ..] ? planned
            : RequestPlanner.UnsupportedMethod(operation.Template, operation.Method, fallback ?? book, [operation]) with { Kind = ProbeKind.Valid, Purpose = "function level probe" };

        /// <summary>
        /// An object of <paramref name="item"/> made for the function-level probes, by an identity that may call its create
        /// when only some roles may (<see cref="RoleRestriction"/>), by the ordinary identity otherwise (which then owns it: only its role can refuse it); why not, when none.
        /// </summary>
        private async Task<(RunObject? Object, string? Why)> OwnObjectAsync(
            OperationInfo creator, string item, (ServiceAuth Identity, Credentials Credentials) customer, CheckContext context, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var owner = customer;
            if (RoleRestriction.Of(context.System, creator) is { } restriction)
            {
                if (restriction.Caller is not { } caller)
                {
                    return (null, $"{restriction.What} and {restriction.NoCaller}");
                }

                if (await SignedInAsync(caller, context, timeout, "restricted operations on items were not probed on objects of this run", cancellationToken) is not { } signedIn)
                {
                    return (null, $"{restriction.What} and '{caller.Label}' could not sign in");
                }

                owner = signedIn;
            }

            var (book, created, why) = await MakeAsync(creator, item, owner, cancellationToken);
            return why is null ? (new RunObject(book, owner, Json(created!.Body) as JsonObject), null) : (null, why);
        }

        /// <summary>
        /// The body to send again after a 4xx that is no refusal: the object's current representation (read by its owner,
        /// else by the admin; else what its create answered), cut to the properties the request takes; else the sent body
        /// with unique values. Null when there is none.
        /// </summary>
        private async Task<(string Body, string How)?> RetryBodyAsync(
            ProbeRequest sent, OperationInfo operation, RunObject? made, CheckContext context, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var current = made?.Answer;
            if (!operation.IsSafe && operation.Method != "POST" && target.Operations.Any(o => o.Template == operation.Template && o.Method == "GET"))
            {
                var reader = made?.Owner
                    ?? (AdminOperations.Admin(context.System) is { } admin ? await SignedInAsync(admin, context, timeout, "an object an admin-only change answered 4xx for was not read back to send it again", cancellationToken) : null);
                if (reader is { } r && await sender.SendAsync(r.Credentials.On(new ProbeRequest
                    {
                        Method = "GET", Template = sent.Template, Path = sent.Path, Purpose = "the current representation",
                    }), cancellationToken) is { Succeeded: true } read && Json(read.Body) is JsonObject representation)
                {
                    current = representation;
                }
            }

            if (operation.Method != "POST" && current is not null)
            {
                var writable = RequestProperties(operation);
                var body = new JsonObject();
                foreach (var (name, value) in current.Where(p => writable.Count == 0 ? p.Key != "id" : writable.Contains(p.Key)))
                {
                    body[name] = value?.DeepClone();
                }

                if (body.Count > 0)
                {
                    return (body.ToJsonString(), "the object's current representation");
                }
            }

            return Frontend.ContractResource.Unique(sent.Body!, operation) is { } unique ? (unique, "unique values") : null;
        }

        /// <summary>"roles: none", or "roles: member": who called, as a BFLA finding says it (the roles the manifest gives it).</summary>
        private static string Holding(ServiceAuth identity) =>
            $"roles: {(identity.Roles.Count == 0 ? "none" : string.Join(", ", identity.Roles))}";

        /// <summary>
        /// "admin-only", or "restricted (to staff, auditor)": what the probed operations are restricted to, with the roles the
        /// manifest or contract names when any is not the admin's.
        /// </summary>
        private static string Restricted(IEnumerable<IReadOnlyList<string>> restrictions)
        {
            var roles = restrictions.SelectMany(r => r).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return roles.Count == 0 || RoleRestriction.IsAdminOnly(roles) ? "admin-only" : $"role-restricted (to {string.Join(", ", roles)})";
        }

        /// <summary>
        /// One function-level request: a contract operation's (on an object this run made, when one was) or a literal
        /// pattern's; the identity that sends it, and the roles the operation is for (none of which it holds).
        /// </summary>
        private sealed record FunctionProbe(
            string What, ProbeRequest Request, bool Literal, OperationInfo? Operation, RunObject? Object, bool Exists,
            (ServiceAuth Identity, Credentials Credentials) Caller, IReadOnlyList<string> Roles)
        {
            /// <summary>The resource whose item's action it is, sent after a replay of its other actions; null for any other operation.</summary>
            public ActionResource? Transition { get; init; }
        }

        /// <summary>An object this run created for function-level probes: the book with its id, its owner, what its create answered.</summary>
        private sealed record RunObject(ResourceBook Book, (ServiceAuth Identity, Credentials Credentials) Owner, JsonObject? Answer);
    }
}
