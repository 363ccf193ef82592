using System.Text;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>One operation the retry check drove (a fault window and what the caller sent afterwards): the idempotency keys it was sent under.</summary>
internal sealed record DrivenOperation(string Label, IReadOnlySet<string> Keys);

/// <summary>
/// Judges a provider's ledger after the retry check's rounds: per operation the caller made, how many rows (charges) the
/// provider holds under the keys that operation was sent under. More than one is a double charge, critical, whatever the
/// keys looked like at the proxy; a ledger that cannot be read, or that shows none of the keys, proves nothing. A caller
/// that sends no key is judged by the rows the answers-lost round added, grouped by <see cref="LedgerSpec.Operation"/>.
/// </summary>
internal static class ChargeLedger
{
    /// <summary>At most this many characters of a row go into the evidence.</summary>
    private const int RowChars = 400;

    /// <param name="before">The ledger as it was just before the last round (the one whose answers were lost), read when
    /// <see cref="LedgerSpec.Operation"/> is declared; without keys, that round's rows are the rows it added.</param>
    public static (List<Finding> Findings, Metric? Metric) Judge(ProviderEdge edge, LedgerSpec spec, LedgerRead read, IReadOnlyList<DrivenOperation> operations, string timeline, LedgerRead? before = null)
    {
        var provider = edge.Dependency.Name;
        var where = spec.Location is { } l ? $"{l} components.{provider}.ledger" : $"components.{provider}.ledger";
        if (read.Problem is { } problem)
        {
            return ([Finding(ThirdPartyRules.LedgerUnread, Severity.High, $"{edge.Edge}: {provider}'s ledger could not be read ({problem}): one charge per operation is not proved", timeline, where,
                $"make GET {spec.Path} answer {provider}'s charges as JSON to its 'auth', or correct 'ledger'")], null);
        }

        var used = operations.Where(o => o.Keys.Count > 0).ToList();
        var allKeys = used.SelectMany(o => o.Keys).ToHashSet(StringComparer.Ordinal);
        List<(string Label, int Keys, List<LedgerRow> Rows)> counted;
        var perRoundNote = string.Empty;
        if (used.Count == 0)
        {
            // No key to match rows by (ex13: four keyless attempts, four charges of one payment, reported as "cannot be
            // matched"): with 'operation' declared, the rows the answers-lost round added are counted per operation.
            var keyless = $"{edge.Edge}: {edge.Caller.Name} sent no Idempotency-Key";
            var sendKey = $"make {edge.Caller.Name} send an Idempotency-Key, made once per operation (the payment's id), with every attempt";
            if (spec.Operation is null)
            {
                return ([Finding(ThirdPartyRules.LedgerUnread, Severity.High,
                    $"{keyless} and 'ledger.operation' is not declared, so {provider}'s ledger rows cannot be matched to its operations: one charge per operation is not proved",
                    timeline + Sample(read.Rows), where, $"{sendKey}; or declare 'ledger.operation' at what a row was charged for (for example $.metadata.order_id)")], null);
            }

            if (before is not { Problem: null })
            {
                return ([Finding(ThirdPartyRules.LedgerUnread, Severity.High,
                    $"{keyless}, and {provider}'s ledger could not be read before the answers-lost round{(before?.Problem is { } p ? $" ({p})" : string.Empty)}, so the rows that round made are not known: one charge per operation is not proved",
                    timeline + Sample(read.Rows), where, sendKey)], null);
            }

            var lastRound = operations.Count > 0 ? operations[^1].Label : "the answers-lost round";
            counted = AddedRows(before.Rows, read.Rows).Select(g => (Label: $"{g.Operation} in {lastRound}", Keys: 0, g.Rows)).ToList();
            if (counted.Count == 0)
            {
                var added = read.Rows.Count - before.Rows.Count;
                return ([Finding(ThirdPartyRules.LedgerUnread, Severity.High,
                    added > 0
                        ? $"{keyless}, and the {added} row(s) {provider}'s ledger gained in {lastRound} carry nothing at {spec.Operation}: one charge per operation is not proved"
                        : $"{keyless}, and {provider}'s ledger ({read.Rows.Count} row(s)) gained no row in {lastRound}, although attempts reached it: one charge per operation is not proved",
                    timeline + Sample(read.Rows), where,
                    added > 0 ? $"point 'ledger.operation' at what a row was charged for (for example $.metadata.order_id); and {sendKey}" : $"make GET {spec.Path} list every charge, the newest included; and {sendKey}")], null);
            }
        }
        else if (read.Under(allKeys).Count == 0)
        {
            var keys = string.Join(", ", allKeys.Take(6));
            return ([Finding(ThirdPartyRules.LedgerUnread, Severity.High,
                $"{edge.Edge}: {provider}'s ledger ({read.Rows.Count} row(s)) shows none of the key(s) {edge.Caller.Name} used ({keys}) at {spec.Key}: one charge per operation is not proved",
                timeline + Sample(read.Rows), where, $"point 'ledger.key' at where a row carries its idempotency key (for example $.metadata.idempotency_key){(spec.Items is null ? " and 'ledger.items' at the rows" : string.Empty)}")], null);
        }
        else
        {
            (counted, perRoundNote) = ByKeys(edge, spec, read, used, allKeys);
        }


        var metric = Metric.ForComponent("ledger_charges_per_operation_max", edge.Caller.Name, counted.Max(c => c.Rows.Count), "count");
        var doubled = counted.Where(c => c.Rows.Count > 1).ToList();
        if (doubled.Count > 0)
        {
            var evidence = new StringBuilder(timeline).AppendLine($"{provider}'s ledger (GET {spec.Path}), rows of the operations charged more than once:");
            foreach (var (label, keys, rows) in doubled)
            {
                evidence.AppendLine(keys == 0 ? $"{label}: {rows.Count} rows added, without a key" : $"{label}: {rows.Count} rows under {keys} key(s)");
                foreach (var row in rows)
                {
                    evidence.AppendLine($"  {row.Key}: {Clip(row.Json)}");
                }
            }

            var worst = doubled.MaxBy(c => c.Rows.Count)!;
            return ([Finding(ThirdPartyRules.DoubleCharge, Severity.Critical,
                $"{edge.Edge}: {provider}'s ledger holds {worst.Rows.Count} charges for one operation ({worst.Label}, {(worst.Keys == 0 ? "no Idempotency-Key" : $"{worst.Keys} Idempotency-Key(s)")}){(doubled.Count > 1 ? $", and {doubled.Count - 1} more operation(s) charged more than once" : string.Empty)}: a double charge{perRoundNote}",
                evidence.ToString(), where,
                used.Count == 0
                    ? $"make {edge.Caller.Name} send an Idempotency-Key with every attempt, made once per operation (the payment's id) outside the retry pipeline, so the provider charges a retry or resend only once"
                    : $"make the Idempotency-Key once per operation (the payment's id), outside the retry pipeline, so every retry and every resend of {edge.Caller.Name} carries the same one")], metric);
        }

        return ([Finding(ThirdPartyRules.OneChargePerOperation, Severity.Info,
            $"{edge.Edge}: {provider}'s ledger holds one charge per operation: {string.Join("; ", counted.Select(c => $"{c.Label} {c.Rows.Count}"))}{perRoundNote}",
            Sample(counted.SelectMany(c => c.Rows).ToList()), where, "nothing to do")], metric);

        Finding Finding(string rule, Severity severity, string message, string? evidence, string location, string hint) => new()
        {
            Rule = rule,
            Severity = severity,
            Component = rule == ThirdPartyRules.LedgerUnread ? provider : edge.Caller.Name,
            Location = location,
            Message = message,
            Evidence = evidence,
            Hint = hint,
        };
    }

