using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.Payments;

/// <summary>Ready while the gateway answers; degraded (not down: payments queue) when it does not.</summary>
internal sealed class GatewayHealthCheck(
    IServiceScopeFactory scopes, GatewayCircuit circuit, GatewaySubmitter submitter, PaymentsSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var reachable = await scope.ServiceProvider.GetRequiredService<GatewayClient>().IsReachableAsync(cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["url"] = settings.GatewayUrl.ToString(),
            ["circuit"] = circuit.Monitor.State,
            ["queued"] = await submitter.PendingAsync(cancellationToken),
            ["keySource"] = settings.KeySource,
        };
        return reachable
            ? HealthCheckResult.Healthy("The gateway answers.", data)
            : HealthCheckResult.Degraded("The gateway does not answer; payments are queued.", data: data);
    }
}
