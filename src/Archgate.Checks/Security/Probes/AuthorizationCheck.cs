using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9, authorization with the manifest's identities (the first two are ordinary users, A and B):
/// object level (BOLA): B reads, changes, calls the actions of (<c>POST {item}/{verb}</c>) and deletes what A created in
/// this run through the contract's create operations (its <c>Location</c> or id), each must be refused (AG9010); an admin-only create
/// (<see cref="AdminOperations.IsAdminOnly"/>) is made as the admin identity instead, and B (A when there is no B)
/// must not reach that object either; function level (BFLA): A calls every admin-only operation
/// (<c>security.adminOnly</c>, or an operation with <c>x-roles</c>), an item's on an object this run created for it,
/// each must be refused with 401 or 403 (AG9011; see <see cref="Run.FunctionLevelAsync"/>); property level
/// (mass assignment): the creator creates again with read-only and privileged properties set, and none of them may
/// stick (AG9012, read back). An operation the contract leaves open to anonymous callers is not probed for object or
/// function level (<see cref="ProbeTarget.IsPublic"/>): anyone reaching it is what the contract promises, not a broken
/// authorization; the coverage finding (AG9013) names each one.
/// </summary>
internal sealed partial class AuthorizationCheck(HttpComponent component, ContractDocuments documents, SecurityProbeOptions options) : ICheck
{
    private static readonly string[] Privileged = ["role", "roles", "isAdmin", "admin", "userId", "ownerId", "owner", "status", "total", "price", "balance", "credits", "verified", "permissions"];

    public string Id => $"security.authz:{component.Name}";

    public int Step => 9;

    public string Title => $"{component.Name} keeps each identity to its own objects, functions and properties";

    public Applicability AppliesTo(SystemModel system) => system.Security.Identities.Count == 0
            ? Applicability.No("security.identities declares no identity to probe authorization with")
            : component.Auth is not LoginAuth
                ? Applicability.No($"{component.Name} signs no user in (its auth is no login): the identities are probed where they sign in")
                : Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var (target, _) = await ProbeTarget.OpenAsync(component, context, documents, options, cancellationToken);
        var sender = target!.Sender(context, options);
        var run = new Run(this, target, sender, policy);
        var identities = new List<(ServiceAuth Identity, Credentials Credentials)>();
        var ordinary = IdentityLogin.Ordinary(policy.Identities);
        if (ordinary.Count == 0)
        {
            return CheckResult.Skipped("every identity of security.identities has an admin role: authorization is probed with ordinary users");
        }

        foreach (var identity in ordinary.Take(2))
        {
            var credentials = await IdentityLogin.LoginAsync(target, identity, context, options.RequestTimeout, cancellationToken);
            run.Secrets.AddRange(credentials.Secrets);
            if (!credentials.Ok)
            {
                run.Add(SecurityRules.AuthorizationCoverage, Severity.High, "security.identities",
                    $"identity '{identity.Label}' could not sign in to {component.Name}: {credentials.Problem}", null);
                continue;
            }

            identities.Add((identity, credentials));
        }

        if (identities.Count == 0)
        {
            return CheckResult.Skipped("no identity of security.identities could sign in") with { Findings = run.Findings };
        }

        var a = identities[0];
        var b = identities.Count > 1 ? identities[1] : default;
        await run.FunctionLevelAsync(identities, context, documents, options.RequestTimeout, cancellationToken);
        if (!target.HasContract)
        {
            run.LeftOut.Add("object and property level (no readable contract names the create operations)");
        }
        else if (policy.Safe)
        {
            // Nothing is created; objects the first identity already has are only read, which safe allows.
            run.LeftOut.Add("object level on objects the run creates, and property level (they create resources; security.safe)");
            await run.FoundObjectsAsync(a, b.Identity is null ? null : b, cancellationToken);
        }
        else
        {
            await run.ObjectAndPropertyLevelAsync(a, b.Identity is null ? null : b, context, options.RequestTimeout, cancellationToken);
        }

        run.Covered.AddRange(run.BeneathCoverage());

        if (await target.CleanUpAsync(sender, cancellationToken) is { } cleanup)
        {
            run.Covered.Add(cleanup);
        }

