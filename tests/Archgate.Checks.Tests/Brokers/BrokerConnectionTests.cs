using Archgate.Checks.Brokers;
using Archgate.Checks.Contracts.AsyncApi;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Brokers;

/// <summary>The one connect-and-classify path of the three AMQP checks, without a broker: a closed port.</summary>
public sealed class BrokerConnectionTests
{
    private static string ShopDocument => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "shop", "contracts", "shop-events.asyncapi.yaml"));

    /// <summary>A critical broker on a port nothing listens on, with <paramref name="body"/> under the component.</summary>
    private static SystemModel ClosedPort(string body, string? folder = null) => TestSystems.Load($$"""
        version: 1
        system: { name: s }
        components:
          - name: bus
            kind: broker
            critical: true
            connection: "amqp://shop:secret-pw@127.0.0.1:{{FreePort.Next()}}/"
        {{body}}
        """, folder);

    [Fact]
    public async Task A_closed_port_fails_every_amqp_check_as_unreachable_and_transient_with_its_own_rule()
    {
        var folder = Directory.CreateTempSubdirectory("archgate-amqp-").FullName;
        try
        {
            File.Copy(ShopDocument, Path.Combine(folder, "events.yaml"));
            var system = ClosedPort("""
                    exchanges: [ { name: ev, type: topic } ]
                    queues: [ { name: q, consumers: [bus] } ]
                    asyncapi: { path: events.yaml, collect: 1s }
                """, folder);
            var bus = system.Components[0];
            using var http = ProbeHttp.CreateClient(system.AllowedHosts);
            var context = TestSystems.Context(system, http);

            var opening = await BrokerConnection.TryOpenAsync((Archgate.Model.BrokerComponent)bus, system.Checks.Brokers, CancellationToken.None);
            var topology = await new BrokerTopologyCheck((Archgate.Model.BrokerComponent)bus).RunAsync(context, CancellationToken.None);
            var roundTrip = await new BrokerRoundTripCheck((Archgate.Model.BrokerComponent)bus).RunAsync(context, CancellationToken.None);
            var messages = await new AsyncApiMessagesCheck((Archgate.Model.BrokerComponent)bus).RunAsync(context, CancellationToken.None);

            Assert.True(opening.Failed);
            Assert.Equal(BrokerRules.Unreachable, opening.Failure.Rule);
            Assert.True(opening.Failure.Transient);
            Assert.False(opening.Failure.AccessRefused);
            foreach (var (result, rule, severity) in new[] { (topology, BrokerRules.Unreachable, Severity.Critical), (roundTrip, BrokerRules.RoundTripFailed, Severity.Critical), (messages, BrokerRules.Unreachable, Severity.High) })
            {
                Assert.Equal(CheckStatus.Fail, result.Status);
                Assert.Equal(Reachability.Unreachable, result.Reachability);
                Assert.Equal("connection refused", result.TransientCause);
                var finding = Assert.Single(result.Findings);
                Assert.Equal(rule, finding.Rule);
                Assert.Equal(severity, finding.Severity);
                Assert.Contains("connection refused", finding.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("secret-pw", finding.Location + finding.Message + finding.Evidence, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Cancellation_propagates_instead_of_reading_as_an_unreachable_broker()
    {
        var system = ClosedPort(string.Empty);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BrokerConnection.TryOpenAsync((Archgate.Model.BrokerComponent)system.Components[0], new BrokerCheckOptions(), cancelled.Token));
    }
}
