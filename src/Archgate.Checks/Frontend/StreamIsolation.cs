using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5, tenant isolation of a real-time endpoint: a second identity of <c>security.identities</c> (an ordinary one
/// first) follows the same endpoint while the trigger writes as the service's <c>auth</c> identity. An event about the
/// written object (its key in an <c>id</c> or <c>…Id</c> property, as step 7 matches events to objects, <see cref="EventSubject"/>, or its path)
/// on the second stream is a leak when that identity cannot read the object itself (401, 403, 404); an object it can
/// read is shared, and its event is fine. One <see cref="StreamIsolation"/> serves one check run.
/// </summary>
internal sealed class StreamIsolation : IDisposable
{
    private readonly ServiceComponent _service;
    private readonly RealtimeEndpoint _endpoint;
    private readonly ServiceAuth _identity;
    private readonly Credentials _credentials;
    private readonly IEventStream? _stream;
    private readonly string? _notChecked;

    private StreamIsolation(ServiceComponent service, RealtimeEndpoint endpoint, ServiceAuth identity, Credentials credentials, IEventStream? stream, string? notChecked) =>
        (_service, _endpoint, _identity, _credentials, _stream, _notChecked) = (service, endpoint, identity, credentials, stream, notChecked);

    /// <summary>What the second identity's credentials must never show in evidence.</summary>
    public IReadOnlyList<string> Secrets => [.. _credentials.Secrets, .. _identity.Secrets];

    /// <summary>
    /// The identity of <c>security.identities</c> that is not the service's <c>auth</c> identity (by name, or by user
    /// and login for the old unnamed spelling), ordinary users before admins (an admin reads everything); null when none.
    /// </summary>
    internal static ServiceAuth? Other(ServiceComponent service, SystemModel system) =>
        IdentityLogin.Ordinary(system.Security.Identities).Concat(system.Security.Identities).FirstOrDefault(i => !Same(i, service.Auth));

    private static bool Same(ServiceAuth identity, ServiceAuth? auth) => auth is not null &&
        (identity == auth || (identity.Name is not null && identity.Name == auth.Name)
            || (identity is LoginAuth a && auth is LoginAuth b && a.User == b.User && a.Path == b.Path && a.At == b.At));

    /// <summary>
    /// Signs the second identity in at the service and opens the endpoint as it (settled past its first event, as the
    /// owner's stream is), before the trigger writes; null when the manifest names no second identity.
    /// </summary>
    public static async Task<StreamIsolation?> OpenAsync(
        RealtimeCheck check, ServiceComponent service, RealtimeEndpoint endpoint, CheckContext context, TimeSpan settle, CancellationToken cancellationToken)
    {
        if (Other(service, context.System) is not { } identity)
        {
            return null;
        }

        var credentials = await ApiSession.SignInAsync(identity, service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return new(service, endpoint, identity, credentials, null, $"'{identity.Label}' could not sign in to {service.Name}: {credentials.Problem}");
        }

        var stream = await check.OpenAsync(context, Token(credentials), credentials.RequestHeaders, null, cancellationToken);
        if (stream.Problem is not null)
        {
            var problem = stream.Problem;
            stream.Dispose();
            return new(service, endpoint, identity, credentials, null, $"the stream did not open for '{identity.Label}' ({problem}): it cannot carry anything to that identity");
        }

        await stream.DrainAsync(settle, cancellationToken);
        return new(service, endpoint, identity, credentials, stream, null);
    }

    /// <summary>The bearer token of <paramref name="credentials"/> (for a stream that takes it in the query), or null.</summary>
    internal static string? Token(Credentials credentials) =>
        credentials.Headers.FirstOrDefault(h => h.Key == "Authorization").Value?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// After the owner's <paramref name="write"/> (<paramref name="sinceWrite"/> ago): the second stream's events within
    /// the endpoint's <c>within</c> of the write, and, for one about the written object, whether the second identity
    /// may read that object. A leak is AG5034 (high); anything else an AG5035 saying what was checked or why not.
    /// </summary>
    public async Task<Finding> JudgeAsync(HttpClient http, ApiAnswer write, TimeSpan sinceWrite, Func<string, string> mask, CancellationToken cancellationToken)
    {
        var who = $"'{_identity.Label}'";
        if (_notChecked is not null || _stream is null)
        {
            return Info($"isolation from another identity not checked: {_notChecked}", null);
        }

        if (Written(write) is not { } item)
        {
            return Info($"isolation from another identity not checked: {_endpoint.Trigger.Method} {_endpoint.Trigger.Path} answered {write.Status} without the written object's Location or id", null);
        }

        var watch = Stopwatch.StartNew();
        ServerSentEvent? leaked = null;
        var others = 0;
        while (leaked is null && sinceWrite + watch.Elapsed < _endpoint.Within)
        {
            if (await _stream.NextAsync(null, _endpoint.Within - sinceWrite - watch.Elapsed, cancellationToken) is not { } e)
            {
                break;
            }

            if (IsAbout(e, item))
            {
                leaked = e;
            }
            else
            {
                others++;
            }
        }

        var within = $"{_endpoint.Within.TotalSeconds:0.#} s";
        if (leaked is null)
        {
            return Info($"the stream of {who} carried no event about {item.Path} within {within} of the write as '{_service.Auth?.Label}'" +
                (others > 0 ? $" ({others} other event(s))" : string.Empty), null);
        }

        var read = await ApiCall.SendAsync(http, "GET", item.Url, _credentials.RequestHeaders, null, ApiCall.DefaultTimeout, cancellationToken);
        var received = mask($"event as {who} received it:\n{(leaked.Id is null ? string.Empty : $"id: {leaked.Id}\n")}event: {leaked.Type}\ndata: {ProbeHttp.Excerpt(leaked.Data, 400)}\nthen GET {item.Path} as {who}: {read.Outcome}\n{read.Evidence()}");
        if (read.Status is 401 or 403 or 404)
        {
            return Findings.Create(FrontendRules.StreamLeak, Severity.High, _service.Name, _endpoint.Path,
                $"the stream of {who} carried a '{leaked.Type}' event about {item.Path}, which '{_service.Auth?.Label}' wrote and {who} may not read (GET {item.Path} as {who}: {read.Status}): the stream leaks other users' objects (CWE-200, CWE-639)",
                received,
                $"send each event only to subscribers allowed to read its object: filter {_endpoint.Path}'s events by the subscriber's tenant or owner, as the read of {item.Path} does");
        }

        return Info(read.Ok
            ? $"the stream of {who} carried an event about {item.Path}, and {who} may read it (GET {read.Status}): a shared object"
            : $"the stream of {who} carried an event about {item.Path}; whether {who} may read it was not determined (GET {item.Path} as {who}: {read.Outcome})", received);
    }

    public void Dispose() => _stream?.Dispose();

    /// <summary>
    /// The object the write made or changed: its answer's <c>Location</c> (resolved against the request's URL, as a client
    /// follows it), else the write's own path plus the <c>id</c> of a JSON answer (a create on a collection), else the
    /// written path itself with an id in the answer (an update of an item). Its key is the path's last segment.
    /// </summary>
    internal (string Path, string Key, Uri Url)? Written(ApiAnswer write)
    {
        if (write.Header("Location") is { } location && Uri.TryCreate(write.Url, location, out var at)
            && at.AbsolutePath.TrimEnd('/').Split('/')[^1] is { Length: > 0 } last)
        {
            return (at.AbsolutePath, Uri.UnescapeDataString(last), at);
        }

        string? id = null;
        try
        {
            id = (JsonNode.Parse(write.Body) as JsonObject)?["id"] is JsonValue value ? JsonSubset.Text(value) : null;
        }
        catch (JsonException)
        {
        }

        if (id is null)
        {
            return null;
        }

        var written = _endpoint.Trigger.Path.Split('?')[0].TrimEnd('/');
        var path = written.EndsWith("/" + id, StringComparison.Ordinal) ? written : $"{written}/{Uri.EscapeDataString(id)}";
        return (path, id, ApiCall.Resolve(_service.Url!, path));
    }

    private static bool IsAbout(ServerSentEvent e, (string Path, string Key, Uri Url) item) =>
        EventSubject.About(e, item.Key) is not null || e.Data.Contains($"\"{item.Path}\"", StringComparison.Ordinal);

    private Finding Info(string message, string? evidence) =>
        Findings.Create(FrontendRules.StreamIsolationSeen, Severity.Info, _service.Name, _endpoint.Path, message, evidence, null);
}
