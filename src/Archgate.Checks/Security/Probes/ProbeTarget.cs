using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// A service as the probes see it: its base URL, its contract's operations (none without a contract), the
/// credentials of the manifest's <c>auth</c>, and a sender bounded by the family's budget.
/// </summary>
internal sealed class ProbeTarget
{
    private ProbeTarget(HttpComponent component, OpenApiDocument document, bool hasContract, Uri baseUrl, Credentials service)
    {
        Component = component;
        Document = document;
        HasContract = hasContract;
        BaseUrl = baseUrl;
        Service = service;
        Prefix = ContractBase.Prefix(component.Url, hasContract ? document : null);
        Operations = hasContract ? OperationInfo.All(document) : [];
    }

    /// <summary>The books whose creates <see cref="CleanUpAsync"/> deletes, each with the credentials it created as.</summary>
    private readonly List<(ResourceBook Book, Credentials Owner)> _made = [];

    public HttpComponent Component { get; }

    public OpenApiDocument Document { get; }

    public bool HasContract { get; }

    public Uri BaseUrl { get; }

    /// <summary>The credentials of the component's <c>auth</c> (nothing when it has none; see <see cref="Credentials.Problem"/>).</summary>
    public Credentials Service { get; }

    public IReadOnlyList<OperationInfo> Operations { get; }

    /// <summary>What goes before a contract template to make it a manifest path (<see cref="ContractBase.Prefix"/>).</summary>
    public string Prefix { get; }

    /// <summary>
    /// Whether anyone may call <paramref name="operation"/> without credentials, so that another identity reaching it
    /// proves nothing: the contract allows anonymous callers (<see cref="OperationInfo.AllowsAnonymous"/>) and the manifest
    /// does not say otherwise. An operation a pattern of <c>security.protected</c> or <c>security.adminOnly</c> matches
    /// (method and path) needs credentials whatever the contract says: the manifest is the user's word on this system,
    /// a contract is often generated without its security.
    /// </summary>
    public static bool IsPublic(OperationInfo operation, SecurityPolicy policy) =>
        operation.AllowsAnonymous
        && !policy.Protected.Any(p => PathPatterns.Matches(p, operation.Method, operation.Template))
        && !policy.AdminOnly.Any(p => PathPatterns.Matches(p, operation.Method, operation.Template));

    /// <summary>
    /// The probes of the patterns of <paramref name="list"/> no operation of this service's contract matches
    /// (<see cref="LiteralProbe"/>). A pattern an operation of another service's contract matches names that service's
    /// paths, not this one's: it is not probed here, and <paramref name="leftOut"/> says so.
    /// </summary>
    public async Task<List<(string What, ProbeRequest Request)>> LiteralProbesAsync(
        IReadOnlyList<string> patterns, string list, CheckContext context, ContractDocuments documents, List<string> leftOut, CancellationToken cancellationToken)
    {
        var result = new List<(string What, ProbeRequest Request)>();
        var unmatched = patterns.Where(p => !Operations.Any(o => PathPatterns.Matches(p, o.Method, o.Template))).ToList();
        if (unmatched.Count == 0)
        {
            return result;
        }

        var others = new List<(string Name, IReadOnlyList<OperationInfo> Operations)>();
        foreach (var other in context.System.Components.OfType<HttpComponent>().Where(c => c.Name != Component.Name && c.OpenApi is not null))
        {
            var loaded = await documents.LoadAsync(other.OpenApi!.Path, cancellationToken);
            if (loaded.Succeeded)
            {
                others.Add((other.Name, OperationInfo.All(loaded.Document!)));
            }
        }

        foreach (var pattern in unmatched)
        {
            if (others.Find(o => o.Operations.Any(op => PathPatterns.Matches(pattern, op.Method, op.Template))) is { Name: { } owner })
            {
                leftOut.Add($"{list} '{pattern}' ({owner}'s contract has it, {Component.Name}'s has not)");
            }
            else if (LiteralProbe(pattern, list, context.System.Security, leftOut) is { } probe)
            {
                result.Add(probe);
            }
        }

        return result;
    }