        run.Add(SecurityRules.AuthorizationCoverage, Severity.Info, "authorization",
            $"identities {string.Join(", ", identities.Select(i => i.Identity.Label))}; {string.Join("; ", run.Covered)}; " +
            string.Concat(run.Public.Select(p => $"{p} is public in the contract: not probed; ")) +
            $"{sender.Requests} requests in " +
            $"{sender.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" +
            (run.LeftOut.Count > 0 ? $"; not probed: {string.Join(", ", run.LeftOut)}" : ""), null);
        return SecurityGate.Judge(run.Findings.Select(f => f with { Evidence = f.Evidence is null ? null : run.Mask(f.Evidence) }).ToList(), policy,
        [
            new Metric("security_requests", new Dictionary<string, string> { ["component"] = component.Name, ["family"] = "authorization" }, sender.Requests, "count"),
        ]);
    }

    /// <summary>The state of one authorization run: findings, coverage, secrets of the identities.</summary>
    private sealed partial class Run(AuthorizationCheck check, ProbeTarget target, ProbeSender sender, SecurityPolicy policy)
    {
        public List<Finding> Findings { get; } = [];

        public List<string> Covered { get; } = [];

        public List<string> LeftOut { get; } = [];

        /// <summary>The operations left out because anyone may call them (<see cref="ProbeTarget.IsPublic"/>), each once.</summary>
        public List<string> Public { get; } = [];

        public List<string> Secrets { get; } = [];

        /// <summary>How many privileged properties are sent one at a time when a create with all of them is not taken.</summary>
        private const int MaxAlone = 8;

        /// <summary>The values each property had in the objects this run created (another owner's id), for mass assignment.</summary>
        private Dictionary<string, List<JsonNode>> Seen { get; } = new(StringComparer.Ordinal);

        /// <summary>What the property-level probe did beyond one create per operation, for the coverage finding.</summary>
        private List<string> PropertyNotes { get; } = [];

        /// <summary>The identities beyond the two ordinary ones signed in (an admin, a role's holder), null where that failed; each tried once.</summary>
        private Dictionary<string, (ServiceAuth Identity, Credentials Credentials)?> SignedIn { get; } = new(StringComparer.Ordinal);

        /// <summary>Item operations only some roles may call, which the other identity lacks: not judged at object level.</summary>
        private List<string> RoleOnly { get; } = [];

        /// <summary>The object-level probes answered neither 2xx nor a refusal (401, 403, 404): a 409 or a 400, each once.</summary>
        private List<string> ObjectUndetermined { get; } = [];

        /// <summary>The item and action operations object level considered for some object this run created.</summary>
        private HashSet<string> ObjectProbed { get; } = new(StringComparer.Ordinal);

        /// <summary>The reads of what an admin created, not tried as another identity (<see cref="ObjectLevelAsync"/>), each once.</summary>
        private List<string> AdminReadsNotJudged { get; } = [];

        public string Mask(string text)
        {
            foreach (var secret in Secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, Redact.Mask, StringComparison.Ordinal);
            }

            return sender.Mask(text);
        }

        public void Add(string rule, Severity severity, string location, string message, string? evidence) =>
            Findings.Add(Archgate.Protocol.Findings.Create(SecurityRules.Rule(rule, severity), check.Component.Name, location, message, evidence));

        private ResourceBook NewBook() => target.NewBook();

        /// <summary>
        /// BOLA and mass assignment over every create operation of the contract. An admin-only create
        /// (<see cref="AdminOperations.IsAdminOnly"/>) goes as the admin identity (<see cref="AdminOperations.Admin"/>), whose
        /// object the second ordinary identity (the first when there is only one) must then not reach; without an admin it is
        /// left out, and said so: an ordinary identity's 403 there is what the contract asks, not a create that failed.
        /// </summary>
        public async Task ObjectAndPropertyLevelAsync(
            (ServiceAuth Identity, Credentials Credentials) a, (ServiceAuth Identity, Credentials Credentials)? b,
            CheckContext context, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var templates = (target.Document.Paths?.Keys ?? Enumerable.Empty<string>()).ToList();
            // Creates in a collection beneath an item (POST /parcels/{id}/notes) after the item's own: they go beneath an
            // object the same identity created.
            var creators = target.Operations.Where(o => o.Method == "POST" && ItemOf(templates, o.Template) is not null)
                .OrderBy(o => ResourceBook.Parameters(o.Template).Count).ToList();
            if (creators.Count == 0)
            {
                var aside = target.Operations.Where(o => o.Method == "POST" && !PathTemplates.EndsInParameter(o.Template) && !o.Template.Contains('{', StringComparison.Ordinal))
                    .Select(o => $"{o.Name} (no item path {PathTemplates.Child(o.Template, "{…}", o.Template)})").Take(4).ToList();
                LeftOut.Add(aside.Count == 0
                    ? "object and property level (the contract has no create operation: POST on a collection with an item path)"
                    : $"object and property level (no create operation has an item path: {string.Join(", ", aside)})");
                await FoundObjectsAsync(a, b, templates, cancellationToken);
                return;
            }

            var ordinary = new ObjectTally(a.Identity.Label, b);
            // A restricted create goes as an identity that may call it (RoleRestriction), one tally per such identity; its
            // prober is the second ordinary identity, or the first when the caller is the second.
            var restricted = new Dictionary<string, ObjectTally>(StringComparer.Ordinal);
            var unheld = new List<RoleRestriction>();
            var notCreated = new List<(string Why, ObjectTally? Tally)>();
            var massChecked = 0;
            foreach (var creator in creators)
            {
                var (owner, tally) = (a, ordinary);
                var restriction = RoleRestriction.Of(context.System, creator);
                if (restriction is { Caller: null })
                {
                    unheld.Add(restriction);
                    notCreated.Add(($"{restriction.What} and {restriction.NoCaller}", null));
                    Add(SecurityRules.AuthorizationCoverage, Severity.Info, creator.Name,
                        $"{restriction.What} and {restriction.NoCaller}: what it creates was not probed for object and property level ({restriction.Hint})", null);
                    continue;
                }

                if (restriction is { Caller: { } caller })
                {
                    tally = restricted.TryGetValue(caller.Label, out var known) ? known
                        : restricted[caller.Label] = new ObjectTally(caller.Label, caller.Label == b?.Identity.Label ? a : b ?? a, restricted: true);
                    tally.Creates++;
                    if ((caller.Label == a.Identity.Label ? a : await SignedInAsync(caller, context, timeout, $"{restriction.What}, and what it creates was not probed for object and property level", cancellationToken)) is not { } signedIn)
                    {
                        notCreated.Add(($"{creator.Name} ({restriction.Kind}, and '{caller.Label}' could not sign in)", tally));
                        continue;
                    }

                    owner = signedIn;
                }
                else
                {
                    ordinary.Creates++;
                }

                var (massSent, why) = await CreateAsync(creator, ItemOf(templates, creator.Template)!, owner, tally, cancellationToken);
                if (why is not null)
                {
                    LeftOut.Add(why);
                    notCreated.Add((why, tally));
                }

                massChecked += massSent ? 1 : 0;
            }

            var found = await FoundObjectsAsync(a, b, templates, cancellationToken);
            if (ordinary.Creates > 0)
            {
                Covered.Add(b is null
                    ? "object level: one identity only (declare a second in security.identities)"
                    : $"object level: {ordinary.Objects} objects created as {a.Identity.Label}; as {b.Value.Identity.Label} {ordinary.Sent()}, {ordinary.Refused} refused");
            }

            foreach (var tally in restricted.Values.Where(t => t.Creates > 0))
            {
                var admin = context.System.Auth.Values.FirstOrDefault(i => i.Label == tally.Owner) is { } owner && AdminOperations.IsAdmin(owner);
                Covered.Add($"object level: {tally.Objects} objects created as {tally.Owner} ({(admin ? "admin-only" : "restricted")} creates), " +
                    $"as {tally.Prober!.Value.Identity.Label} {tally.Sent(reads: false)}, {tally.Refused} refused" +
                    (AdminReadsNotJudged.Count > 0 ? $"; not judged, as what only {(admin ? "an admin creates" : "some roles create")} is usually shared: its reads ({string.Join(", ", AdminReadsNotJudged)})" : string.Empty));
            }

            // The item operations (a path parameter) no object of this run was probed with: a version twin
            // (GET /v2/orders/{id}), a sub-resource, an item whose create the contract lacks.
            var leftOut = target.Operations.Where(o => o.Template.Contains('{', StringComparison.Ordinal) && !ObjectProbed.Contains(o.Name) && !creators.Contains(o)).ToList();
            var objects = ordinary.Objects + restricted.Values.Sum(t => t.Objects);
            if (b is not null && objects + found > 0)
            {
                Covered.AddRange(NotProbed(leftOut, found));
            }

            if (ObjectUndetermined.Count > 0)
            {
                Covered.Add($"object level not determined (not counted as refused): {string.Join(", ", ObjectUndetermined)}");
            }

            if (RoleOnly.Count > 0)
            {
                Covered.Add($"object level: not sent where the identity holds none of the roles that may call them (its refusal would be the role's; function level judges them): {string.Join(", ", RoleOnly)}");
            }

            if (unheld.Count > 0)
            {
                // Left out, not tried: counted neither as objects created nor as creates that failed.
                Covered.Add(unheld.Count == creators.Count && unheld.TrueForAll(r => r.AdminOnly)
                    ? $"object level: no object created, every create operation is admin-only ({string.Join(", ", unheld.Select(r => r.Operation.Name))}) and no identity has roles: [admin]"
                    : (unheld.Count == creators.Count ? "object level: no object created, no identity may call a create operation: " : "object level: not tried: ") +
                        string.Join(", ", unheld.Select(r => $"{r.Operation.Name} ({r.Kind}, and {r.NoCaller})")));
            }

            Covered.Add($"property level: {massChecked} create operations sent with read-only and privileged properties" +
                string.Concat(PropertyNotes.Select(n => $"; {n}")));
            var failed = notCreated.Where(n => n.Tally?.Prober is not null).Select(n => n.Tally!).ToList();
            if (objects == 0 && found == 0 && failed.Count > 0)
            {
                // Nothing another identity could reach for, made or found: object level was not evaluated, which is not a pass.
                Add(SecurityRules.AuthorizationCoverage, Severity.Medium, "object level",
                    $"no object could be created as {string.Join(" or ", failed.Select(t => t.Owner).Distinct())} ({string.Join(", ", notCreated.Select(n => n.Why).Take(3))}): " +
                    $"whether {string.Join(" or ", failed.Select(t => t.Prober!.Value.Identity.Label).Distinct())} can read, change or delete another identity's objects (BOLA) was not tried", null);
            }
        }

        /// <summary>
        /// One create as <paramref name="owner"/>, then BOLA by the tally's prober and mass assignment as the owner: whether
        /// mass assignment was sent, and why no object was made when none was.
        /// </summary>
        private async Task<(bool MassSent, string? Why)> CreateAsync(
            OperationInfo creator, string item, (ServiceAuth Identity, Credentials Credentials) owner, ObjectTally tally, CancellationToken cancellationToken)
        {
            var (book, created, why) = await MakeAsync(creator, item, owner, cancellationToken);
            if (why is not null)
            {
                return (false, why);
            }

            var baseline = Json(created!.Body) as JsonObject;
            foreach (var (name, value) in baseline ?? [])
            {
                if (value is JsonValue && !(Seen.GetValueOrDefault(name)?.Any(v => JsonNode.DeepEquals(v, value)) ?? false))
                {
                    (Seen.TryGetValue(name, out var values) ? values : Seen[name] = []).Add(value.DeepClone());
                }
            }

            tally.Objects++;
            if (!tally.Restricted)
            {
                CreatedAsFirst.Add(item);
            }

            if (tally.Prober is { } other)
            {
                await ObjectLevelAsync(item, book, owner, other, tally, cancellationToken);
            }

            return (await PropertyLevelAsync(creator, item, owner, baseline, cancellationToken), null);
        }

        /// <summary>
        /// One create as <paramref name="owner"/> (once more with unique values when the contract's example answers 409): the
        /// book that knows the new object's id, the answer, and why no object was made when none was.
        /// </summary>
        private async Task<(ResourceBook Book, ProbeExchange? Created, string? Why)> MakeAsync(
            OperationInfo creator, string item, (ServiceAuth Identity, Credentials Credentials) owner, CancellationToken cancellationToken)
        {
            var book = target.NewBook();
            if (ResourceBook.Parameters(creator.Template).Count > 0)
            {
                // Beneath an item: an object of it the owner created, never one an example names (it may be anyone's).
                var parents = book.Templates.Where(t => PathTemplates.EndsInParameter(t) && creator.Template.StartsWith(PathTemplates.Bare(t) + "/", StringComparison.Ordinal))
                    .OrderByDescending(t => t.Length).ToList();
                if (parents.Find(t => Owned.ContainsKey(OwnedKey(owner.Identity, t))) is { } parent)
                {
                    foreach (var (parameter, value) in Owned[OwnedKey(owner.Identity, parent)])
                    {
                        book.Known(parent, parameter, value);
                    }
                }
                else if (parents.Count > 0 && target.Operations.Any(o => o.Method == "POST" && parents.Any(t => PathTemplates.IsItemOf(t, o.Template))))
                {
                    return (book, null, $"{creator.Name} (beneath {parents[0]}, of which no object was created as {owner.Identity.Label}: an example's {parents[0]} may be another identity's)");
                }
            }

            var (created, notPlanned) = await target.CreateAsync(sender, creator, owner.Credentials, book, cancellationToken);
            if (notPlanned is not null)
            {
                return (book, null, $"{creator.Name} ({notPlanned})");
            }

            if (created is null || !created.Succeeded)
            {
                return (book, created, $"{creator.Name} as {owner.Identity.Label} answered {created?.Status.ToString(CultureInfo.InvariantCulture) ?? "nothing"}: nothing to probe with");
            }

            if (book.Created(item, ResourceBook.Parameters(item)[^1]) is null)
            {
                return (book, created, $"{creator.Name} ({created.Status} without a Location or an id to find what it created)");
            }

            Owned.TryAdd(OwnedKey(owner.Identity, item), [.. ResourceBook.Parameters(item).Select(p => (p, book.Created(item, p))).Where(v => v.Item2 is not null).Select(v => (v.p, v.Item2!))]);
            return (book, created, null);
        }

        /// <summary>The path values of an object each identity created, by identity and item (<see cref="OwnedKey"/>), for the creates beneath it.</summary>
        private Dictionary<string, List<(string Parameter, string Value)>> Owned { get; } = new(StringComparer.Ordinal);

        /// <summary>The key of <see cref="Owned"/>: the identity and the item template, trailing slashes aside.</summary>
        private static string OwnedKey(ServiceAuth identity, string item) => $"{identity.Label}\n{PathTemplates.Bare(item)}";

        /// <summary>
        /// An identity that holds a role (the admin, a role's holder) signed in, once per run (function level may need it
        /// before object level does); null when it could not sign in, said once as a high coverage finding that names
        /// <paramref name="lost"/>, what goes unprobed.
        /// </summary>
        private async Task<(ServiceAuth Identity, Credentials Credentials)?> SignedInAsync(
            ServiceAuth identity, CheckContext context, TimeSpan timeout, string lost, CancellationToken cancellationToken)
        {
            if (SignedIn.TryGetValue(identity.Label, out var known))
            {
                return known;
            }

            var credentials = await IdentityLogin.LoginAsync(target, identity, context, timeout, cancellationToken);
            Secrets.AddRange(credentials.Secrets);
            var signedIn = SignedIn[identity.Label] = credentials.Ok ? (identity, credentials) : null;
            if (!credentials.Ok)
            {
                Add(SecurityRules.AuthorizationCoverage, Severity.High, $"auth.{identity.Label}",
                    $"identity '{identity.Label}' (roles: [{string.Join(", ", identity.Roles)}]) could not sign in to {check.Component.Name}: {credentials.Problem}; {lost}", null);
            }

            return signedIn;
        }

        /// <summary>
        /// BOLA on one object <paramref name="owner"/> created: the other identity sends each operation of its item (reads,
        /// then changes, then its actions, <c>POST {item}/{verb}</c> as <see cref="ActionResource"/> finds them, then deletes,
        /// so that a delete let through does not hide the rest). 2xx is AG9010; 401, 403 or 404 a refusal; anything else
        /// (a 409 or 422: the object's state, a body refused) neither, said as not determined. The reads beneath the object
        /// (<c>GET {item}/events</c>) come with the item's reads, each after its owner's own read (<see cref="BeneathAsync"/>). An
        /// object the run did not create but <paramref name="found"/> (how: <see cref="FoundObjectsAsync"/>) gets reads only: the
        /// item's GET and GETs beneath it.
        /// </summary>
        private async Task ObjectLevelAsync(
            string item, ResourceBook book, (ServiceAuth Identity, Credentials Credentials) ownerSignedIn, (ServiceAuth Identity, Credentials Credentials) other, ObjectTally tally,
            CancellationToken cancellationToken, string? found = null)
        {
            var owner = ownerSignedIn.Identity;
            var actions = ActionResource.Find(target.Document).Where(r => r.Resource.Item == item).SelectMany(r => r.Operations).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            // Reads first (beneath the object too), then changes, actions and writes beneath it, then deletes beneath it,
            // the item's delete last: what one probe ends must not make the next one's refusal. Objects the run did not
            // create (found) are only read.
            var operations = target.Operations.Where(o => IsBeneath(o, item) || (found is null
                    ? o.Template == item || actions.Contains(o.Name) || IsWriteBeneath(o, item)
                    : o.IsSafe && o.Template == item))
                .OrderBy(o => IsBeneath(o, item) ? 0
                    : o.Template == item ? o.Method switch { "GET" or "HEAD" => 0, "PUT" => 1, "PATCH" => 2, "DELETE" => 5, _ => 3 }
                    : o.Method == "DELETE" ? 4 : 3)
                .ThenBy(o => o.Template, StringComparer.Ordinal);
            foreach (var operation in operations)
            {
                // A public catalogue read of another identity's object is what the contract promises to anyone.
                if (IsPublic(operation))
                {
                    ObjectProbed.Add(operation.Name);
                    continue;
                }

                // Only some roles may call it, and the other identity holds none: its refusal would be the role's, no proof
                // that the owner is checked. Function level (BFLA) judges who may call it.
                if (AdminOperations.RequiredRoles(operation, policy) is { } roles && !AdminOperations.Holds(other.Identity, roles))
                {
                    ObjectProbed.Add(operation.Name);
                    var roleOnly = $"{operation.Name} as {other.Identity.Label}";
                    if (!RoleOnly.Contains(roleOnly))
                    {
                        RoleOnly.Add(roleOnly);
                    }

                    continue;
                }

                // What only an admin may create is most often shared (events, products, books behind a sign-in): a
                // contract cannot say "any signed-in user may read this", so reading it proves nothing; changing or
                // deleting it does.
                if (tally.Restricted && operation.IsSafe)
                {
                    ObjectProbed.Add(operation.Name);
                    if (!AdminReadsNotJudged.Contains(operation.Name))
                    {
                        AdminReadsNotJudged.Add(operation.Name);
                    }

                    continue;
                }

                // A read beneath the object (its history, its lines): the owner's own read first, as the control.
                if (IsBeneath(operation, item))
                {
                    await BeneathAsync(operation, item, book, ownerSignedIn, other, tally, found, cancellationToken);
                    continue;
                }

                // A write beneath it (its address, a note, a line): the other identity first, the owner's own after a refusal.
                if (!actions.Contains(operation.Name) && operation.Template != item)
                {
                    await WriteBeneathAsync(operation, item, book, ownerSignedIn, other, tally, cancellationToken);
                    continue;
                }

                ObjectProbed.Add(operation.Name);
                var plan = RequestPlanner.Plan(operation, book, 1);
                if (plan.Requests.Count == 0)
                {
                    continue;
                }

                var request = other.Credentials.On(plan.Requests[0]);
                var exchange = await sender.SendAsync(request, cancellationToken);
                if (exchange is null)
                {
                    continue;
                }

                var action = operation.Template != item;
                if (action)
                {
                    tally.Actions++;
                }
                else if (operation.IsSafe)
                {
                    tally.Reads++;
                }
                else if (operation.Method == "DELETE")
                {
                    tally.Deletes++;
                }
                else
                {
                    tally.Changes++;
                }

                if (exchange.Succeeded)
                {
                    var what = action ? $"called {ActionResource.Verb(operation)} on" : operation.Method switch { "GET" or "HEAD" => "read", "DELETE" => "deleted", _ => "changed" };
                    var whose = found is null ? "created" : $"already has ({found}; the run did not create it, so only reads were tried)";
                    Add(SecurityRules.ObjectLevelAuthorization, Severity.Critical, operation.Name,
                        $"'{other.Identity.Label}' {what} {(action ? ItemPath(plan.Requests[0].Path) : plan.Requests[0].Path)}, which '{owner.Label}'{(AdminOperations.IsAdmin(owner) ? " (an admin)" : "")} {whose}: " +
                        $"{operation.Name} answered {exchange.Status} instead of 403 or 404",
                        sender.Evidence(request, exchange));
                }
                else if (exchange.Status is 401 or 403 or 404)
                {
                    tally.Refused++; // the object exists (this run created it): a 404 hides it, as it should
                }
                else
                {
                    // A conflict or a validation error got past authorization or around it: neither a refusal nor proof. An
                    // action's 409 or 422 may be the object's state answering before its owner was asked.
                    ObjectUndetermined.Add($"{operation.Name} as {other.Identity.Label} (answered {exchange.Status}" +
                        (action && exchange.Status is 409 or 422 ? ": the object's state, before or without an ownership check" : string.Empty) + ")");
                }
            }
        }

        /// <summary>The object's path of an action's path, in its shape: <c>/orders/1</c> of <c>/orders/1/cancel</c>, <c>/orders/1/</c> of <c>/orders/1/cancel/</c>.</summary>
        private static string ItemPath(string actionPath)
        {
            var path = actionPath.Split('?')[0];
            return PathTemplates.Shaped(PathTemplates.Parent(path), path);
        }

        /// <summary>
        /// Creates again with read-only and privileged properties set; a property that sticks is mass assignment. When that
        /// create is not accepted, one value the service could not take (a status its database constrains, an owner that does
        /// not exist) may have refused the others with it: each property is then sent alone (<see cref="MaxAlone"/> at most),
        /// and a server error to any of these creates is a server error on unexpected input (AG9025), never a refusal.
        /// </summary>
        private async Task<bool> PropertyLevelAsync(
            OperationInfo creator, string item, (ServiceAuth Identity, Credentials Credentials) a, JsonObject? baseline, CancellationToken cancellationToken)
        {
            var plan = RequestPlanner.Plan(creator, NewBook(), 1);
            var request = plan.Requests.Count > 0 ? plan.Requests[0] : null;
            if (request?.Body is null || Json(request.Body) is not JsonObject body || baseline is null)
            {
                return false;
            }

            var response = ResponseSchema(creator);
            var writable = RequestProperties(creator);
            var injected = new JsonObject();
            foreach (var (name, schema) in response)
            {
                var view = SchemaView.Of(schema);
                var privileged = Privileged.Contains(name, StringComparer.OrdinalIgnoreCase) && !writable.Contains(name);
                if (name == "id" || !(view.ReadOnly || privileged) || body.ContainsKey(name)
                    || Different(name, baseline[name], schema, view, Seen.GetValueOrDefault(name) ?? []) is not { } value)
                {
                    continue;
                }

                injected[name] = value;
            }

            if (injected.Count == 0)
            {
                return false;
            }

            var stuck = new List<string>();
            var undetermined = new List<string>();
            var serverErrors = new List<(string What, ProbeRequest Sent, ProbeExchange Answer)>();
            (ProbeRequest Sent, ProbeExchange Answer, JsonObject? ReadBack)? first = null;
            var all = await InjectAsync(creator, item, a, [.. injected.Select(p => p.Key)], injected, cancellationToken);
            if (all.Answer is { Succeeded: true })
            {
                stuck.AddRange(all.Stuck);
                first = stuck.Count > 0 ? (all.Sent!, all.Answer, all.ReadBack) : null;
            }
            else if (injected.Count == 1 || all.Answer is null)
            {
                serverErrors.AddRange(all.Answer is { Status: >= 500 } error ? [(Describe(injected), all.Sent!, error)] : []);
                undetermined.AddRange(Undetermined(all.Answer) is { } why ? injected.Select(p => $"'{p.Key}' ({why})") : []);
            }
            else
            {
                // Not taken as a whole: which property refused it is unknown, so each goes alone.
                var alone = injected.Select(p => p.Key).Take(MaxAlone).ToList();
                foreach (var name in alone)
                {
                    var one = await InjectAsync(creator, item, a, [name], injected, cancellationToken);
                    if (one.Answer is { Succeeded: true } && one.Stuck.Count > 0)
                    {
                        stuck.AddRange(one.Stuck);
                        first ??= (one.Sent!, one.Answer, one.ReadBack);
                    }
                    else if (one.Answer is { Status: >= 500 } error)
                    {
                        serverErrors.Add(($"'{name}' set to {injected[name]?.ToJsonString()}", one.Sent!, error));
                    }

                    if (one.Answer is not { Succeeded: true } && Undetermined(one.Answer) is { } why)
                    {
                        undetermined.Add($"'{name}' ({why})");
                    }
                }

                PropertyNotes.Add($"{creator.Name} answered {all.Answer.Status} to {injected.Count} properties at once, so each was sent alone" +
                    (injected.Count > alone.Count ? $" (the first {alone.Count}; not sent alone: {string.Join(", ", injected.Skip(alone.Count).Select(p => p.Key))})" : ""));
                if (serverErrors.Count == 0 && all.Answer.Status >= 500)
                {
                    serverErrors.Add((Describe(injected), all.Sent!, all.Answer));
                }
            }

            if (undetermined.Count > 0)
            {
                PropertyNotes.Add($"{creator.Name} not determined (not counted as refused): {string.Join(", ", undetermined)}");
            }

            if (stuck.Count > 0)
            {
                Add(SecurityRules.MassAssignment, Severity.High, creator.Name,
                    $"{creator.Name} took {string.Join(", ", stuck.Select(s => $"'{s}'"))} from the request, which {(stuck.Count == 1 ? "is" : "are")} read-only or privileged, and read back the injected value",
                    sender.Evidence(first!.Value.Sent, first.Value.Answer, sender.Excerpt(first.Value.ReadBack?.ToJsonString() ?? first.Value.Answer.Body)));
            }

            if (serverErrors.Count > 0)
            {
                var (what, sent, answer) = serverErrors[0];
                Add(SecurityRules.MalformedInputServerError, Severity.Medium, creator.Name,
                    $"{creator.Name} answered {answer.Status} to a create with {what}{(serverErrors.Count > 1 ? $" (and {serverErrors.Count - 1} more such creates)" : "")}: " +
                    "a server error on unexpected input, not a refusal; whether the property is taken from the request was not determined",
                    sender.Evidence(sent, answer));
            }

            return true;
        }

        /// <summary>
        /// Why a create with injected properties judged none of them, or null when its answer refused them (400, 403, 422: not
        /// taken): no answer, a 409 (after the retry with unique values: the object's state, a uniqueness the retry could not reach), a 5xx.
        /// </summary>
        private static string? Undetermined(ProbeExchange? answer) => answer switch
        {
            null => "no answer",
            { Status: 409 } => "answered 409",
            { Status: >= 500 } => $"answered {answer.Status}",
            _ => null,
        };

        private static string Describe(JsonObject injected) => injected.Count == 1
            ? $"'{injected.First().Key}' set to {injected.First().Value?.ToJsonString()}"
            : $"{string.Join(", ", injected.Select(p => $"'{p.Key}'"))} set";

        /// <summary>
        /// One create as <paramref name="a"/> with the properties <paramref name="names"/> of <paramref name="injected"/> set, its
        /// object read back: what was sent, the answer (null: none), what was read back, and which of the properties stuck.
        /// </summary>
        private async Task<(ProbeRequest? Sent, ProbeExchange? Answer, JsonObject? ReadBack, List<string> Stuck)> InjectAsync(
            OperationInfo creator, string item, (ServiceAuth Identity, Credentials Credentials) a, List<string> names, JsonObject injected, CancellationToken cancellationToken)
        {
            // A book of its own for each create: it knows the id of what this one made, to read it back.
            var book = NewBook();
            var plan = RequestPlanner.Plan(creator, book, 1);
            if (plan.Requests is not [var request, ..] || request.Body is null || Json(request.Body) is not JsonObject body)
            {
                return (null, null, null, []);
            }

            foreach (var name in names)
            {
                body[name] = injected[name]?.DeepClone();
            }

            var sent = a.Credentials.On(request with { Body = body.ToJsonString(), Purpose = "mass assignment" });
            var exchange = await sender.SendAsync(sent, cancellationToken);
            if (exchange?.Status == 409 && Frontend.ContractResource.Unique(sent.Body!, creator) is { } unique)
            {
                // The contract's example exists already (an earlier step or create made it, and the service keeps a field
                // unique): once more with its free text made unique, as the object-level create does.
                sent = sent with { Body = unique };
                exchange = await sender.SendAsync(sent, cancellationToken);
            }

            if (exchange is not { Succeeded: true })
            {
                return (sent, exchange, null, []);
            }

            book.Record(request, exchange.Status, exchange.Headers, exchange.Body);
            target.Track(book, a.Credentials);
            var readBack = Json(exchange.Body) as JsonObject;
            var parameter = ResourceBook.Parameters(item)[^1];
            if (target.Operations.FirstOrDefault(o => o.Template == item && o.Method == "GET") is { } read && book.Created(item, parameter) is not null
                && RequestPlanner.Plan(read, book, 1).Requests is [var get, ..]
                && await sender.SendAsync(a.Credentials.On(get), cancellationToken) is { Succeeded: true } again)
            {
                readBack = Json(again.Body) as JsonObject ?? readBack;
            }

            return (sent, exchange, readBack, [.. names.Where(n => readBack?[n] is { } actual && JsonNode.DeepEquals(actual, injected[n]))]);
        }

        /// <summary>Whether anyone may call the operation (<see cref="ProbeTarget.IsPublic"/>); records it once for the coverage finding.</summary>
        private bool IsPublic(OperationInfo operation)
        {
            if (!ProbeTarget.IsPublic(operation, policy))
            {
                return false;
            }

            if (!Public.Contains(operation.Name))
            {
                Public.Add(operation.Name);
            }

            return true;
        }

        /// <summary>The objects one identity created and what another identity (the prober) tried on them.</summary>
        private sealed class ObjectTally(string owner, (ServiceAuth Identity, Credentials Credentials)? prober, bool restricted = false)
        {
            public string Owner => owner;

            /// <summary>Whether the objects came from creates only some roles may call: what they make is usually shared, so its reads are not judged.</summary>
            public bool Restricted => restricted;

            public (ServiceAuth Identity, Credentials Credentials)? Prober => prober;

            /// <summary>The create operations sent (or meant to be) as the owner.</summary>
            public int Creates { get; set; }

            public int Objects { get; set; }

            public int Reads { get; set; }

            public int Changes { get; set; }

            /// <summary>Of the <see cref="Reads"/>, those beneath the object (<c>GET {item}/events</c>).</summary>
            public int Beneath { get; set; }

            /// <summary>Action operations (<c>POST {item}/{verb}</c>) sent.</summary>
            public int Actions { get; set; }

            public int Deletes { get; set; }

            /// <summary>Of the <see cref="Changes"/>, those beneath the object (<c>PUT {item}/address</c>, <c>POST {item}/lines</c>).</summary>
            public int ChangesBeneath { get; set; }

            /// <summary>Of the <see cref="Deletes"/>, those beneath the object (<c>DELETE {item}/address</c>).</summary>
            public int DeletesBeneath { get; set; }

            public int Refused { get; set; }

            /// <summary>What the prober sent, each kind apart: "1 reads, 0 changes, 1 actions, 0 deletes".</summary>
            public string Sent(bool reads = true) =>
                (reads ? $"{Reads} reads{Of(Beneath)}, " : string.Empty) + $"{Changes} changes{Of(ChangesBeneath)}, {Actions} actions, {Deletes} deletes{Of(DeletesBeneath)}";

            private static string Of(int beneath) => beneath > 0 ? $" ({beneath} beneath the object)" : string.Empty;
        }

        /// <summary>The item template of a collection (<c>/orders/{id}/</c> of <c>/orders/</c>), trailing slashes aside; null when the contract has none.</summary>
        private static string? ItemOf(List<string> templates, string collection) => templates.Find(t => PathTemplates.IsItemOf(t, collection));

        private static IReadOnlyDictionary<string, IOpenApiSchema> ResponseSchema(OperationInfo operation)
        {
            var response = operation.Operation.Responses?.Where(r => r.Key.StartsWith('2')).Select(r => r.Value).FirstOrDefault();
            var schema = response?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
            return schema is null ? new Dictionary<string, IOpenApiSchema>() : SchemaView.Of(schema).Properties;
        }

        private static HashSet<string> RequestProperties(OperationInfo operation)
        {
            var schema = operation.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
            return schema is null ? [] : [.. SchemaView.Of(schema).Properties.Where(p => !SchemaView.Of(p.Value).ReadOnly).Select(p => p.Key)];
        }

        /// <summary>
        /// A value the property's schema allows that differs from what a plain create gave it: an enum's other member, a value
        /// another object of this run had (<paramref name="seen"/>: another owner's id), the schema's example, one of its
        /// format; an id one below (an identity or object made before) rather than one that may not exist.
        /// </summary>
        private static JsonNode? Different(string name, JsonNode? current, IOpenApiSchema schema, SchemaView view, List<JsonNode> seen)
        {
            if (view.Enum.Count > 0)
            {
                // The view holds each member's JSON text ("\"draft\""): the member itself, parsed, is what the service takes.
                return view.Enum.Select(Json).FirstOrDefault(e => e is not null && !JsonNode.DeepEquals(e, current));
            }

            bool Fits(JsonNode? node) => node is JsonValue value && !JsonNode.DeepEquals(value, current) && (current is null || value.GetValueKind() == current.GetValueKind());
            if (seen.FirstOrDefault(Fits) is { } before)
            {
                return before.DeepClone();
            }

#pragma warning disable CS0618 // "example" is the 3.0 spelling, and documents written for 3.0 still use it.
            JsonNode?[] examples = [schema.Example, .. schema.Examples ?? []];
#pragma warning restore CS0618
            if (examples.FirstOrDefault(Fits) is { } example)
            {
                return example.DeepClone();
            }

            var isId = name.EndsWith("id", StringComparison.OrdinalIgnoreCase) || name.Equals("owner", StringComparison.OrdinalIgnoreCase);
            var formatted = view.Format?.ToLowerInvariant() switch
            {
                "date-time" => "2020-01-02T03:04:05Z",
                "date" => "2020-01-02",
                "uuid" => "00000000-0000-4000-8000-00000000a7c6",
                "email" => "archgate@example.com",
                "uri" or "url" => "https://example.com/archgate",
                _ => null,
            };
            return current switch
            {
                JsonValue v when v.TryGetValue<long>(out var n) => JsonValue.Create(isId ? (n > 1 ? n - 1 : n + 1) : n + 7),
                JsonValue v when v.TryGetValue<double>(out var d) => JsonValue.Create(d == 0.01 ? 0.02 : 0.01),
                JsonValue v when v.TryGetValue<bool>(out var flag) => JsonValue.Create(!flag),
                JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(formatted is not null && formatted != text ? formatted : "archgate-injected"),
                null when view.Types is { } t && t.HasFlag(JsonSchemaType.Boolean) => JsonValue.Create(true),
                null when view.Types is { } t && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)) => JsonValue.Create(isId ? 1 : 7),
                null when view.Types is { } t && t.HasFlag(JsonSchemaType.String) => JsonValue.Create(formatted ?? "archgate-injected"),
                _ => null,
            };
        }

        private static JsonNode? Json(string text)
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private Component Component => component;
}
