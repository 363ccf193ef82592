using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace Shop.Common;

/// <summary>How a shop process calls one dependency over HTTP.</summary>
public sealed record CallPolicy
{
    /// <summary>Time allowed for one attempt.</summary>
    /// <value>2 seconds.</value>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time allowed for the whole call, retries included; third-party calls keep it at 10 s or less.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt (exponential backoff with jitter); 0: none.</summary>
    /// <value>3.</value>
    public int Retries { get; init; } = 3;

    /// <summary>Median delay before the first retry; it doubles on each retry.</summary>
    /// <value>200 milliseconds.</value>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether a circuit breaker guards the dependency.</summary>
    /// <value>true.</value>
    public bool CircuitBreaker { get; init; } = true;

    /// <summary>How long the circuit stays open before a probe call.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls the breaker needs within its 10-second window before it may open (at a 50% failure ratio).</summary>
    /// <value>4.</value>
    public int MinimumThroughput { get; init; } = 4;
}

/// <summary>The state of one dependency's circuit breaker, for health reports and tests.</summary>
public sealed class CircuitMonitor
{
    /// <summary>The Polly provider wired into the breaker; null when no breaker guards the dependency.</summary>
    public CircuitBreakerStateProvider? Provider { get; private set; }

    private bool _guarded;

    /// <summary>
    /// <c>closed</c>, <c>open</c>, <c>half-open</c>, <c>isolated</c>, or <c>none</c> without a breaker. A breaker is built
    /// with the client's pipeline, at the first call: until then a guarded dependency's breaker is closed.
    /// </summary>
    public string State => Provider?.CircuitState switch
    {
        null => _guarded ? "closed" : "none",
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };

    /// <summary>Whether calls are being short-circuited now.</summary>
    public bool IsOpen => Provider?.CircuitState is CircuitState.Open or CircuitState.Isolated;

    internal CircuitBreakerStateProvider Attach() => Provider = new CircuitBreakerStateProvider();

    internal void Guard() => _guarded = true;
}

/// <summary>Adds the shop's resilience pipeline (total timeout, retry, breaker, attempt timeout) to a client.</summary>
public static class ResilienceExtensions
{
    /// <summary>Adds the pipeline; the breaker (if the policy has one) reports into <paramref name="monitor"/>.</summary>
    public static IHttpClientBuilder AddShopResilience(
        this IHttpClientBuilder builder, string name, CallPolicy policy, CircuitMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(monitor);
        if (policy.CircuitBreaker)
        {
            monitor.Guard();
        }

        builder.AddResilienceHandler(name, pipeline =>
        {
            pipeline.AddTimeout(policy.TotalTimeout);
            if (policy.Retries > 0) // Polly refuses a retry strategy of zero attempts
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = policy.Retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = policy.BaseDelay,
                });
            }
            if (policy.CircuitBreaker)
            {
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = policy.MinimumThroughput,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = policy.BreakDuration,
                    StateProvider = monitor.Attach(),
                });
            }

            pipeline.AddTimeout(policy.AttemptTimeout);
        });
        return builder;
    }
}
