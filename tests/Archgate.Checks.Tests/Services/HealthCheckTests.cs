using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

public sealed class HealthCheckTests
{
    private static async Task<CheckResult> RunAsync(int port, bool critical = false)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{port}}", health: /health, critical: {{(critical ? "true" : "false")}} }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new HealthCheck((Archgate.Model.ServiceComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_2xx_answer_passes_with_its_latency()
    {
        using var server = new TinyHttpServer(200, "{\"status\":\"ok\"}");

        var result = await RunAsync(server.Port);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("health_latency", Assert.Single(result.Metrics).Name);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task A_503_fails_as_unhealthy_transient_with_the_body_as_redacted_evidence()
    {
        using var server = new TinyHttpServer(503, "{\"db\":\"down\",\"conn\":\"Host=x;Password=secret1\"}");

        var result = await RunAsync(server.Port, critical: true);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4001", finding.Rule);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("HTTP 503", result.TransientCause);
        Assert.Contains("\"db\":\"down\"", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("secret1", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_is_unhealthy_but_not_transient()
    {
        using var server = new TinyHttpServer(404, "not here");

        var result = await RunAsync(server.Port);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Null(result.TransientCause);
    }

    [Fact]
    public async Task A_closed_port_is_unreachable_connection_refused()
    {
        var result = await RunAsync(FreePort.Next());

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4002", finding.Rule);
        Assert.Equal("connection refused", result.TransientCause);
        Assert.Equal(Severity.High, finding.Severity);
    }

    [Fact]
    public async Task The_probe_client_sends_nothing_to_hosts_outside_the_allow_list()
    {
        using var http = ProbeHttp.CreateClient(TargetPolicy.LoopbackHosts);

        var ex = await Assert.ThrowsAsync<HostNotAllowedException>(() => http.GetAsync(new Uri("http://192.0.2.10/health")));

        Assert.Equal("192.0.2.10", ex.Host);
        Assert.False(ProbeHttp.Classify(ex).Transient);
    }

    [Fact]
    public void A_connection_broken_under_a_request_is_named_and_transient_and_other_request_errors_are_named_not_by_type()
    {
        // ex16: "a reconnection with Last-Event-ID 29 was refused: HttpRequestException", once in 6 runs, never retried.
        var reset = new HttpRequestException("An error occurred while sending the request.", new IOException("Unable to read data from the transport connection: Connection reset by peer.",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset)));
        var broken = new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely."));
        var invalid = new HttpRequestException(HttpRequestError.InvalidResponse, "Received an invalid status line: 'garbage'.");

        Assert.Equal(("connection reset", true), (ProbeHttp.Classify(reset).Cause, ProbeHttp.Classify(reset).Transient));
        Assert.Equal(("connection broken: The response ended prematurely", true), (ProbeHttp.Classify(broken).Cause, ProbeHttp.Classify(broken).Transient));
        Assert.Equal(("InvalidResponse: Received an invalid status line: 'garbage'", false), (ProbeHttp.Classify(invalid).Cause, ProbeHttp.Classify(invalid).Transient));
    }
}