    /// <summary>
    /// The request that probes a pattern of <paramref name="list"/> no contract operation matches: its literal part
    /// (<c>/admin/**</c>: <c>/admin</c>) with the pattern's method, <c>GET</c> when it names none, a write with the body
    /// <c>{}</c>. Null, with why in <paramref name="leftOut"/>, for a delete (never sent to what the run did not
    /// create) and for a write under <c>security.safe</c>. A 404 to it says the path does not exist here: not found,
    /// not refused.
    /// </summary>
    private static (string What, ProbeRequest Request)? LiteralProbe(string pattern, string list, SecurityPolicy policy, List<string> leftOut)
    {
        var method = PathPatterns.Split(pattern).Method ?? "GET";
        var path = PathPatterns.LiteralPrefix(pattern);
        var what = $"{method} {path}";
        if (method == "DELETE" || (policy.Safe && method is not ("GET" or "HEAD" or "OPTIONS")))
        {
            leftOut.Add($"{what} ({(method == "DELETE" ? "a delete is never sent to what the run did not create" : "security.safe")})");
            return null;
        }

        var write = method is "POST" or "PUT" or "PATCH";
        return (what, new ProbeRequest
        {
            Method = method,
            Template = path,
            Path = path,
            Body = write ? "{}" : null,
            ContentType = write ? "application/json" : null,
            Purpose = $"{list} '{pattern}'",
        });
    }

    /// <summary>
    /// Whether <paramref name="operation"/> is the logout of the component's own login: sent with the session every check
    /// shares, it ends that session (a cookie session, a revoked token), so a probe sends it last and then
    /// <see cref="SignedOut"/>.
    /// </summary>
    public bool IsOwnLogout(OperationInfo operation) =>
        Component.Auth is LoginAuth { Logout: { } logout } login && login.SignsInAt(Component.Name) && logout.Is(operation.Method, Prefix + operation.Template);

    /// <summary>After the own logout was sent signed in: the run's token source signs in again for the checks after this one.</summary>
    public void SignedOut(CheckContext context)
    {
        if (Component.Auth is LoginAuth login && Service.Ok)
        {
            TokenSource.Of(context).Forget(login, Component.Url);
        }
    }

    /// <summary>Loads the contract (when there is one) and signs in with the component's <c>auth</c>.</summary>
    public static async Task<(ProbeTarget? Target, CheckResult? Skipped)> OpenAsync(
        HttpComponent component, CheckContext context, ContractDocuments documents, SecurityProbeOptions options, CancellationToken cancellationToken)
    {
        var document = new OpenApiDocument();
        var hasContract = false;
        if (component.OpenApi is { } spec)
        {
            var loaded = await documents.LoadAsync(spec.Path, cancellationToken);
            if (loaded.Succeeded)
            {
                document = loaded.Document!;
                hasContract = true;
            }
        }

        var baseUrl = hasContract ? ContractBase.Of(component.Url, document) : component.Url;
        var (service, _, _) = await Authenticator.AuthenticateAsync(component.Auth, component.Url, document, context, options.RequestTimeout, cancellationToken);
        return (new ProbeTarget(component, document, hasContract, baseUrl, service), null);
    }

    /// <summary>A new book of what a probe creates, over the contract's paths and the manifest's fixtures (<c>openapi.fixtures</c>).</summary>
    public ResourceBook NewBook() => new(
        (Document.Paths?.Keys ?? Enumerable.Empty<string>()).ToList(),
        Component.OpenApi?.Fixtures ?? new Dictionary<string, IReadOnlyDictionary<string, string>>());

    /// <summary>
    /// One create through <paramref name="creator"/> as <paramref name="credentials"/> (once more with unique values when
    /// the contract's example answers 409: it exists already and the service keeps a field unique), recorded in
    /// <paramref name="book"/> when it succeeded: the answer, or why no request could be planned.
    /// </summary>
    /// <remarks>
    /// When the create's body names another resource (an order's <c>holdId</c>: <see cref="BodyReferences"/>) and
    /// the contract has that resource's create, one is created first, as the same identity, recorded in the book (at
    /// most <paramref name="depth"/> levels deep), and the create's body names it. Whatever the book records is deleted
    /// by <see cref="CleanUpAsync"/>.
    /// </remarks>
    public async Task<(ProbeExchange? Created, string? NotPlanned)> CreateAsync(
        ProbeSender sender, OperationInfo creator, Credentials credentials, ResourceBook book, CancellationToken cancellationToken,
        int depth = Frontend.ReferencedObjects.MaxDepth)
    {
        Track(book, credentials);
        var operations = Operations;
        var references = depth <= 0 ? []
            : BodyReferences.Find(BodyReferences.Example(creator), BodyReferences.Schema(creator), book.Templates, creator.Template.TrimEnd('/'));
        foreach (var reference in references.DistinctBy(r => r.Item))
        {
            if (operations.FirstOrDefault(o => o.Method == "POST" && o.Template.TrimEnd('/') == reference.Collection) is { } prerequisite)
            {
                await CreateAsync(sender, prerequisite, credentials, book, cancellationToken, depth - 1);
            }
        }

        var plan = RequestPlanner.Plan(creator, book, 1);
        if (plan.Requests.Count == 0)
        {
            return (null, plan.SkipReason ?? "no request could be built");
        }

        var create = credentials.On(plan.Requests[0]);
        var created = await sender.SendAsync(create, cancellationToken);
        if (created?.Status == 409 && create.Body is { } sentBody && Frontend.ContractResource.Unique(sentBody, creator) is { } unique)
        {
            create = create with { Body = unique };
            created = await sender.SendAsync(create, cancellationToken);
        }

        if (created is { Succeeded: true })
        {
            book.Record(plan.Requests[0] with { Body = create.Body }, created.Status, created.Headers, created.Body);
        }

        return (created, null);
    }