    /// <summary>
    /// The operations of the keys' rows. What one operation is: what the rows say they were made for, when the ledger
    /// says it; else one round's keys. A value the drive itself sends (a reference in its fixed body) is the same in
    /// every round, though each round drove an operation of its own: such a value counts per round (ex10: three rounds'
    /// shipments, one reference, read as a triple charge).
    /// </summary>
    private static (List<(string Label, int Keys, List<LedgerRow> Rows)> Counted, string PerRoundNote) ByKeys(ProviderEdge edge, LedgerSpec spec, LedgerRead read, List<DrivenOperation> used, HashSet<string> allKeys)
    {
        var fixedValues = DriveValues(edge.Spec?.Drive);
        int RoundOf(LedgerRow r) => used.FindIndex(o => o.Keys.Contains(r.Key!));
        var counted = spec.Operation is not null
            ? read.Under(allKeys).GroupBy(r => (Value: r.Operation ?? r.Key!, Round: r.Operation is { } op && fixedValues.Contains(op) ? RoundOf(r) : -1))
                .OrderBy(g => g.Min(RoundOf))
                .Select(g => (Label: $"{g.Key.Value} in {string.Join(" and ", used.Where(o => g.Any(r => o.Keys.Contains(r.Key!))).Select(o => o.Label))}", Keys: g.Select(r => r.Key!).Distinct(StringComparer.Ordinal).Count(), Rows: g.ToList()))
                .ToList()
            : used.Select(o => (o.Label, Keys: o.Keys.Count, Rows: read.Under(o.Keys))).ToList();
        var perRound = spec.Operation is null ? [] : read.Under(allKeys).Select(r => r.Operation).OfType<string>().Where(fixedValues.Contains).Distinct(StringComparer.Ordinal).ToList();
        return (counted, perRound.Count == 0 ? string.Empty
            : $" ({string.Join(", ", perRound)} is sent by the drive itself in every round, so each round's rows count as one operation)");
    }

