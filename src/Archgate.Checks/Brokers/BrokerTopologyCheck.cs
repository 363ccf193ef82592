using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Brokers;

/// <summary>
/// Step 4 for a broker, over AMQP alone (the management plugin may be off): connect with the declared credentials;
/// every declared exchange exists with its type; every declared queue exists and has its consumers (passive declares
/// give message and consumer counts); every consumed queue dead-letters to an exchange that exists, the declared one
/// when the manifest names it. A queue's arguments are not readable over AMQP, so the check declares the queue again
/// with the arguments it expects: the broker accepts an equivalent declaration (changing nothing) and refuses
/// another with PRECONDITION_FAILED, naming the argument and its current value.
/// </summary>
internal sealed partial class BrokerTopologyCheck(BrokerComponent broker) : ICheck
{
    public string Id => $"brokers.topology:{broker.Name}";

    public int Step => 4;

    public string Title => $"{broker.Name}: reachable, exchanges and queues declared, consumed, dead-lettered";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        context.Activity?.Report($"AMQP connect to {BrokerConnection.Display(broker)}");
        var opening = await BrokerConnection.TryOpenAsync(broker, context.System.Checks.Brokers, cancellationToken);
        if (opening.Failed)
        {
            return Unreachable(opening.Failure);
        }

        await using (var connection = opening.Connection)
        {
            var findings = new List<Finding>();
            var metrics = new List<Metric>();
            foreach (var exchange in broker.Broker.Exchanges)
            {
                await CheckExchangeAsync(connection, exchange, findings, cancellationToken);
            }

            foreach (var queue in broker.Broker.Queues)
            {
                await CheckQueueAsync(connection, queue, findings, metrics, cancellationToken);
            }

            return CheckResult.From(findings, metrics) with { Reachability = Reachability.Reached };
        }
    }

    private CheckResult Unreachable(BrokerUnreachable failure) => failure.Result(Findings.Create(failure.Rule, broker.Critical ? Severity.Critical : Severity.High,
        component: broker.Name,
        location: BrokerConnection.Display(broker),
        message: failure.AccessRefused ? $"{broker.Name}: {failure.Cause}" : $"{broker.Name} is not reachable over AMQP: {failure.Cause}",
        evidence: failure.Evidence,
        hint: failure.AccessRefused
            ? "check the user, password and virtual host of the component's 'connection' against the broker's users and permissions"
            : "is the broker running at this address? 'archgate run --up' starts components that have a 'run' section"));

    private async Task CheckExchangeAsync(IConnection connection, BrokerExchange exchange, List<Finding> findings, CancellationToken ct)
    {
        var refused = await TryAsync(connection, c => c.ExchangeDeclarePassiveAsync(exchange.Name, ct));
        if (refused is { ReplyCode: BrokerConnection.NotFound })
        {
            findings.Add(Finding(BrokerRules.ExchangeMissing, Severity.High, exchange.Name, $"exchange '{exchange.Name}' does not exist on {broker.Name}",
                refused.ReplyText, "declare it (the publisher usually does at start-up), or correct its name in the manifest", exchange.Location));
            return;
        }

        if (refused is null && exchange.Type is { } type)
        {
            // Declaring it again with the declared type changes nothing when it matches, and is refused when it does not.
            var other = await TryAsync(connection, c => c.ExchangeDeclareAsync(exchange.Name, type, durable: true, autoDelete: false, cancellationToken: ct));
            if (other is { ReplyCode: BrokerConnection.PreconditionFailed } && InequivalentArgument().Match(other.ReplyText) is { Success: true } m && m.Groups["arg"].Value == "type")
            {
                findings.Add(Finding(BrokerRules.ExchangeMissing, Severity.High, exchange.Name, $"exchange '{exchange.Name}' on {broker.Name} is not of type {type}",
                    other.ReplyText, "the publisher and the manifest disagree on the exchange type; routing differs between types", exchange.Location));
            }
        }
    }

    private async Task CheckQueueAsync(IConnection connection, BrokerQueue queue, List<Finding> findings, List<Metric> metrics, CancellationToken ct)
    {
        QueueDeclareOk? ok = null;
        var refused = await TryAsync(connection, async c => ok = await c.QueueDeclarePassiveAsync(queue.Name, ct));
        if (refused is not null || ok is null)
        {
            findings.Add(Finding(BrokerRules.QueueMissing, Severity.High, queue.Name, $"queue '{queue.Name}' does not exist on {broker.Name}",
                refused?.ReplyText, "its consumer usually declares it at start-up: is the consumer running? Or correct its name in the manifest", queue.Location));
            return;
        }

        var tags = new Dictionary<string, string> { ["component"] = broker.Name, ["queue"] = queue.Name };
        metrics.Add(new Metric("broker_queue_consumers", tags, ok.ConsumerCount, "consumers"));
        metrics.Add(new Metric("broker_queue_messages", tags, ok.MessageCount, "messages"));
        if (ok.ConsumerCount < queue.MinConsumers)
        {
            var expected = queue.Consumers.Count > 0 ? $"{queue.MinConsumers} ({string.Join(", ", queue.Consumers)})" : queue.MinConsumers.ToString(CultureInfo.InvariantCulture);
            findings.Add(Finding(BrokerRules.NoConsumer, broker.Critical ? Severity.Critical : Severity.High, queue.Name,
                ok.ConsumerCount == 0
                    ? $"queue '{queue.Name}' on {broker.Name} has no consumer; its messages pile up ({ok.MessageCount} waiting)"
                    : $"queue '{queue.Name}' on {broker.Name} has {ok.ConsumerCount} consumer(s), {queue.MinConsumers} expected",
                $"consumers: {ok.ConsumerCount} (expected at least {expected}); messages ready: {ok.MessageCount}",
                queue.Consumers.Count > 0
                    ? $"is {string.Join(" / ", queue.Consumers)} running and subscribed to '{queue.Name}'? Its log says why it stopped consuming"
                    : "start the service that consumes it, or write 'consumers: none' for a queue nobody consumes (a parking queue)",
                queue.Location));
        }

        if (queue.MinConsumers > 0)
        {
            await CheckDeadLetterAsync(connection, queue, findings, ct);
        }
    }

    private async Task CheckDeadLetterAsync(IConnection connection, BrokerQueue queue, List<Finding> findings, CancellationToken ct)
    {
        // The declaration the manifest implies: with its dead-letter exchange, or with none, which the broker refuses
        // (naming the current one) when the queue has one.
        var arguments = queue.DeadLetter is { } expected ? new Dictionary<string, object?> { ["x-dead-letter-exchange"] = expected } : null;
        var refused = await TryAsync(connection, c => c.QueueDeclareAsync(queue.Name, queue.Durable, exclusive: false, autoDelete: false, arguments, cancellationToken: ct));
        string? current = queue.DeadLetter;
        if (refused is { ReplyCode: BrokerConnection.PreconditionFailed })
        {
            var m = InequivalentArgument().Match(refused.ReplyText);
            var argument = m.Success ? m.Groups["arg"].Value : null;
            current = m.Success && m.Groups["current"].Success ? m.Groups["current"].Value : null;
            if (argument == "x-dead-letter-exchange" && queue.DeadLetter is null)
            {
                // It has one, which the manifest does not name: judged below like a declared one.
            }
            else if (argument == "x-dead-letter-exchange" && current is null)
            {
                findings.Add(NoDeadLetter(queue, refused.ReplyText));
                return;
            }
            else
            {
                findings.Add(Finding(BrokerRules.DeadLetterMismatch, Severity.High, queue.Name,
                    $"queue '{queue.Name}' on {broker.Name} is not declared as the manifest says ({argument ?? "arguments"} differ)",
                    refused.ReplyText, argument == "durable" ? "set 'durable' of the queue in the manifest as it was declared" : "make the manifest's 'deadLetter' name the queue's dead-letter exchange",
                    queue.Location));
                return;
            }
        }
        else if (refused is { ReplyCode: BrokerConnection.ResourceLocked })
        {
            return; // An exclusive queue of its consumer's connection: its arguments cannot be compared from outside.
        }
        else if (refused is null && queue.DeadLetter is null)
        {
            findings.Add(NoDeadLetter(queue, "the broker accepted declaring it without 'x-dead-letter-exchange'"));
            return;
        }

        if (current is not null && await TryAsync(connection, c => c.ExchangeDeclarePassiveAsync(current, ct)) is { ReplyCode: BrokerConnection.NotFound } missing)
        {
            findings.Add(Finding(BrokerRules.DeadLetterExchangeMissing, Severity.High, queue.Name,
                $"queue '{queue.Name}' dead-letters to exchange '{current}', which does not exist on {broker.Name}: dead letters are dropped",
                missing.ReplyText, $"declare exchange '{current}' and bind a dead-letter queue to it", queue.Location));
        }
    }

    private Finding NoDeadLetter(BrokerQueue queue, string evidence) =>
        Finding(BrokerRules.NoDeadLetter, Severity.High, queue.Name,
            $"queue '{queue.Name}' on {broker.Name} has no dead-letter exchange: a message its consumer refuses, or that expires, is lost",
            evidence, "declare the queue with 'x-dead-letter-exchange' (or a policy) naming an exchange bound to a dead-letter queue, and name it as 'deadLetter' in the manifest",
            queue.Location);

    private Finding Finding(string rule, Severity severity, string what, string message, string? evidence, string hint, SourceLocation? location) => Findings.Create(rule, severity,
        component: broker.Name,
        location: location is null ? $"{broker.Name} {what}" : $"{location} ({what})",
        message: message,
        evidence: evidence,
        hint: hint);

    /// <summary>Runs one operation on a channel of its own (a refusal closes the channel); the broker's refusal, or null.</summary>
    internal static async Task<ShutdownEventArgs?> TryAsync(IConnection connection, Func<IChannel, Task> operation)
    {
        try
        {
            await using var channel = await connection.CreateChannelAsync();
            await operation(channel);
            return null;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { } reason)
        {
            return reason;
        }
    }

    /// <summary>RabbitMQ's wording of PRECONDITION_FAILED on a redeclaration: the argument and its current value.</summary>
    [GeneratedRegex(@"inequivalent arg '(?<arg>[^']+)'.*?current is (?:(?:the value )?'(?<current>[^']*)'|none)")]
    private static partial Regex InequivalentArgument();
}
