namespace Archgate.Model;

/// <summary>
/// What a <c>broker</c> component (RabbitMQ, AMQP 0-9-1) must hold: its exchanges and queues, who consumes each queue,
/// where refused messages go, a round-trip probe and an optional AsyncAPI document (docs/manifest.md, "Brokers").
/// </summary>
public sealed record BrokerSpec
{
    /// <summary>For components that are not brokers.</summary>
    public static BrokerSpec None { get; } = new();

    /// <summary>Exchanges that must exist (<c>exchanges</c>). <value>None</value>.</summary>
    public IReadOnlyList<BrokerExchange> Exchanges { get; init; } = [];

    /// <summary>Queues that must exist, with their consumers and dead-letter exchange (<c>queues</c>). <value>None</value>.</summary>
    public IReadOnlyList<BrokerQueue> Queues { get; init; } = [];

    /// <summary>How long a probe message may wait in a consumed queue before a consumer takes it (<c>probe.within</c>). <value>5 s</value>.</summary>
    public TimeSpan ProbeWithin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The queues the round trip probes (<c>probe.queues</c>); empty: every queue that expects a consumer. <value>Empty</value>.</summary>
    public IReadOnlyList<string> ProbeQueues { get; init; } = [];

    /// <summary>The AsyncAPI document of the messages published through this broker (<c>asyncapi</c>); null when none.</summary>
    public AsyncApiSpec? AsyncApi { get; init; }
}

/// <summary>An exchange the broker must have.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type"><c>direct</c>, <c>topic</c>, <c>fanout</c> or <c>headers</c>; null: any.</param>
public sealed record BrokerExchange(string Name, string? Type)
{
    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }
}

/// <summary>A queue the broker must have.</summary>
/// <param name="Name">Its name.</param>
public sealed record BrokerQueue(string Name)
{
    /// <summary>The components expected to consume it (<c>consumers</c>); informative, and their number is the minimum. <value>None</value>.</summary>
    public IReadOnlyList<string> Consumers { get; init; } = [];

    /// <summary>How many consumers it must have at least: the named consumers' number, 1 when none is named, 0 for <c>consumers: none</c>. <value>1</value>.</summary>
    public int MinConsumers { get; init; } = 1;

    /// <summary>The dead-letter exchange the queue must route refused and expired messages to (<c>deadLetter</c>); null: none declared.</summary>
    public string? DeadLetter { get; init; }

    /// <summary>Whether the queue is durable (<c>durable</c>), as it was declared; needed to compare its arguments. <value>true</value>.</summary>
    public bool Durable { get; init; } = true;

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }
}

/// <summary>An AsyncAPI 2.6 or 3.0 document and how step 2 watches the messages it describes.</summary>
/// <param name="Path">The document, absolute.</param>
public sealed record AsyncApiSpec(string Path)
{
    /// <summary>The exchange whose messages step 2 copies (a temporary queue bound with <c>#</c>) (<c>exchange</c>); null: the first declared exchange.</summary>
    public string? Exchange { get; init; }

    /// <summary>The request that makes the system publish (<c>drive</c>), sent to <c>drive.via</c> with its auth; null: step 2 only listens.</summary>
    public EdgeProbe? Drive { get; init; }

    /// <summary>How long step 2 collects messages after the drive (<c>collect</c>). <value>3 s</value>.</summary>
    public TimeSpan Collect { get; init; } = TimeSpan.FromSeconds(3);
}
