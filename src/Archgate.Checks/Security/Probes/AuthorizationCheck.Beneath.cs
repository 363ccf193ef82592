using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

internal sealed partial class AuthorizationCheck
{
    private sealed partial class Run
    {
        /// <summary>The reads beneath an object left out, each with why (a further parameter with no value), for the coverage finding.</summary>
        private Dictionary<string, string> BeneathLeftOut { get; } = new(StringComparer.Ordinal);

        /// <summary>The reads beneath an object its owner could not read either: not evaluated, each once, with the owner's answer.</summary>
        private List<string> BeneathNotEvaluated { get; } = [];

        /// <summary>The writes beneath an object its owner was refused too: not evaluated, each once, with the owner's answer.</summary>
        private List<string> WritesNotEvaluated { get; } = [];

        /// <summary>
        /// Whether <paramref name="operation"/> writes beneath <paramref name="item"/>: a <c>PUT</c>, <c>PATCH</c>, <c>POST</c> or
        /// <c>DELETE</c> whose path is the item's with more segments (<c>PUT /orders/{id}/address</c>,
        /// <c>DELETE /parcels/{id}/notes/{noteId}</c>). The item's actions are among them; the caller probes those as actions.
        /// </summary>
        private static bool IsWriteBeneath(OperationInfo operation, string item) =>
            operation.Method is "PUT" or "PATCH" or "POST" or "DELETE" && !PathTemplates.Same(operation.Template, item)
            && operation.Template.StartsWith(PathTemplates.Bare(item) + "/", StringComparison.Ordinal);

        /// <summary>
        /// Whether <paramref name="operation"/> reads beneath <paramref name="item"/>: a <c>GET</c> (or <c>HEAD</c>) whose path is
        /// the item's with more segments (<c>/parcels/{id}/events</c>, <c>/orders/{orderId}/lines</c>, <c>/api/kits/{id}/stock/</c>).
        /// </summary>
        private static bool IsBeneath(OperationInfo operation, string item) =>
            operation.Method is "GET" or "HEAD" && !PathTemplates.Same(operation.Template, item)
            && operation.Template.StartsWith(PathTemplates.Bare(item) + "/", StringComparison.Ordinal);

        /// <summary>
        /// BOLA on a read beneath an object (its history, comments, lines): the owner reads it first, the control, which must
        /// answer 2xx (else the read is not evaluated, and said why); then the other identity, as an item read is judged: 2xx
        /// is AG9010, even an empty list (what is beneath the object is its owner's, empty or not), 401, 403 or 404 refused,
        /// anything else not determined. Only the item's own parameters come from the object; a further one
        /// (<c>{eventId}</c> of <c>/parcels/{id}/events/{eventId}</c>) takes the first id of the owner's listing beneath the
        /// object (<c>GET /parcels/{id}/events</c>, read before it), else a value from the run or the manifest
        /// (<c>openapi.fixtures</c>) or an example in the contract, else the read is left out and said why.
        /// </summary>
        private async Task BeneathAsync(
            OperationInfo read, string item, ResourceBook book, (ServiceAuth Identity, Credentials Credentials) owner,
            (ServiceAuth Identity, Credentials Credentials) other, ObjectTally tally, string? found, CancellationToken cancellationToken)
        {
            if (PlanBeneath(read, item, book) is not { } request)
            {
                return;
            }

            ObjectProbed.Add(read.Name);
            var control = await sender.SendAsync(owner.Credentials.On(request), cancellationToken);
            if (control is not { Succeeded: true })
            {
                var why = $"{read.Name} ({owner.Identity.Label}'s own read of {request.Path} answered {control?.Status.ToString(CultureInfo.InvariantCulture) ?? "nothing"})";
                if (!BeneathNotEvaluated.Exists(n => n.StartsWith(read.Name + " (", StringComparison.Ordinal)))
                {
                    BeneathNotEvaluated.Add(why);
                }

                return;
            }

            // A listing beneath the object names what is in it: the first element's id is the value of the item beneath
            // it (the {eventId} of /parcels/{id}/events/{eventId}), for the reads and writes of that item that come after.
            foreach (var child in book.Templates.Where(t => PathTemplates.IsItemOf(t, read.Template)))
            {
                var parameter = ResourceBook.Parameters(child)[^1];
                if (book.Created(child, parameter) is null && Elements(Json(control.Body), 0)?.OfType<JsonObject>().FirstOrDefault() is { } first
                    && IdOf(first, parameter) is { } id)
                {
                    book.Known(child, parameter, id);
                }
            }

            var sent = other.Credentials.On(request);
            if (await sender.SendAsync(sent, cancellationToken) is not { } exchange)
            {
                return;
            }

            tally.Reads++;
            tally.Beneath++;
            if (exchange.Succeeded)
            {
                var path = request.Path.Split('?')[0];
                var itemPath = PathTemplates.ItemPath(path, item);
                var whose = found is null ? "created" : $"already has ({found}; the run did not create it, so only reads were tried)";
                var empty = Elements(Json(exchange.Body), 0) is { Count: 0 }
                    ? $"; the answer is an empty list, and still a finding: the list beneath {itemPath} is '{owner.Identity.Label}''s, with nothing in it yet, and what is added to it later is read the same way"
                    : string.Empty;
                Add(SecurityRules.ObjectLevelAuthorization, Severity.Critical, read.Name,
                    $"'{other.Identity.Label}' read {path}, beneath {itemPath}, which '{owner.Identity.Label}'{(AdminOperations.IsAdmin(owner.Identity) ? " (an admin)" : "")} {whose}: " +
                    $"{read.Name} answered {exchange.Status} instead of 403 or 404",
                    $"{sender.Evidence(sent, exchange)}; '{owner.Identity.Label}''s own read of it answered {control.Status}{empty}");
            }
            else if (exchange.Status is 401 or 403 or 404)
            {
                tally.Refused++; // the owner reads it: the prober's 404 hides it, as it should
            }
            else
            {
                ObjectUndetermined.Add($"{read.Name} as {other.Identity.Label} (answered {exchange.Status})");
            }
        }

