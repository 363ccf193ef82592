using System.Diagnostics;
using System.Globalization;
using System.Text;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Brokers;

/// <summary>
/// Step 4's round trip through a broker: for each probed queue (<c>probe.queues</c>, else every queue that expects a
/// consumer), publish one probe message straight to it (the default exchange) and watch its ready count until a
/// consumer has taken the probe, within <c>probe.within</c>. The probe is typed <c>archgate.probe</c> (AMQP
/// <c>type</c>) so consumers can acknowledge it and move on; it expires 10 s after the bound, so a probe nobody took does
/// not stay (the queue's dead-letter exchange receives it, reason <c>expired</c>).
/// </summary>
internal sealed class BrokerRoundTripCheck(BrokerComponent broker) : ICheck
{
    /// <summary>How long after the bound a probe nobody took expires. <value>10 s</value>.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    public string Id => $"brokers.round-trip:{broker.Name}";

    public int Step => 4;

    public string Title => $"{broker.Name}: a probe message is consumed within {broker.Broker.ProbeWithin.TotalSeconds:0.#} s";

    /// <summary>The queues probed.</summary>
    public IReadOnlyList<BrokerQueue> Queues =>
        broker.Broker.ProbeQueues.Count > 0
            ? [.. broker.Broker.Queues.Where(q => broker.Broker.ProbeQueues.Contains(q.Name))]
            : [.. broker.Broker.Queues.Where(q => q.MinConsumers > 0)];

    public Applicability AppliesTo(SystemModel system) =>
        Queues.Count > 0 ? Applicability.Yes : Applicability.No($"{broker.Name} declares no queue that expects a consumer");

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var opening = await BrokerConnection.TryOpenAsync(broker, context.System.Checks.Brokers, cancellationToken);
        if (opening.Failed)
        {
            return opening.Failure.Result(Findings.Create(BrokerRules.RoundTripFailed, broker.Critical ? Severity.Critical : Severity.High,
                component: broker.Name,
                location: BrokerConnection.Display(broker),
                message: $"no probe message could be sent through {broker.Name}: {opening.Failure.Cause}",
                hint: "the topology check names why the broker cannot be reached"));
        }

        await using (var connection = opening.Connection)
        {
            var findings = new List<Finding>();
            var metrics = new List<Metric>();
            foreach (var queue in Queues)
            {
                context.Activity?.Report($"probe message to {queue.Name}");
                await ProbeAsync(connection, queue, context.System.Checks.Brokers, findings, metrics, cancellationToken);
            }

            return CheckResult.From(findings, metrics) with { Reachability = Reachability.Reached };
        }
    }

    private async Task ProbeAsync(IConnection connection, BrokerQueue queue, BrokerCheckOptions options, List<Finding> findings, List<Metric> metrics, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        QueueDeclareOk before;
        try
        {
            before = await channel.QueueDeclarePassiveAsync(queue.Name, ct);
        }
        catch (OperationInterruptedException)
        {
            return; // Missing: the topology check reports it.
        }

        var within = broker.Broker.ProbeWithin;
        var id = $"archgate-probe-{Guid.NewGuid():N}";
        var properties = new BasicProperties
        {
            Type = "archgate.probe",
            MessageId = id,
            ContentType = "application/json",
            // Expires well after the bound: a probe that expired inside it would look taken.
            Expiration = ((long)(within + ExpiryMargin).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            Headers = new Dictionary<string, object?> { ["x-archgate-probe"] = true },
        };
        var body = Encoding.UTF8.GetBytes($$"""{"type":"archgate.probe","id":"{{id}}"}""");
        var watch = Stopwatch.StartNew();
        await channel.BasicPublishAsync(string.Empty, queue.Name, mandatory: false, properties, body, ct);
        var last = before;
        while (watch.Elapsed < within)
        {
            await Task.Delay(options.Poll, ct);
            last = await channel.QueueDeclarePassiveAsync(queue.Name, ct);
            if (last.MessageCount <= before.MessageCount)
            {
                metrics.Add(new Metric(BrokerRules.RoundTripMetric, new Dictionary<string, string> { ["component"] = broker.Name, ["queue"] = queue.Name }, watch.Elapsed.TotalMilliseconds, "ms"));
                return;
            }
        }

        findings.Add(Findings.Create(BrokerRules.RoundTripFailed, broker.Critical ? Severity.Critical : Severity.High,
            component: broker.Name,
            location: queue.Location is null ? $"{broker.Name} {queue.Name}" : $"{queue.Location} ({queue.Name})",
            message: $"a probe message published to '{queue.Name}' on {broker.Name} was not consumed within {within.TotalSeconds:0.#} s",
            evidence: $"probe {id}: messages ready before {before.MessageCount}, after {within.TotalSeconds:0.#} s {last.MessageCount}; consumers {last.ConsumerCount}",
            hint: last.ConsumerCount == 0
                ? "nothing consumes the queue: start its consumer (see the topology check's finding)"
                : "the consumers are stuck or too slow: look for a blocked handler, a prefetch that is full of unacknowledged messages, or an error in their log"));
    }
}
