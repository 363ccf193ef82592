using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The shop with its RabbitMQ node (component bus): 'archgate run --up' starts the node from the manifest, the api
/// publishes order events and its notifications worker consumes them. The clean shop passes step 2's AsyncAPI check and
/// step 4's broker checks, and step 4's cascade analysis cuts the api's connection at Archgate's proxy on api → bus (the
/// api stays ready and reconnects); <c>no-consumer</c> fails the consumer and round-trip checks with their counts. One
/// test, two runs, because each start of a node costs 7-30 s.
/// </summary>
[Collection(ShopWaitingCollection.Name)]
public sealed class ShopBrokerTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunAsync(string manifest, string faults, string steps)
    {
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        Environment["SHOP_FAULTS"] = faults;
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", steps);
        var log = Path.Combine(Folder, ".archgate", "logs", "bus.log");
        Assert.True(result.Stdout.Contains("run ", StringComparison.Ordinal) && result.ExitCode is 0 or 4 or 5 or 6,
            result.All + (File.Exists(log) ? "\nbus.log:\n" + await File.ReadAllTextAsync(log) : string.Empty));
        var runId = RunIdFrom(result.Stdout);
        return (result, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json"))));
    }

    private static JsonElement Check(JsonDocument run, string id) =>
        run.RootElement.GetProperty("steps").EnumerateArray().SelectMany(s => s.GetProperty("checks").EnumerateArray()).Single(c => c.GetProperty("id").GetString() == id);

    private static List<JsonElement> Findings(JsonElement check) =>
        check.TryGetProperty("findings", out var f) ? [.. f.EnumerateArray()] : [];

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    private static double Metric(JsonElement check, string name) =>
        check.GetProperty("metrics").EnumerateArray().Where(m => m.GetProperty("name").GetString() == name).Sum(m => m.GetProperty("value").GetDouble());

    [SkippableFact]
    public async Task Order_events_pass_the_AsyncAPI_and_broker_checks_and_no_consumer_fails_them_with_the_counts()
    {
        Skip.IfNot(File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"), "rabbitmq-server is not installed ('./build.sh test' installs the Debian package)");
        var manifest = ShopManifest.WriteWithBroker(Folder);

        var (clean, cleanRun) = await RunAsync(manifest, "", "2,4");
        using (cleanRun)
        {
            var asyncApi = Check(cleanRun, "contracts.asyncapi:bus");
            Assert.True(Text(asyncApi, "status") == "pass", clean.All + asyncApi);
            Assert.True(Metric(asyncApi, "asyncapi_messages_checked") >= 2, asyncApi.ToString()); // placed, then at least awaiting payment
            // The api reaches the bus through Archgate's TCP proxy (${url:bus}): the cascade analysis cuts api → bus there,
            // and the api stays ready, saying in its readiness that order events wait (isolation that worked).
            var cascade = Check(cleanRun, "services.cascade");
            var isolated = Assert.Single(Findings(cascade), f => Text(f, "rule") == "AG4031" && Text(f, "location") == "api → bus");
            Assert.StartsWith("isolation worked: api stays healthy while bus is down (health 200, reports bus Degraded", Text(isolated, "message"), StringComparison.Ordinal);
            Assert.Contains("order events wait in memory", Text(isolated, "message"), StringComparison.Ordinal);
            Assert.DoesNotContain(Findings(cascade), f => Text(f, "rule") is "AG4030" or "AG4090");
            // The api got the broker's password in its URI through the proxy; no output of the run shows it.
            Assert.DoesNotContain("shop-test-pw", clean.All + cleanRun.RootElement.GetRawText(), StringComparison.Ordinal);

            // The checks below run after the cascade: the api's consumer is back because it reconnected through the proxy.
            var topology = Check(cleanRun, "brokers.topology:bus");
            Assert.True(Text(topology, "status") == "pass", clean.All + topology);
            Assert.Equal(1, Metric(topology, "broker_queue_consumers")); // the api's notifications worker; the dead-letter queue has none
            var roundTrip = Check(cleanRun, "brokers.round-trip:bus");
            Assert.True(Text(roundTrip, "status") == "pass", clean.All + roundTrip);
            Assert.Equal(1, roundTrip.GetProperty("metrics").EnumerateArray().Count(m => m.GetProperty("name").GetString() == "broker_round_trip"));
            Assert.Contains(cleanRun.RootElement.GetProperty("criteria").EnumerateArray(), c => Text(c, "id") == "services" && Text(c, "target").Contains("every broker queue consumed and dead-lettered (bus)", StringComparison.Ordinal));
        }

        var (fault, faultRun) = await RunAsync(manifest, "no-consumer", "4");
        using (faultRun)
        {
            var consumer = Assert.Single(Findings(Check(faultRun, "brokers.topology:bus")));
            Assert.Equal("AG4064", Text(consumer, "rule"));
            Assert.Contains("queue 'shop.order-notifications' on bus has no consumer", Text(consumer, "message"), StringComparison.Ordinal);
            Assert.Contains("consumers: 0 (expected at least 1 (api))", Text(consumer, "evidence"), StringComparison.Ordinal);
            var lost = Assert.Single(Findings(Check(faultRun, "brokers.round-trip:bus")));
            Assert.Equal("AG4068", Text(lost, "rule"));
            Assert.Contains("consumers 0", Text(lost, "evidence"), StringComparison.Ordinal);
            Assert.Equal("NO-GO", faultRun.RootElement.GetProperty("verdict").GetString());
            Assert.True(fault.ExitCode == 4, fault.All);
        }
    }
}
