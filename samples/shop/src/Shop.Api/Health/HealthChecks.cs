using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Api.Data;
using Shop.Api.Payments;

namespace Shop.Api.Health;

/// <summary>Ready when the database answers and is migrated to the latest script; reports pool settings.</summary>
internal sealed class DatabaseHealthCheck(ShopDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["engine"] = db.Engine == DbEngine.Postgres ? "postgres" : "sqlite",
            ["poolSize"] = db.PoolSize,
            ["poolInUse"] = db.InUse,
            ["poolTimeoutSeconds"] = db.PoolTimeout.TotalSeconds,
        };
        if (db.ConnectTimeout is { } connect && db.CommandTimeout is { } command)
        {
            // What the api really uses, so step 3 judges these rather than the driver defaults of a plain connection string.
            data["connectTimeoutSeconds"] = connect.TotalSeconds;
            data["commandTimeoutSeconds"] = command.TotalSeconds;
        }

        try
        {
            await using var lease = await db.OpenAsync(cancellationToken);
            var latest = await lease.ScalarAsync<string>(
                "SELECT scriptname FROM schemaversions ORDER BY schemaversionsid DESC LIMIT 1", [], cancellationToken);
            data["migration"] = latest ?? "";
            return latest == Migrator.Scripts[^1]
                ? HealthCheckResult.Healthy("The database answers and is migrated.", data)
                : HealthCheckResult.Unhealthy($"The database is at {latest ?? "no"} migration, expected {Migrator.Scripts[^1]}.", data: data);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or Shop.Common.ServiceUnavailableException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", ex is Shop.Common.ServiceUnavailableException ? null : ex, data);
        }
    }
}

/// <summary>
/// Payments reachable: healthy. Unreachable: degraded, not unhealthy, because the api keeps taking orders
/// (as payment_pending) while payments is away.
/// </summary>
internal sealed class PaymentsHealthCheck(PaymentsInstance instance) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["url"] = instance.Url.ToString(), ["circuit"] = instance.Circuit.State };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            // A direct probe outside the resilience pipeline: health must not trip the breaker.
            using var probe = new HttpClient { BaseAddress = instance.Url };
            using var response = await probe.GetAsync("/health/live", cts.Token);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("Payments answers.", data)
                : HealthCheckResult.Degraded($"Payments answered {(int)response.StatusCode}; orders wait as payment_pending.", data: data);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("Payments does not answer; orders wait as payment_pending.", data: data);
        }
    }
}

/// <summary>
/// The broker that carries order events: healthy when connected (or when the api runs without one), degraded while it is
/// away (orders go on; their events wait in memory). Reports whether the notifications consumer runs.
/// </summary>
internal sealed class BrokerHealthCheck(Events.BusState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["enabled"] = state.Enabled,
            ["connected"] = state.Connected,
            ["consuming"] = state.Consuming,
            ["published"] = state.Published,
            ["consumed"] = state.Consumed,
            ["deadLettered"] = state.DeadLettered,
        };
        return Task.FromResult(
            !state.Enabled ? HealthCheckResult.Healthy("No broker configured (SHOP_AMQP); order events are not published.", data)
            : state.Connected ? HealthCheckResult.Healthy("The broker is connected.", data)
            : HealthCheckResult.Degraded($"The broker is not connected ({state.LastError ?? "connecting"}); order events wait in memory.", data: data));
    }
}
