namespace Archgate.Protocol;

/// <summary>Where an escalation stands.</summary>
public enum EscalationState
{
    /// <summary>Level 1, self-recovery: recorded, nobody is notified or asked to acknowledge.</summary>
    Recorded,

    /// <summary>Notified and waiting for <c>archgate ack</c>; rises a level when not acknowledged in time.</summary>
    Open,

    /// <summary>Someone acknowledged it.</summary>
    Acknowledged,
}

/// <summary>One attempt series to deliver an escalation at a level to a channel.</summary>
/// <param name="Level">The level it was sent at.</param>
/// <param name="Channel">console, file, webhook or email.</param>
/// <param name="Target">Where (a path, a redacted URL, host:port).</param>
/// <param name="Recipients">Who the level routes it to.</param>
/// <param name="Attempts">How many attempts were made.</param>
/// <param name="Delivered">Whether one attempt succeeded.</param>
/// <param name="Error">The last attempt's error, when none succeeded.</param>
/// <param name="At">When the last attempt ended.</param>
public sealed record EscalationNotice(int Level, string Channel, string Target, IReadOnlyList<string> Recipients, int Attempts, bool Delivered, string? Error, DateTimeOffset At);

/// <summary>An escalation as the run store keeps it: raised by a trigger or by hand, notified, acknowledged or risen.</summary>
public sealed record EscalationRecord
{
    /// <summary>Its id (<c>e-</c> and 10 hex digits); <c>archgate ack</c> takes it or a unique prefix.</summary>
    public required string Id { get; init; }

    /// <summary>The run it was raised on.</summary>
    public required string RunId { get; init; }

    /// <summary>The run's system.</summary>
    public required string System { get; init; }

    /// <summary>The trigger id (<c>contract-mismatch-rate</c>) or, raised by hand, the reason (<c>architectural-conflict</c>).</summary>
    public required string Trigger { get; init; }

    /// <summary>Whether a rule raised it (<c>automatic</c>) or a person (<c>manual</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The level it was raised at.</summary>
    public required int StartLevel { get; init; }

    /// <summary>Its level now (it rises when not acknowledged in time).</summary>
    public required int Level { get; init; }

    /// <summary>What happened.</summary>
    public required string Message { get; init; }

    /// <summary>The components it concerns.</summary>
    public IReadOnlyList<string> Components { get; init; } = [];

    /// <summary>What tripped it.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>The run's report (path), when written.</summary>
    public string? Report { get; init; }

    /// <summary>Who raised it by hand; null for a rule.</summary>
    public string? RaisedBy { get; init; }

    /// <summary>When it was raised.</summary>
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>Since when it is at <see cref="Level"/>: the clock of <c>escalation.ackWithin</c>.</summary>
    public required DateTimeOffset LevelSince { get; init; }

    /// <summary>Who acknowledged it, or null.</summary>
    public string? AckedBy { get; init; }

    /// <summary>When it was acknowledged, or null.</summary>
    public DateTimeOffset? AckedAt { get; init; }

    /// <summary>The note given with the acknowledgement, or null.</summary>
    public string? AckNote { get; init; }

    /// <summary>Its deliveries, oldest first.</summary>
    public IReadOnlyList<EscalationNotice> Notices { get; init; } = [];

    /// <summary>Where it stands.</summary>
    public EscalationState State => AckedBy is not null ? EscalationState.Acknowledged : Level <= 1 ? EscalationState.Recorded : EscalationState.Open;

    /// <summary>The last failed delivery to each channel that has had no successful one at its current level.</summary>
    public IEnumerable<EscalationNotice> Undelivered =>
        Notices.Where(n => n.Level == Level)
            .GroupBy(n => (n.Channel, n.Target))
            .Where(g => !g.Any(n => n.Delivered))
            .Select(g => g.Last());
}
