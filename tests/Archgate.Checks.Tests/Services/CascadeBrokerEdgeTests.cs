using System.Net;
using System.Text;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;

namespace Archgate.Checks.Tests.Services;

/// <summary>
/// The cascade analysis on a broker edge (api → bus) against a real RabbitMQ node: the api holds an AMQP connection
/// through Archgate's TCP proxy and reports the bus in its readiness. Refusing the edge cuts the connection; an api that
/// stays ready is isolation that worked (in its own words), and one that never reconnects is named.
/// </summary>
[Collection(RabbitMqServer.Collection)]
public sealed class CascadeBrokerEdgeTests(RabbitMqServer node)
{
    private static readonly CascadeOptions Quick = new() { Settle = TimeSpan.FromMilliseconds(500), RecoveryWait = TimeSpan.FromSeconds(5) };

    private async Task<(CheckResult Result, bool ConnectedAfter)> RunAsync(bool reconnects, bool unready = false, string more = "", bool lies = false)
    {
        await using var edges = new EdgeProxies();
        await using var api = new AmqpCaller(edges.Open("api", "bus", new Uri(node.Uri())), reconnects, unready, lies);
        await api.Connected.WaitAsync(TimeSpan.FromSeconds(60));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: bus, kind: broker, connection: "{{node.Uri()}}" }
              - { name: api, kind: service, url: "{{api.Url}}", health: /health/ready, dependsOn: [bus] }
            {{more}}
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges };

        var result = await new CascadeCheck(Quick).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(edges.Find(new Edge("api", "bus"))!.Toxics);
        return (result, api.IsConnected);
    }

    [SkippableFact]
    public async Task A_caller_that_keeps_working_and_reconnects_is_isolation_that_worked_on_the_broker_edge()
    {
        Skip.If(node.Missing is not null, node.Missing);

        var (result, connected) = await RunAsync(reconnects: true);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var isolation = Assert.Single(result.Findings);
        Assert.Equal(("AG4031", "api → bus"), (isolation.Rule, isolation.Location));
        Assert.Equal("isolation worked: api stays healthy while bus is down (health 200, reports bus Degraded): \"The broker is not connected; order events wait in memory.\"", isolation.Message);
        Assert.True(connected); // the check waited for the api to report the bus healthy again
    }

    [SkippableFact]
    public async Task A_caller_that_never_reconnects_to_the_broker_is_named()
    {
        Skip.If(node.Missing is not null, node.Missing);

        var (result, connected) = await RunAsync(reconnects: false);

        Assert.False(connected);
        Assert.Equal(CheckStatus.Fail, result.Status);
        var stuck = Assert.Single(result.Findings, f => f.Rule == "AG4090");
        Assert.Equal(("api", "api → bus"), (stuck.Component, stuck.Location));
        Assert.StartsWith("api does not reconnect to bus: 5 s after bus came back, api's readiness still reports it Degraded", stuck.Message, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == "AG4031"); // it did stay ready while the bus was away
    }

    [SkippableFact]
    public async Task A_caller_whose_readiness_calls_the_refused_broker_healthy_hides_the_broken_edge()
    {
        Skip.If(node.Missing is not null, node.Missing);

        // ex17: the dispatcher's /health said "bus: pass" while its connection to RabbitMQ was refused, and step 4 called
        // that "isolation worked".
        var (result, _) = await RunAsync(reconnects: true, lies: true);

        var hidden = Assert.Single(result.Findings);
        Assert.Equal(("AG4034", Severity.Medium, "api → bus"), (hidden.Rule, hidden.Severity, hidden.Location));
        Assert.Equal("api's readiness reports bus Healthy while every edge into bus is refused (health 200; still so 5.5 s into the fault): it hides the broken edge it should name", hidden.Message);
        Assert.Contains("\"bus\":{\"status\":\"Healthy\"", hidden.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [SkippableFact]
    public async Task A_pure_consumer_that_says_it_is_unready_while_its_broker_is_away_is_no_cascade_and_must_recover()
    {
        Skip.If(node.Missing is not null, node.Missing);

        // ex14's notifier: it only consumes from the bus and nothing depends on it; its readiness honestly said 503.
        var (result, connected) = await RunAsync(reconnects: true, unready: true);

        Assert.True(connected);
        Assert.Equal(CheckStatus.Pass, result.Status);
        var waits = Assert.Single(result.Findings);
        Assert.Equal(("AG4033", Severity.Info, "api → bus"), (waits.Rule, waits.Severity, waits.Location));
        Assert.StartsWith("api consumes from bus and depends on nothing else, and nothing depends on it: its health failing while bus is down (health 503", waits.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_consumer_another_component_depends_on_that_fails_while_its_broker_is_away_is_a_cascade()
    {
        Skip.If(node.Missing is not null, node.Missing);

        var (result, _) = await RunAsync(reconnects: true, unready: true, more: "  - { name: web, kind: frontend, url: \"http://127.0.0.1:9/\", dependsOn: [api] }");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var cascade = Assert.Single(result.Findings, f => f.Component == "api");
        Assert.Equal(("AG4030", Severity.High), (cascade.Rule, cascade.Severity));
    }

    /// <summary>
    /// A service with one AMQP connection (through the address it was given) and a readiness report in ASP.NET Core's
    /// shape: bus Healthy while connected, Degraded otherwise; it opens the connection again every 200 ms when told to.
    /// </summary>
    private sealed class AmqpCaller : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _serve;
        private readonly Task _connect;
        private volatile IConnection? _connection;

        private readonly bool _unready;
        private readonly bool _lies;

        public AmqpCaller(Uri broker, bool reconnects, bool unready = false, bool lies = false)
        {
            _unready = unready;
            _lies = lies;
            Port = FreePort.Next();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _serve = Task.Run(ServeAsync);
            _connect = Task.Run(() => ConnectAsync(broker, reconnects));
        }

        public int Port { get; }

        public Uri Url => new($"http://127.0.0.1:{Port}");

        public Task Connected => _connected.Task;

        public bool IsConnected => _connection is { IsOpen: true };

        private async Task ConnectAsync(Uri broker, bool reconnects)
        {
            var factory = new ConnectionFactory { Uri = broker, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
            do
            {
                if (!IsConnected)
                {
                    try
                    {
                        _connection = await factory.CreateConnectionAsync(_stop.Token);
                        _connected.TrySetResult();
                    }
                    catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
                    {
                        // Away: tried again below.
                    }
                }

                await Task.Delay(200, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            while (!_stop.IsCancellationRequested && (reconnects || _connection is null));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var bus = IsConnected || _lies ? "{\"status\":\"Healthy\",\"description\":\"The broker is connected.\"}"
                    : "{\"status\":\"Degraded\",\"description\":\"The broker is not connected; order events wait in memory.\"}";
                var body = Encoding.UTF8.GetBytes($"{{\"status\":\"{(IsConnected ? "Healthy" : "Degraded")}\",\"checks\":{{\"bus\":{bus}}}}}");
                context.Response.StatusCode = _unready && !IsConnected ? 503 : 200;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Close();
            await Task.WhenAll(_serve, _connect).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_connection is { } connection)
            {
                await connection.DisposeAsync();
            }

            _stop.Dispose();
        }
    }
}
