using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Archgate.Checks.Brokers;
using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Model;
using Archgate.Protocol;
using Json.Schema;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Contracts.AsyncApi;

/// <summary>A message copied off the exchange while step 2 listened.</summary>
internal sealed record TappedMessage(string RoutingKey, string? Type, string? ContentType, byte[] Body);

/// <summary>
/// Step 2 for a broker with an AsyncAPI document: the document loads (problems at file:line:column), then every message
/// published on the exchange while the check listens (a temporary exclusive queue bound to it, consuming copies, so the
/// system's own consumers lose nothing) is checked against its channel's payload schemas. The manifest's
/// <c>asyncapi.drive</c> makes the system publish (an order placed at the api); <c>collect</c> bounds the listening.
/// </summary>
internal sealed class AsyncApiMessagesCheck(BrokerComponent broker) : ICheck
{
    /// <summary>At most this many messages are kept per run. <value>500</value>.</summary>
    public const int MaxMessages = 500;

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private AsyncApiSpec Spec => broker.Broker.AsyncApi!;

    public string Id => $"contracts.asyncapi:{broker.Name}";

    public int Step => 2;

    public string Title => $"{broker.Name}: published messages match {Path.GetFileName(Spec.Path)}";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var file = Path.GetRelativePath(context.System.BaseDirectory, Spec.Path);
        var document = AsyncApiDocument.Parse(await File.ReadAllTextAsync(Spec.Path, cancellationToken));
        if (document.Problems.Count > 0)
        {
            return CheckResult.From([.. document.Problems.Select(p => Findings.Create(BrokerRules.AsyncApiInvalid, Severity.High,
                component: broker.Name,
                location: $"{file}:{p.Line}:{p.Column}",
                message: p.Message,
                hint: p.Hint))]);
        }

        var exchange = Spec.Exchange ?? (broker.Broker.Exchanges.Count > 0 ? broker.Broker.Exchanges[0].Name : null);
        if (exchange is null)
        {
            return CheckResult.Skipped($"{broker.Name} declares no exchange to listen on (asyncapi.exchange)");
        }

        var opening = await BrokerConnection.TryOpenAsync(broker, context.System.Checks.Brokers, cancellationToken);
        if (opening.Failed)
        {
            var failure = opening.Failure;
            return failure.Result(Findings.Create(failure.Rule, Severity.High, component: broker.Name, location: BrokerConnection.Display(broker), message: $"{broker.Name} is not reachable over AMQP: {failure.Cause}; its messages were not checked"));
        }