    /// <summary>
    /// Per operation, the rows <paramref name="after"/> holds beyond <paramref name="before"/>: as many as the
    /// operation's rows grew by (a row whose status changed is not a new charge), those not seen before first.
    /// </summary>
    internal static List<(string Operation, List<LedgerRow> Rows)> AddedRows(IReadOnlyList<LedgerRow> before, IReadOnlyList<LedgerRow> after)
    {
        var seen = before.GroupBy(r => r.Json, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var added = new List<(string, List<LedgerRow>)>();
        foreach (var group in after.Where(r => r.Operation is not null).GroupBy(r => r.Operation!, StringComparer.Ordinal))
        {
            var grew = group.Count() - before.Count(r => r.Operation == group.Key);
            if (grew <= 0)
            {
                continue;
            }

            var fresh = new List<LedgerRow>();
            var old = new List<LedgerRow>();
            foreach (var row in group)
            {
                if (seen.TryGetValue(row.Json, out var n) && n > 0)
                {
                    seen[row.Json] = n - 1;
                    old.Add(row);
                }
                else
                {
                    fresh.Add(row);
                }
            }

            added.Add((group.Key, [.. fresh.Concat(old).Take(grew)]));
        }

        return added;
    }

    /// <summary>The operations of <paramref name="windows"/>: each one's keys from its start to the next one's (the last: to now).</summary>
    public static List<DrivenOperation> Operations(IReadOnlyList<(string Label, FaultWindow Window)> windows, IReadOnlyList<ProxiedRequest> requests)
    {
        var operations = new List<DrivenOperation>();
        for (var i = 0; i < windows.Count; i++)
        {
            var from = windows[i].Window.Start;
            var until = i + 1 < windows.Count ? windows[i + 1].Window.Start : DateTimeOffset.MaxValue;
            var keys = requests.Where(r => r.At >= from && r.At < until).Select(r => r.IdempotencyKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
            operations.Add(new DrivenOperation(windows[i].Label, keys));
        }

        return operations;
    }

    /// <summary>The values a drive sends as they are in every round: its path's segments and its JSON body's scalar values.</summary>
    internal static HashSet<string> DriveValues(EdgeProbe? drive)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        if (drive is null)
        {
            return values;
        }

        values.UnionWith(drive.Path.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString));
        try
        {
            Collect(drive.Json is null ? null : System.Text.Json.Nodes.JsonNode.Parse(drive.Json));
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON: its values are not known
        }

        return values;

        void Collect(System.Text.Json.Nodes.JsonNode? node)
        {
            switch (node)
            {
                case System.Text.Json.Nodes.JsonObject o:
                    foreach (var (_, v) in o)
                    {
                        Collect(v);
                    }

                    break;
                case System.Text.Json.Nodes.JsonArray a:
                    foreach (var v in a)
                    {
                        Collect(v);
                    }

                    break;
                case System.Text.Json.Nodes.JsonValue v:
                    values.Add(v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString());
                    break;
            }
        }
    }

    private static string Sample(IReadOnlyList<LedgerRow> rows) =>
        rows.Count == 0 ? string.Empty : "ledger rows:\n" + string.Join("\n", rows.Take(4).Select(r => $"  {r.Key ?? "(no key)"}: {Clip(r.Json)}"));

    private static string Clip(string json) => json.Length <= RowChars ? json : json[..RowChars] + "…";
}
