using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] BrokerKeys = ["exchanges", "queues", "probe", "asyncapi"];

    private static readonly string[] ExchangeTypes = ["direct", "topic", "fanout", "headers"];

    private sealed partial class ComponentsSectionReader
    {
        private string? ReadAmqpUri(YamlNode? node, string path)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            {
                r.Error(node!, path, $"invalid AMQP URI '{Redact.Url(text)}'", "write amqp://USER:PASSWORD@HOST:PORT/VHOST, for example amqp://app:${BROKER_PASSWORD}@127.0.0.1:5672/");
                return null;
            }

            if (!TargetPolicy.IsAllowed(uri.Host, allowedHosts))
            {
                r.Error(node!, path, $"host '{uri.Host}' is not in targets.allow",
                    $"Archgate only probes allowed hosts; add '{uri.Host}' to targets.allow if it may be probed (allowed now: {string.Join(", ", allowedHosts)})");
            }

            return text;
        }

        private BrokerSpec ReadBrokerSpec(YamlMappingNode map, string path)
        {
            var exchanges = new List<BrokerExchange>();
            foreach (var (e, at) in r.MappingList(YamlReader.Get(map, "exchanges"), $"{path}.exchanges"))
            {
                r.AllowKeys(e, at, "name", "type");
                var name = r.String(r.Required(e, at, "name", "the exchange's name"), $"{at}.name");
                var typeNode = YamlReader.Get(e, "type");
                var type = r.String(typeNode, $"{at}.type");
                if (type is not null && !ExchangeTypes.Contains(type))
                {
                    r.Error(typeNode!, $"{at}.type", $"unknown exchange type '{type}'", Suggest.DidYouMean(type, ExchangeTypes, "one of: "));
                }

                if (name is not null)
                {
                    exchanges.Add(new BrokerExchange(name, type) { Location = Where(e) });
                }
            }

            var queues = new List<BrokerQueue>();
            foreach (var (q, at) in r.MappingList(YamlReader.Get(map, "queues"), $"{path}.queues"))
            {
                r.AllowKeys(q, at, "name", "consumers", "deadLetter", "durable");
                var name = r.String(r.Required(q, at, "name", "the queue's name"), $"{at}.name");
                var consumersNode = YamlReader.Get(q, "consumers");
                IReadOnlyList<string> consumers = [];
                var min = 1;
                if (consumersNode is YamlScalarNode { Value: "none" })
                {
                    min = 0;
                }
                else if (consumersNode is not null)
                {
                    consumers = [.. r.StringList(consumersNode, $"{at}.consumers").Select(c => c.Value)];
                    min = Math.Max(1, consumers.Count);
                }

                var deadLetter = r.String(YamlReader.Get(q, "deadLetter"), $"{at}.deadLetter");
                var durable = r.Bool(YamlReader.Get(q, "durable"), $"{at}.durable") ?? true;
                if (name is not null)
                {
                    queues.Add(new BrokerQueue(name) { Consumers = consumers, MinConsumers = min, DeadLetter = deadLetter, Durable = durable, Location = Where(q) });
                }
            }

            foreach (var duplicate in queues.GroupBy(q => q.Name).Where(g => g.Count() > 1))
            {
                r.Error(map, $"{path}.queues", $"queue '{duplicate.Key}' is declared twice", "describe each queue once");
            }

            var spec = new BrokerSpec { Exchanges = exchanges, Queues = queues, AsyncApi = ReadAsyncApi(YamlReader.Get(map, "asyncapi"), $"{path}.asyncapi", exchanges) };
            if (r.Mapping(YamlReader.Get(map, "probe"), $"{path}.probe") is { } probe)
            {
                r.AllowKeys(probe, $"{path}.probe", "queues", "within");
                var probed = r.StringList(YamlReader.Get(probe, "queues"), $"{path}.probe.queues");
                foreach (var (value, node) in probed.Where(p => queues.All(q => q.Name != p.Value)))
                {
                    r.Error(node, $"{path}.probe.queues", $"queue '{value}' is not declared in 'queues'", Suggest.DidYouMean(value, queues.Select(q => q.Name), "declared queues: "));
                }

                spec = spec with
                {
                    ProbeQueues = [.. probed.Select(p => p.Value)],
                    ProbeWithin = r.BoundedDuration(probe, $"{path}.probe", "within", TimeSpan.FromMinutes(1)) ?? spec.ProbeWithin,
                };
            }

            return spec;
        }

        private AsyncApiSpec? ReadAsyncApi(YamlNode? node, string path, List<BrokerExchange> exchanges)
        {
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode:
                    return ExistingFile(node, path) is { } document ? new AsyncApiSpec(document) : null;
                case YamlMappingNode map:
                    {
                        r.AllowKeys(map, path, "path", "exchange", "drive", "collect");
                        var file = ExistingFile(r.Required(map, path, "path", "the AsyncAPI document, relative to the manifest"), $"{path}.path");
                        var exchangeNode = YamlReader.Get(map, "exchange");
                        var exchange = r.String(exchangeNode, $"{path}.exchange");
                        if (exchange is not null && exchanges.All(e => e.Name != exchange))
                        {
                            r.Error(exchangeNode!, $"{path}.exchange", $"exchange '{exchange}' is not declared in 'exchanges'", Suggest.DidYouMean(exchange, exchanges.Select(e => e.Name), "declared exchanges: "));
                        }

                        var drive = ReadEdgeProbe(YamlReader.Get(map, "drive"), $"{path}.drive", journey: true);
                        if (drive is { Via: null, Journey: null })
                        {
                            r.Error(YamlReader.Get(map, "drive")!, $"{path}.drive", "a broker's drive request needs 'via'", "name the service that publishes when called, for example 'via: api'");
                        }

                        var collect = r.BoundedDuration(map, path, "collect", TimeSpan.FromMinutes(1));
                        return file is null ? null : new AsyncApiSpec(file) { Exchange = exchange, Drive = drive, Collect = collect ?? TimeSpan.FromSeconds(3) };
                    }

                default:
                    r.Error(node, path, $"expected a file path or a mapping with 'path', found {YamlReader.Describe(node)}");
                    return null;
            }
        }
    }
}