        await using (var connection = opening.Connection)
        {
            var (tapped, driveProblem) = await ListenAsync(connection, exchange, context, cancellationToken);
            var findings = Validate(document, exchange, tapped);
            if (driveProblem is not null)
            {
                findings.Add(Findings.Create(BrokerRules.NoMessages, Severity.Medium, component: broker.Name, location: file, message: driveProblem, hint: "check asyncapi.drive and the auth of its 'via' service"));
            }
            else if (tapped.Count == 0)
            {
                findings.Add(Findings.Create(BrokerRules.NoMessages, Severity.Medium,
                    component: broker.Name,
                    location: file,
                    message: $"no message was published on exchange '{exchange}' within {Spec.Collect.TotalSeconds:0.#} s: nothing to check against {file}",
                    hint: Spec.Drive is null ? "declare 'asyncapi.drive', a request that makes the system publish" : "the drive request did not make the system publish; is its publisher connected?"));
            }

            var metrics = new List<Metric> { Metric.ForComponent(BrokerRules.MessagesCheckedMetric, broker.Name, tapped.Count, "messages") };
            return CheckResult.From(findings, metrics) with { Reachability = Reachability.Reached };
        }
    }

    private async Task<(List<TappedMessage> Messages, string? DriveProblem)> ListenAsync(IConnection connection, string exchange, CheckContext context, CancellationToken ct)
    {
        var copies = new ConcurrentQueue<TappedMessage>();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(queue.QueueName, exchange, "#", cancellationToken: ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (copies.Count < MaxMessages)
            {
                copies.Enqueue(new TappedMessage(delivery.RoutingKey, delivery.BasicProperties.Type, delivery.BasicProperties.ContentType, delivery.Body.ToArray()));
            }

            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, ct);
        context.Activity?.Report($"listening on {exchange} for {Spec.Collect.TotalSeconds:0.#} s");
        string? problem = null;
        if (Spec.Drive is { Via: { } via } drive && context.System.Find<HttpComponent>(via) is { } target)
        {
            var client = CallerClient.Of(target, context);
            problem = await client.SignInAsync(ct);
            if (problem is null)
            {
                var answer = await client.SendAsync(drive, TimeSpan.Zero, ct);
                problem = answer.Status is >= 200 and < 300 ? null : $"the drive request {drive.Method} {drive.Path} to {via} answered {answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? answer.Error}";
            }
        }

        await Task.Delay(Spec.Collect, context.Time, ct);
        return ([.. copies], problem);
    }

    private List<Finding> Validate(AsyncApiDocument document, string exchange, List<TappedMessage> messages)
    {
        var findings = new List<Finding>();
        var schemas = new Dictionary<AsyncApiMessage, JsonSchema?>(ReferenceEqualityComparer.Instance);
        foreach (var group in messages.Where(m => m.Type != "archgate.probe").GroupBy(m => m.RoutingKey))
        {
            var channels = document.Channels.Where(c => c.Matches(group.Key)).ToList();
            if (channels.Count == 0)
            {
                findings.Add(Findings.Create(BrokerRules.UndocumentedChannel, Severity.High,
                    component: broker.Name,
                    location: $"{exchange} {group.Key}",
                    message: $"{group.Count()} message(s) published with routing key '{group.Key}', which no channel of the AsyncAPI document describes",
                    evidence: Excerpt(group.First().Body),
                    hint: $"document the channel (address '{group.Key}' or a parameterised one) or stop publishing it; documented: {string.Join(", ", document.Channels.Select(c => c.Address ?? c.Id))}"));
                continue;
            }

            var candidates = channels.SelectMany(c => c.Messages).ToList();
            var failures = new List<(TappedMessage Message, AsyncApiMessage Against, IReadOnlyList<string> Errors)>();
            foreach (var message in group)
            {
                var named = candidates.Where(c => c.Name == message.Type).ToList();
                var against = named.Count > 0 ? named : candidates;
                JsonElement body;
                try
                {
                    using var parsed = JsonDocument.Parse(message.Body);
                    body = parsed.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    if (against.Any(a => a.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase)))
                    {
                        failures.Add((message, against[0], [$"not JSON: {ex.Message}"]));
                    }

                    continue;
                }

                IReadOnlyList<string>? firstErrors = null;
                var valid = false;
                foreach (var candidate in against)
                {
                    var errors = Errors(Schema(candidate, schemas), body);
                    if (errors.Count == 0)
                    {
                        valid = true;
                        break;
                    }

                    firstErrors ??= errors;
                }

                if (!valid)
                {
                    failures.Add((message, against[0], firstErrors ?? []));
                }
            }

            foreach (var byMessage in failures.GroupBy(f => f.Against.Name))
            {
                var first = byMessage.First();
                var notJson = first.Errors.Count > 0 && first.Errors[0].StartsWith("not JSON", StringComparison.Ordinal);
                findings.Add(Findings.Create(notJson ? BrokerRules.NotJson : BrokerRules.PayloadMismatch, Severity.High,
                    component: broker.Name,
                    location: $"{exchange} {group.Key} (message {first.Against.Name})",
                    message: $"{byMessage.Count()} of {group.Count()} message(s) published as '{group.Key}' do not match the payload of message '{first.Against.Name}': {string.Join("; ", first.Errors.Take(5))}",
                    evidence: Excerpt(first.Message.Body),
                    hint: "the publisher and the AsyncAPI document disagree: fix the publisher, or version the document and tell its consumers"));
            }
        }

        return findings;
    }

    private static JsonSchema? Schema(AsyncApiMessage message, Dictionary<AsyncApiMessage, JsonSchema?> cache)
    {
        if (!cache.TryGetValue(message, out var schema))
        {
            if (message.Payload is not null)
            {
                using var json = JsonDocument.Parse(message.Payload.ToJsonString());
                schema = JsonSchema.Build(json.RootElement.Clone(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://archgate.invalid/asyncapi/{Guid.NewGuid():N}.json"));
            }

            cache[message] = schema;
        }

        return schema;
    }

    private static List<string> Errors(JsonSchema? schema, JsonElement body)
    {
        if (schema is null)
        {
            return [];
        }

        var result = schema.Evaluate(body, Options);
        if (result.IsValid)
        {
            return [];
        }

        var errors = (result.Details ?? []).SelectMany(d => (d.Errors ?? new Dictionary<string, string>()).Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return errors.Count > 0 ? errors : ["/: does not match the schema"];
    }

    private static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return Redact.Text(text.Length > 500 ? text[..500] + "…" : text);
    }
}
