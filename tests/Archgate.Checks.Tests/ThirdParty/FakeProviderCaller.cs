using System.Collections.Concurrent;
using System.Net;
using Archgate.Checks.Tests.Fixtures;
using Polly;
using Polly.CircuitBreaker;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>How <see cref="FakeProviderCaller"/> calls its provider.</summary>
internal sealed record CallerBehaviour
{
    /// <summary>Retries after the first attempt, each after <c>BaseDelay × 2^k</c>, jittered ±40 % unless <see cref="Jitter"/> is off.</summary>
    public int Retries { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public bool Jitter { get; init; } = true;

    /// <summary>How long one attempt may take; null: forever (no timeout).</summary>
    public TimeSpan? AttemptTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After a failed operation the work waits this long and goes again; null: it is dropped (lost). Longer than the
    /// edge's 3 s policy timeout by default: a resend sooner than that after the last retry, with nothing after it in
    /// the fault window, cannot be told from one retry too many (the analysis counts it in the operation).
    /// </summary>
    public TimeSpan? Requeue { get; init; } = TimeSpan.FromMilliseconds(3500);

    /// <summary>The method of the calls: POST (a charge, work to hand over) or GET (a read whose failure leaves nothing to do).</summary>
    public string Method { get; init; } = "POST";

    /// <summary>A new Idempotency-Key on every attempt (the defect) instead of one per order.</summary>
    public bool FreshKeys { get; init; }

    /// <summary>No Idempotency-Key at all (the defect, ex13): the provider cannot tell a retry from a new charge.</summary>
    public bool NoKey { get; init; }

    /// <summary>
    /// A Polly circuit breaker around each attempt with this break, as the shop's callers have (half the calls failed
    /// of at least 4 in 10 s); an attempt it refuses ends the operation. Null: no breaker.
    /// </summary>
    public TimeSpan? BreakDuration { get; init; }

    /// <summary>Orders from this number on (the first is 1) are refused with 503 and nothing is queued. Null: every order is taken.</summary>
    public int? RefuseFrom { get; init; }
}

/// <summary>
/// A caller on a free 127.0.0.1 port in the shape of the shop's payments: <c>POST /orders</c> answers 201 at once and
/// leaves an order that a background loop charges at the provider (<c>POST /charges</c>, one Idempotency-Key per
/// order) with the <see cref="CallerBehaviour"/>'s retries, timeouts and queue.
/// </summary>
internal sealed class FakeProviderCaller : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _client = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _work = new();
    private readonly CallerBehaviour _behaviour;
    private readonly ResiliencePipeline<HttpResponseMessage> _breaker;
    private readonly Task _serve;
    private readonly Task _worker;
    private int _orders;

    public FakeProviderCaller(Uri provider, CallerBehaviour behaviour)
    {
        _behaviour = behaviour;
        _breaker = behaviour.BreakDuration is { } pause
            ? new ResiliencePipelineBuilder<HttpResponseMessage>().AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = pause,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>().Handle<OperationCanceledException>().HandleResult(r => (int)r.StatusCode >= 500),
            }).Build()
            : ResiliencePipeline<HttpResponseMessage>.Empty;
        _client.BaseAddress = provider;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serve = Task.Run(ServeAsync);
        _worker = Task.Run(WorkAsync);
    }

    public int Port { get; }

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

            var order = Interlocked.Increment(ref _orders);
            if (order >= _behaviour.RefuseFrom)
            {
                context.Response.StatusCode = 503;
                context.Response.Close();
                continue;
            }

            _work.Enqueue($"order-{order}");
            context.Response.StatusCode = 201;
            context.Response.Close();
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (!_work.TryDequeue(out var key))
                {
                    await Task.Delay(20, _stop.Token);
                    continue;
                }

                if (!await ChargeAsync(key) && _behaviour.Requeue is { } later)
                {
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(later, _stop.Token);
                        _work.Enqueue(key);
                    });
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> ChargeAsync(string key)
    {
        for (var attempt = 0; attempt <= _behaviour.Retries; attempt++)
        {
            if (attempt > 0)
            {
                var delay = _behaviour.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
                if (_behaviour.Jitter)
                {
                    delay *= 0.6 + (Random.Shared.NextDouble() * 0.8);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(delay), _stop.Token);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            if (_behaviour.AttemptTimeout is { } t)
            {
                timeout.CancelAfter(t);
            }

            try
            {
                using var response = await _breaker.ExecuteAsync(async token =>
                {
                    using var request = new HttpRequestMessage(new HttpMethod(_behaviour.Method), "/charges");
                    if (_behaviour.Method == "POST")
                    {
                        request.Content = new StringContent($"{{\"amount\":1,\"reference\":\"{key}\"}}");
                    }

                    if (!_behaviour.NoKey)
                    {
                        request.Headers.Add("Idempotency-Key", _behaviour.FreshKeys ? $"{key}-{Guid.NewGuid():N}" : key);
                    }

                    return await _client.SendAsync(request, token);
                }, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (BrokenCircuitException)
            {
                return false; // the breaker refuses the attempt: the operation ends here
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !_stop.IsCancellationRequested))
            {
                // A failed attempt: retry.
            }
        }

        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        Task.WaitAll([_serve, _worker], TimeSpan.FromSeconds(5));
        _client.Dispose();
        _stop.Dispose();
    }
}
