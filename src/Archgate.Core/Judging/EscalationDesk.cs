using System.Security.Cryptography;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;

namespace Archgate.Judging;

/// <summary>What raising, rising or retrying escalations did: the escalations as they now stand and every delivery.</summary>
public sealed record EscalationOutcome(IReadOnlyList<EscalationRecord> Escalations, IReadOnlyList<EscalationDelivery> Deliveries);

/// <summary>The manifest an escalation's run was judged with, loaded again for a tick; or why it could not be.</summary>
public sealed record EscalationContext(SystemModel? System, string? Problem);

/// <summary>
/// The lifecycle of escalations in the run store: raised (by a trigger at the end of a run, or by hand) and notified
/// at their level; acknowledged by a person; or, not acknowledged within <c>escalation.ackWithin</c> of their level,
/// risen one level and notified again. Deliveries that failed every attempt are tried again by the next tick.
/// Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class EscalationDesk(IRunStore store, EscalationNotifier notifier, TimeProvider time)
{
    /// <summary>Raised by a trigger over the run's results.</summary>
    public const string Automatic = "automatic";

    /// <summary>Raised by a person with <c>archgate escalate</c>.</summary>
    public const string Manual = "manual";

    /// <summary>
    /// Records <paramref name="escalations"/> of <paramref name="run"/> and notifies the ones above level 1 on the
    /// manifest's channels. Returns them with their ids, in the order given.
    /// </summary>
    public async Task<EscalationOutcome> RaiseAsync(
        SystemModel system, RunRecord run, IReadOnlyList<Escalation> escalations, string source, string? raisedBy, string? report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(run);
        var records = Record(run, escalations, source, raisedBy, report);
        var deliveries = await NotifyAsync(system, run.Verdict, records, cancellationToken);
        return new EscalationOutcome([.. records.Select(r => store.FindEscalation(r.Id) ?? r)], deliveries);
    }

    /// <summary>Records <paramref name="escalations"/> of <paramref name="run"/> without notifying; returns them with their ids, in the order given.</summary>
    public IReadOnlyList<EscalationRecord> Record(RunRecord run, IReadOnlyList<Escalation> escalations, string source, string? raisedBy, string? report)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(escalations);
        var now = time.GetUtcNow();
        var records = escalations.Select(e =>
        {
            var level = Math.Clamp(e.Level, 1, EscalationRouting.TopLevel);
            return new EscalationRecord
            {
                Id = NewId(),
                RunId = run.RunId,
                System = run.System,
                Trigger = e.Trigger,
                Source = source,
                StartLevel = level,
                Level = level,
                Message = e.Message,
                Components = e.Components,
                Evidence = e.Evidence,
                Report = report,
                RaisedBy = raisedBy,
                RaisedAt = now,
                LevelSince = now,
            };
        }).ToList();
        foreach (var record in records)
        {
            store.AddEscalation(record);
        }

        return records;
    }

    /// <summary>Notifies the <paramref name="records"/> above level 1 on the manifest's channels (level 1 is recorded only) and records each delivery.</summary>
    public Task<IReadOnlyList<EscalationDelivery>> NotifyAsync(SystemModel system, Verdict? verdict, IReadOnlyList<EscalationRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(records);
        return NotifyAsync(system, verdict, [.. records.Where(r => r.Level > 1)], system.Escalation.Channels, cancellationToken);
    }

    /// <summary>
    /// Rises every open escalation (of <paramref name="system"/>, or of every system when null) that was not
    /// acknowledged within its level's <c>ackWithin</c>, one level, and notifies it at the new level; retries the
    /// failed deliveries of the others.
    /// </summary>
    /// <param name="contextOf">The manifest of an escalation's run.</param>
    /// <param name="system">Only this system's escalations; null for every system.</param>
    /// <param name="cancellationToken">Cancels between deliveries.</param>
    /// <param name="exceptRun">A run whose failed deliveries are not retried now (the run that just tried them).</param>
    public async Task<EscalationOutcome> TickAsync(Func<EscalationRecord, EscalationContext> contextOf, string? system, CancellationToken cancellationToken, string? exceptRun = null)
    {
        ArgumentNullException.ThrowIfNull(contextOf);
        var now = time.GetUtcNow();
        var touched = new List<EscalationRecord>();
        var deliveries = new List<EscalationDelivery>();
        foreach (var record in store.Escalations().Where(e => e.State == EscalationState.Open && (system is null || e.System == system)))
        {
            var context = contextOf(record);
            var policy = context.System?.Escalation ?? new EscalationPolicy();
            var due = record.Level < EscalationRouting.TopLevel && policy.AckWithin.TryGetValue(record.Level, out var within) && now - record.LevelSince >= within;
            if (due)
            {
                if (!store.RaiseEscalationLevel(record.Id, record.Level, now))
                {
                    continue; // acknowledged or risen by someone else meanwhile
                }

                var risen = record with { Level = record.Level + 1, LevelSince = now };
                touched.Add(risen);
                if (context.System is null)
                {
                    var problem = new EscalationNotice(risen.Level, "manifest", risen.RunId, [], 0, false, context.Problem ?? "the run's manifest cannot be loaded", now);
                    store.AddEscalationNotice(risen.Id, problem);
                    deliveries.Add(new EscalationDelivery("manifest", risen.RunId, false, problem.Error) { Attempts = 0, EscalationIds = [risen.Id] });
                    continue;
                }

                deliveries.AddRange(await NotifyAsync(context.System, store.Load(risen.RunId)?.Verdict, [risen], policy.Channels, cancellationToken));
                continue;
            }

            // Not due: deliver again where every attempt at this level failed, so nothing is lost for a restart of a receiver.
            var failed = policy.Channels
                .Where(c => c.Kind != "console")
                .Where(c =>
                {
                    var atLevel = record.Notices.Where(n => n.Level == record.Level && n.Channel == c.Kind && n.Target == EscalationNotifier.TargetOf(c)).ToList();
                    return atLevel.Count > 0 && atLevel.All(n => !n.Delivered);
                })
                .ToList();
            if (failed.Count > 0 && context.System is not null && record.RunId != exceptRun)
            {
                touched.Add(record);
                deliveries.AddRange(await NotifyAsync(context.System, store.Load(record.RunId)?.Verdict, [record], failed, cancellationToken));
            }
        }

        return new EscalationOutcome([.. touched.Select(r => store.FindEscalation(r.Id) ?? r)], deliveries);
    }

    /// <summary>Acknowledges the escalation <paramref name="idOrPrefix"/>; the record as stored, or why not.</summary>
    public (EscalationRecord? Record, string? Error) Acknowledge(string idOrPrefix, string by, string? note)
    {
        var record = store.FindEscalation(idOrPrefix);
        if (record is null)
        {
            return (null, $"no escalation '{idOrPrefix}' (or more than one starts so)");
        }

        if (record.AckedBy is not null)
        {
            return (record, $"escalation {record.Id} was acknowledged by {record.AckedBy} at {record.AckedAt:yyyy-MM-dd HH:mm} UTC");
        }

        return store.AcknowledgeEscalation(record.Id, by, note, time.GetUtcNow())
            ? (store.FindEscalation(record.Id), null)
            : (store.FindEscalation(record.Id), $"escalation {record.Id} was acknowledged meanwhile");
    }

    private async Task<IReadOnlyList<EscalationDelivery>> NotifyAsync(
        SystemModel system, Verdict? verdict, IReadOnlyList<EscalationRecord> records, IReadOnlyList<EscalationChannel> channels, CancellationToken cancellationToken)
    {
        var deliveries = new List<EscalationDelivery>();
        foreach (var run in records.GroupBy(r => r.RunId))
        {
            var recipients = run.ToDictionary(r => r.Id, r => EscalationRouting.Recipients(system, r.Level, r.Components));
            var batch = new NoticeBatch(run.Key, system.Name, verdict, [.. run.Select(r => new Notice(r.Id, r.RunId, r.System, r.Trigger, r.Level, r.Message, recipients[r.Id], r.LevelSince)
            {
                Components = r.Components,
                Evidence = r.Evidence,
                Report = r.Report,
            })]);
            foreach (var delivery in await notifier.DeliverAsync(batch, channels, cancellationToken))
            {
                deliveries.Add(delivery);
                foreach (var r in run)
                {
                    store.AddEscalationNotice(r.Id, new EscalationNotice(r.Level, delivery.Channel, delivery.Target, recipients[r.Id], delivery.Attempts, delivery.Delivered, delivery.Error, time.GetUtcNow()));
                }
            }
        }

        return deliveries;
    }

    private static string NewId() => "e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
}
