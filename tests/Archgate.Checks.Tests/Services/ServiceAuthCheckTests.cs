using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

/// <summary>The direct half of the authenticated-call check; the caller's half runs on the shop (ShopServiceTests).</summary>
public sealed class ServiceAuthCheckTests
{
    private static async Task<CheckResult> RunAsync(int port)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:{{port}}", requiresAuth: { request: GET /payments/probe } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = Assert.IsType<ServiceAuthCheck>(ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "services.auth:payments"));
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_service_that_refuses_anonymous_calls_passes()
    {
        using var server = new ScriptedHttpServer(r => r.Headers.ContainsKey("Authorization") || r.Headers.ContainsKey("X-Service-Key") ? new Reply(200, "{}") : new Reply(401, "{}"));

        var result = await RunAsync(server.Port);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var works = Assert.Single(result.Findings);
        Assert.Equal("AG4053", works.Rule);
        // No edge to payments declares a drive: no caller's call was tried, so none is said to be taken (ex10's AMQP-fed service).
        Assert.Equal("payments refuses calls without credentials; no caller's call was tried (no edge to it declares a drive)", works.Message);
        Assert.Equal("/payments/probe", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task A_service_that_answers_an_anonymous_call_fails_and_a_dead_one_is_not_exercised()
    {
        using var open = new TinyHttpServer(404, "{}");

        var accepted = await RunAsync(open.Port);
        var dead = await RunAsync(FreePort.Next());

        var finding = Assert.Single(accepted.Findings);
        Assert.Equal("AG4050", finding.Rule);
        Assert.StartsWith("payments answered 404 to a call without credentials", finding.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, accepted.Status);
        Assert.Equal("AG4052", Assert.Single(dead.Findings).Rule);
        Assert.Equal("no answer", dead.TransientCause);
    }
}