    /// <summary>
    /// Remembers <paramref name="book"/>: whatever its creates made (<see cref="ResourceBook.Leftovers"/>, as
    /// <paramref name="owner"/>) is deleted by <see cref="CleanUpAsync"/>.
    /// </summary>
    public void Track(ResourceBook book, Credentials owner)
    {
        if (!_made.Exists(m => ReferenceEquals(m.Book, book)))
        {
            _made.Add((book, owner));
        }
    }

    /// <summary>
    /// A probe's create that the service carried out (2xx to a <c>POST</c>) made an object, whether or not it should have:
    /// it is deleted by <see cref="CleanUpAsync"/> as <paramref name="owner"/>.
    /// </summary>
    public void Made(ProbeRequest sent, ProbeExchange? answer, Credentials owner)
    {
        if (sent.Method == "POST" && answer is { Succeeded: true })
        {
            var book = NewBook();
            book.Record(sent, answer.Status, answer.Headers, answer.Body);
            Track(book, owner);
        }
    }

    /// <summary>
    /// Deletes, best effort, what the probes created (<see cref="Track"/>): each object once, newest book first, the
    /// deepest and newest of a book first (an order before the hold it names), as its creator, where the contract has a
    /// delete for it (else a release action, a booking cancelled); a 404 or 410 counts as gone. Null when nothing was created; else what was deleted and what was
    /// left, and why, for the check's coverage finding. After the probes sent the service's own logout
    /// (<paramref name="signedOut"/>), what was made as the service's identity is deleted with a new sign-in.
    /// </summary>
    public async Task<string?> CleanUpAsync(ProbeSender sender, CancellationToken cancellationToken, CheckContext? signedOut = null, SecurityProbeOptions? options = null)
    {
        var service = Service;
        if (signedOut is not null && options is not null && _made.Exists(m => ReferenceEquals(m.Owner, Service)))
        {
            (service, _, _) = await Authenticator.AuthenticateAsync(Component.Auth, Component.Url, Document, signedOut, options.RequestTimeout, cancellationToken);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var deleted = 0;
        var released = new List<string>();
        var left = new List<string>();
        for (var i = _made.Count - 1; i >= 0; i--)
        {
            var (book, made) = _made[i];
            var owner = ReferenceEquals(made, Service) ? service : made;
            foreach (var (template, path) in book.Leftovers.Where(l => seen.Add(l.Path)))
            {
                // No DELETE on the item: its release action (a booking cancelled) frees what it holds.
                if (ProbeRequest.Undo(Operations, template, path, book, "clean up what the probes created") is not { } undo)
                {
                    left.Add($"{path} (the contract has no DELETE {template} and no action that cancels it)");
                    continue;
                }

                var (request, _, release) = undo;
                var answer = cancellationToken.IsCancellationRequested ? null
                    : await sender.SendAsync(owner.On(request), cancellationToken, cleanUp: true);
                if (answer is { Status: (>= 200 and < 300) or 404 or 410 })
                {
                    book.Deleted(path);
                    deleted++;
                    if (release is not null && answer.Status is >= 200 and < 300)
                    {
                        released.Add(release.Operation.Name);
                    }
                }
                else
                {
                    left.Add($"{path} ({(answer is null ? "not sent or no answer" : $"answered {answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}")})");
                }
            }
        }

        _made.Clear();
        return deleted + left.Count == 0 ? null
            : $"cleanup: {deleted} of {deleted + left.Count} objects the probes created deleted" +
              (released.Count > 0 ? $" or undone ({string.Join(", ", released.GroupBy(r => r, StringComparer.Ordinal).Select(g => $"{g.Count()} by {g.Key}"))})" : string.Empty) +
              (left.Count > 0 ? $"; left behind: {string.Join(", ", left.Take(10))}{(left.Count > 10 ? $" and {left.Count - 10} more" : "")}" : "");
    }

    /// <summary>A sender for one family, masking the service's secrets and <paramref name="more"/>.</summary>
    public ProbeSender Sender(CheckContext context, SecurityProbeOptions options, IEnumerable<string>? more = null) =>
        new(context, BaseUrl, options, [.. Service.Secrets, .. more ?? [], .. context.System.Security.Identities.SelectMany(i => i.Secrets), .. context.System.Security.SigningKey?.Secrets ?? []]);
}