        /// <summary>
        /// The request for <paramref name="operation"/> beneath <paramref name="item"/> on the object of <paramref name="book"/>;
        /// null, and the reason kept for the coverage finding, when a further path parameter has no value (one from the run,
        /// <c>openapi.fixtures</c> or an example in the contract) or the contract gives no request to plan.
        /// </summary>
        private ProbeRequest? PlanBeneath(OperationInfo operation, string item, ResourceBook book)
        {
            var own = ResourceBook.Parameters(item);
            var unvalued = ResourceBook.Parameters(operation.Template)
                .Where(n => !own.Contains(n) && book.Created(operation.Template, n) is null && book.Fixture(operation.Template, n) is null && !HasExample(operation, n))
                .ToList();
            if (unvalued.Count > 0)
            {
                BeneathLeftOut.TryAdd(operation.Name, $"a parameter besides the item's own has no value ({string.Join(", ", unvalued.Select(n => $"{{{n}}}"))}): " +
                    "no listing beneath the object named one; give one in openapi.fixtures or an example in the contract");
                return null;
            }

            if (RequestPlanner.Plan(operation, book, 1, beneathItem: item).Requests is [var request, ..])
            {
                return request;
            }

            BeneathLeftOut.TryAdd(operation.Name, "the contract gives no request to plan (a body or parameter with no schema or example)");
            return null;
        }

