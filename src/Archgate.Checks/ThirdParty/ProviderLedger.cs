using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Model;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// One row of a provider's ledger: the idempotency key it was made under (null: it carries none), what it was made
/// for (<see cref="LedgerSpec.Operation"/>; null: not declared or not there) and the row as the provider wrote it.
/// </summary>
internal sealed record LedgerRow(string? Key, string? Operation, string Json);

/// <summary>The rows of a provider's ledger, or why they could not be read.</summary>
internal sealed record LedgerRead(IReadOnlyList<LedgerRow> Rows, string? Problem)
{
    /// <summary>The rows made under any of <paramref name="keys"/>.</summary>
    public List<LedgerRow> Under(IReadOnlySet<string> keys) => [.. Rows.Where(r => r.Key is not null && keys.Contains(r.Key))];
}

/// <summary>
/// Reads a third party's <c>ledger</c> (a payment provider's charges in test mode): one GET with the provider's
/// <c>auth</c>, the rows at <see cref="LedgerSpec.Items"/> and each row's idempotency key at <see cref="LedgerSpec.Key"/>.
/// A failed read is a value with the reason, never an exception.
/// </summary>
internal static class ProviderLedger
{
    /// <summary>How long the GET may take. <value>10 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<LedgerRead> ReadAsync(HttpComponent provider, LedgerSpec spec, HttpClient http, TokenSource tokens, CancellationToken ct)
    {
        var credentials = await tokens.CredentialsAsync(provider.Auth, provider.Url, Timeout, ct);
        if (!credentials.Ok)
        {
            return new LedgerRead([], $"no credentials for {provider.Name}'s ledger: {credentials.Problem}");
        }

        var url = new Uri(provider.Url, spec.Path);
        if (credentials.Query.Count > 0)
        {
            var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
            url = new Uri(url.AbsoluteUri + separator + string.Join("&", credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        string body;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/json");
            credentials.Apply(request);
            using var response = await http.SendAsync(request, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            if (status is 401 or 403)
            {
                return new LedgerRead([], $"GET {spec.Path} answered {status}: {provider.Name} refused {(provider.Auth is null ? "an anonymous call (declare its 'auth')" : provider.Auth.Label)}");
            }

            if (status >= 300)
            {
                return new LedgerRead([], $"GET {spec.Path} answered {status}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new LedgerRead([], $"GET {spec.Path} {(ex is OperationCanceledException ? $"did not answer within {Timeout.TotalSeconds:0} s" : $"failed ({ex.GetType().Name})")}");
        }

        return Parse(spec, body);
    }

    /// <summary>The rows of a ledger answer: at <see cref="LedgerSpec.Items"/>, else the answer when it is an array, else its <c>data</c>.</summary>
    public static LedgerRead Parse(LedgerSpec spec, string body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return new LedgerRead([], $"GET {spec.Path} did not answer JSON");
        }

        var selected = spec.Items is { } items ? JsonPath.Select(root, items) : root is JsonArray ? [root] : JsonPath.Select(root, "$.data");
        var rows = selected.Count == 1 && selected[0] is JsonArray array ? array.ToList() : selected.Where(n => n is JsonObject).ToList();
        if (selected.Count == 0 || (selected.Count == 1 && selected[0] is not JsonArray and not JsonObject))
        {
            return new LedgerRead([], $"GET {spec.Path} answered no list at {spec.Items ?? "$ or $.data"}");
        }

        return new LedgerRead([.. rows.Select(row => new LedgerRow(KeyOf(row, spec.Key), spec.Operation is { } op ? KeyOf(row, op) : null, row?.ToJsonString() ?? "null"))], null);
    }

    /// <summary>The string (or number) at <paramref name="path"/> in <paramref name="row"/>, or null.</summary>
    private static string? KeyOf(JsonNode? row, string path) =>
        JsonPath.Select(row, path) is [JsonValue value, ..] && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number && value.ToString() is { Length: > 0 } key ? key : null;
}
