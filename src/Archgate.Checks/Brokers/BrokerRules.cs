namespace Archgate.Checks.Brokers;

/// <summary>Rule ids of the broker checks: step 4 (AG4060-AG4079) and step 2's AsyncAPI messages (AG2140-AG2159); docs/rules.md.</summary>
internal static class BrokerRules
{
    /// <summary>No AMQP connection: refused, timed out, or the host does not resolve.</summary>
    public const string Unreachable = "AG4060";

    /// <summary>The broker refused the declared credentials (ACCESS_REFUSED) or the virtual host.</summary>
    public const string AccessRefused = "AG4061";

    /// <summary>A declared exchange does not exist, or has another type.</summary>
    public const string ExchangeMissing = "AG4062";

    /// <summary>A declared queue does not exist.</summary>
    public const string QueueMissing = "AG4063";

    /// <summary>A queue has fewer consumers than declared (none at all: its messages pile up).</summary>
    public const string NoConsumer = "AG4064";

    /// <summary>A consumed queue has no dead-letter exchange: a message its consumer refuses is lost.</summary>
    public const string NoDeadLetter = "AG4065";

    /// <summary>A queue dead-letters to another exchange than the manifest declares, or is declared otherwise (durable).</summary>
    public const string DeadLetterMismatch = "AG4066";

    /// <summary>The dead-letter exchange a queue names does not exist: dead letters are dropped.</summary>
    public const string DeadLetterExchangeMissing = "AG4067";

    /// <summary>A probe message published to a consumed queue was not taken by a consumer within the bound.</summary>
    public const string RoundTripFailed = "AG4068";

    /// <summary>The AsyncAPI document cannot be read: not YAML/JSON, not AsyncAPI 2.6 or 3.0, or a broken reference.</summary>
    public const string AsyncApiInvalid = "AG2140";

    /// <summary>A published message's payload does not match the schema of its message in the AsyncAPI document.</summary>
    public const string PayloadMismatch = "AG2141";

    /// <summary>A message was published under a routing key (channel) that the AsyncAPI document does not describe.</summary>
    public const string UndocumentedChannel = "AG2142";

    /// <summary>A published message is not JSON although its message declares a JSON content type.</summary>
    public const string NotJson = "AG2143";

    /// <summary>No message was published while step 2 listened (or its drive request failed): nothing was checked.</summary>
    public const string NoMessages = "AG2144";

    /// <summary>Metric: milliseconds from publishing a probe to a consumer taking it.</summary>
    public const string RoundTripMetric = "broker_round_trip";

    /// <summary>Metric: messages step 2 checked against the AsyncAPI document.</summary>
    public const string MessagesCheckedMetric = "asyncapi_messages_checked";
}