        /// <summary>
        /// BOLA on a write beneath an object (its address, a note, a line added or removed): the other identity sends it first,
        /// as an item change is judged: 2xx is AG9010 (the owner's object changed by someone else), 401, 403 or 404 is
        /// refused only once the owner's own identical write is accepted (the control, sent after, so that it cannot be what
        /// the other's refusal answers; a delete's control takes what it deletes, so deletes beneath come last but for the
        /// item's own). Refused to the owner too: not evaluated, and said so. Anything else is not determined.
        /// </summary>
        private async Task WriteBeneathAsync(
            OperationInfo write, string item, ResourceBook book, (ServiceAuth Identity, Credentials Credentials) owner,
            (ServiceAuth Identity, Credentials Credentials) other, ObjectTally tally, CancellationToken cancellationToken)
        {
            if (PlanBeneath(write, item, book) is not { } request)
            {
                return;
            }

            ObjectProbed.Add(write.Name);
            var sent = other.Credentials.On(request);
            if (await sender.SendAsync(sent, cancellationToken) is not { } exchange)
            {
                return;
            }

            var delete = write.Method == "DELETE";
            tally.Changes += delete ? 0 : 1;
            tally.ChangesBeneath += delete ? 0 : 1;
            tally.Deletes += delete ? 1 : 0;
            tally.DeletesBeneath += delete ? 1 : 0;
            var path = request.Path.Split('?')[0];
            var itemPath = PathTemplates.ItemPath(path, item);
            if (exchange.Succeeded)
            {
                var what = write.Method switch { "DELETE" => "deleted", "POST" => "added to", _ => "changed" };
                Add(SecurityRules.ObjectLevelAuthorization, Severity.Critical, write.Name,
                    $"'{other.Identity.Label}' {what} {path}, beneath {itemPath}, which '{owner.Identity.Label}'{(AdminOperations.IsAdmin(owner.Identity) ? " (an admin)" : "")} created: " +
                    $"{write.Name} answered {exchange.Status} instead of 403 or 404",
                    sender.Evidence(sent, exchange));
                return;
            }

            if (exchange.Status is not (401 or 403 or 404))
            {
                ObjectUndetermined.Add($"{write.Name} as {other.Identity.Label} (answered {exchange.Status})");
                return;
            }

            var control = await sender.SendAsync(owner.Credentials.On(request), cancellationToken);
            if (control is { Succeeded: true })
            {
                tally.Refused++;
            }
            else if (!WritesNotEvaluated.Exists(n => n.StartsWith(write.Name + " (", StringComparison.Ordinal)))
            {
                WritesNotEvaluated.Add($"{write.Name} ({owner.Identity.Label}'s own {write.Method} of {path} answered {control?.Status.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, " +
                    $"so {other.Identity.Label}'s {exchange.Status} proves nothing)");
            }
        }

        /// <summary>Whether the contract gives the path parameter <paramref name="name"/> of <paramref name="operation"/> an example.</summary>
        private static bool HasExample(OperationInfo operation, string name) =>
            operation.Parameters.FirstOrDefault(p => p.In == Microsoft.OpenApi.ParameterLocation.Path && p.Name == name) is { } parameter
#pragma warning disable CS0618 // "example" is the 3.0 spelling, and documents written for 3.0 still use it.
            && (parameter.Example is not null || parameter.Examples is { Count: > 0 } || parameter.Schema?.Example is not null || parameter.Schema?.Examples is { Count: > 0 });
#pragma warning restore CS0618

        /// <summary>
        /// The item operations no object was probed with, grouped by why: a further parameter with no value or nothing to
        /// plan, beneath an object whose probes did not reach them, else no object this run created (or found) is theirs.
        /// </summary>
        private IEnumerable<string> NotProbed(IEnumerable<OperationInfo> leftOut, int found) =>
            leftOut.GroupBy(o => BeneathLeftOut.GetValueOrDefault(o.Name)
                    ?? (CreatedAsFirst.Any(item => o.Template.StartsWith(PathTemplates.Bare(item) + "/", StringComparison.Ordinal))
                        ? "beneath an object this run created, but not reached by its probes"
                        : $"no object this run created is theirs{(found > 0 ? "; objects found are only read" : string.Empty)}"))
                .Select(g => $"object level: item operations not probed ({g.Key}): {string.Join(", ", g.Take(8).Select(o => o.Name))}" +
                    (g.Count() > 8 ? $" and {g.Count() - 8} more" : string.Empty));

        /// <summary>The reads and the writes beneath an object not evaluated, a coverage line each (none when all were).</summary>
        public IEnumerable<string> BeneathCoverage()
        {
            if (BeneathNotEvaluated.Count > 0)
            {
                yield return $"object level: reads beneath an object not evaluated (its owner could not read them either): {string.Join(", ", BeneathNotEvaluated)}";
            }

            if (WritesNotEvaluated.Count > 0)
            {
                yield return $"object level: writes beneath an object not evaluated (refused to its owner too): {string.Join(", ", WritesNotEvaluated)}";
            }
        }
    }
}
