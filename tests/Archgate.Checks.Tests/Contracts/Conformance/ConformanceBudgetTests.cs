using System.Net;
using System.Net.Sockets;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>A conformance check always ends within its budgets and says what it could not test.</summary>
public sealed class ConformanceBudgetTests
{
    private const string FourOperations = """
        openapi: 3.1.0
        info: { title: t, version: "1" }
        paths:
          /a: { get: { parameters: [ { name: n, in: query, schema: { type: integer, maximum: 5 } } ], responses: { '200': { description: ok }, '400': { description: no } } } }
          /b: { get: { responses: { '200': { description: ok } } } }
          /c: { get: { responses: { '200': { description: ok } } } }
          /d: { get: { responses: { '200': { description: ok } } } }
        """;

    /// <summary>Accepts connections and never answers.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];

        public SilentServer()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    try
                    {
                        var client = await _listener.AcceptTcpClientAsync();
                        lock (_clients)
                        {
                            _clients.Add(client);
                        }
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections
        {
            get
            {
                lock (_clients)
                {
                    return _clients.Count;
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }
    }

    [Fact]
    public async Task A_service_that_never_answers_costs_two_timeouts_and_the_operations_left_are_named()
    {
        using var server = new SilentServer();
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, FourOperations);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{server.Port}}
                openapi: { path: {{contract}}, conformance: { timeout: 1s, budget: 5m } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal("timeout", result.TransientCause);
        Assert.Equal(2, result.Findings.Count(f => f.Rule == "AG2019"));
        Assert.Contains(result.Findings, f => f.Rule == "AG2018" && f.Message == "GET /a: 2 invalid inputs were not probed (the operation stopped early (no answer, or the time budget)): query parameter 'n' is a string where a number is expected, query parameter 'n' is 6, above the maximum 5");
        var left = Assert.Single(result.Findings, f => f.Rule == "AG2018" && f.Location == "budget");
        Assert.Equal("api answered none of its first 2 requests within 1 s; 2 operations were not tested: GET /c, GET /d", left.Message);
        Assert.Equal(2, result.Metrics.Single(m => m.Name == "contract_requests_sent").Value);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_spent_time_budget_names_the_operations_not_tested()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var server = new ScriptedHttpServer(r =>
        {
            time.Advance(TimeSpan.FromSeconds(40)); // every answer takes 40 s of the budget's clock
            return r.Method == "GET" ? new Reply(200, null) : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
        });
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, FourOperations);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{server.Port}}
                openapi: { path: {{contract}}, conformance: { budget: 1m } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http) with { Time = time }, CancellationToken.None);

        var left = Assert.Single(result.Findings, f => f.Location == "budget");
        Assert.Equal("AG2018", left.Rule);
        Assert.StartsWith("the time budget of 60 s is spent; ", left.Message, StringComparison.Ordinal);
        Assert.Contains("GET /d", left.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.PathAndQuery == "/d");
    }

    [Fact]
    public async Task One_operation_that_times_out_among_answering_ones_is_its_finding_not_a_transient_failure_of_the_check()
    {
        // ex12: an event stream that sent no headers timed out, and the whole check was repeated 4 times for it.
        // The answering operations have 3 s, not 1 s: beside a busy suite, POST /b once took over 1 s to be answered
        // (its handler waits for a pool thread while /slow's sleeps), and was called a timeout too.
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.Method == "GET" && r.PathAndQuery == "/slow")
            {
                Thread.Sleep(TimeSpan.FromSeconds(8));
            }

            return (r.Method, r.PathAndQuery) switch
            {
                ("GET", _) => new Reply(200, null),
                ("POST", "/b") => new Reply(201, null), // accepts a body without its required property: a deterministic failure
                _ => new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = r.PathAndQuery == "/b" ? "POST" : "GET" }),
            };
        }, concurrent: true);
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /a: { get: { responses: { '200': { description: ok } } } }
              /slow: { get: { responses: { '200': { description: ok } } } }
              /b:
                post:
                  requestBody: { required: true, content: { application/json: { schema: { type: object, required: [currency], properties: { currency: { type: string } } } } } }
                  responses: { '201': { description: created }, '400': { description: refused } }
            """);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{server.Port}}
                openapi: { path: {{contract}}, conformance: { timeout: 3s, budget: 5m } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Null(result.TransientCause); // the runner does not repeat the check: a retry cannot change these verdicts
        var timeout = Assert.Single(result.Findings, f => f.Rule == "AG2019");
        Assert.StartsWith("GET /slow", timeout.Location, StringComparison.Ordinal);
        Assert.Contains("timeout", timeout.Message, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == "AG2015" && f.Message.Contains("'currency' left out", StringComparison.Ordinal));
    }
}

