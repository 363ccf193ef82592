using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services;

public sealed class EdgeReadinessCheckTests
{
    private static async Task<CheckResult> RunAsync(string readiness, int status = 200)
    {
        using var server = new TinyHttpServer(status, readiness);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:7201" }
              - { name: email, kind: third-party, url: "http://127.0.0.1:7301" }
              - { name: api, kind: service, url: "http://127.0.0.1:{{server.Port}}", health: /health/ready, dependsOn: [payments, email], critical: true }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new EdgeReadinessCheck(system.Find<Archgate.Model.HttpComponent>("api")!, ["payments", "email"]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_degraded_dependency_in_an_aspnet_readiness_names_the_broken_edge()
    {
        var result = await RunAsync("""
            {"status":"Degraded","checks":{"db":{"status":"Healthy"},"payments":{"status":"Degraded","description":"Payments does not answer; orders wait as payment_pending.","data":{}}}}
            """);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4020", finding.Rule);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("edge api → payments is broken: api's readiness reports payments Degraded: Payments does not answer; orders wait as payment_pending.", finding.Message);
    }

    [Theory]
    [InlineData("MicroProfile Health", """{"status":"DOWN","checks":[{"name":"email","status":"UP"},{"name":"payments","status":"DOWN","data":{"error":"connect timed out"}}]}""", "DOWN")]
    [InlineData("IETF health+json", """{"status":"fail","checks":{"email:responseTime":[{"status":"pass"}],"payments:responseTime":[{"componentId":"p1","status":"pass"},{"componentId":"p2","status":"fail","output":"connect timed out"}]}}""", "fail: connect timed out")]
    [InlineData("NestJS Terminus", """{"status":"error","info":{"email":{"status":"up"}},"error":{"payments":{"status":"down","message":"connect timed out"}},"details":{"email":{"status":"up"},"payments":{"status":"down","message":"connect timed out"}}}""", "down: connect timed out")]
    [InlineData("health-go", """{"status":"Partially Available","failures":{"payments":"connect timed out"}}""", "down: connect timed out")]
    public async Task Readiness_reports_of_other_frameworks_name_the_broken_edge(string format, string readiness, string reported)
    {
        var result = await RunAsync(readiness, 503);

        var finding = Assert.Single(result.Findings);
        Assert.True(finding.Message.StartsWith($"edge api → payments is broken: api's readiness reports payments {reported}", StringComparison.Ordinal), $"{format}: {finding.Message}");
    }

    [Fact]
    public async Task Healthy_dependencies_pass_and_a_spring_actuator_report_is_read_too()
    {
        var aspnet = await RunAsync("""{"status":"Healthy","checks":{"payments":{"status":"Healthy"}}}""");
        var spring = await RunAsync("""{"status":"DOWN","components":{"email":{"status":"DOWN"},"payments":{"status":"UP"}}}""", 503);

        Assert.Equal(CheckStatus.Pass, aspnet.Status);
        Assert.Equal("AG4020", Assert.Single(spring.Findings).Rule);
        Assert.Contains("edge api → email", spring.Findings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_readiness_that_names_no_dependency_is_skipped_with_the_reason()
    {
        var result = await RunAsync("""{"status":"ok"}""");

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("names none of payments, email", result.Reason, StringComparison.Ordinal);
    }
}
