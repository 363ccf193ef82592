using System.Net;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Services;

/// <summary>
/// A caller on a free 127.0.0.1 port in the shape of the shop's api: <c>POST /orders</c> answers 202 at once and leaves
/// work that a background loop pays by calling the dependency (<c>POST /payments</c>) every 100 ms until a call
/// succeeds; with <paramref name="breaker"/>, <paramref name="failures"/> failures in a row open a breaker for
/// <paramref name="breakDuration"/> (no call at all), after which one trial call closes it or opens it again.
/// With <paramref name="fallback"/> false, an order placed while the dependency fails answers 500. With
/// <paramref name="opensAfter"/> the breaker really opens only after that many failures (a ratio-based breaker whose
/// sampling window still holds successes), later than the <paramref name="failures"/> the manifest declares.
/// </summary>
internal sealed class FakeCaller : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;
    private readonly Task _work;
    private readonly bool _breaker;
    private readonly int _failures;
    private readonly TimeSpan _breakDuration;
    private readonly bool _fallback;
    private volatile bool _pending;
    private volatile bool _lastFailed;
    private int _failedInARow;
    private DateTimeOffset _openUntil;

    public FakeCaller(Uri dependency, bool breaker, int failures, TimeSpan breakDuration, bool fallback = true, int? opensAfter = null)
    {
        _breaker = breaker;
        _failures = opensAfter ?? failures;
        _breakDuration = breakDuration;
        _fallback = fallback;
        _client.BaseAddress = dependency;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serve = Task.Run(ServeAsync);
        _work = Task.Run(WorkAsync);
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

            _pending = true;
            context.Response.StatusCode = !_fallback && _lastFailed ? 500 : 202;
            context.Response.Close();
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, _stop.Token);
                if (!_pending || (_breaker && DateTimeOffset.UtcNow < _openUntil))
                {
                    continue; // nothing to pay, or the breaker is open: fail fast
                }

                bool ok;
                try
                {
                    using var response = await _client.PostAsync("/payments", new StringContent("{}"), _stop.Token);
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                _lastFailed = !ok;
                _pending = !ok;
                _failedInARow = ok ? 0 : _failedInARow + 1;
                if (_breaker && _failedInARow >= _failures)
                {
                    _openUntil = DateTimeOffset.UtcNow + _breakDuration;
                    _failedInARow = _failures - 1; // half-open: one more failure opens it again
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        Task.WaitAll([_serve, _work], TimeSpan.FromSeconds(5));
        _client.Dispose();
        _stop.Dispose();
    }
}
