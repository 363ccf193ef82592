using System.Net;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Services;

/// <summary>
/// A caller on a free 127.0.0.1 port whose answer needs its dependency: <c>GET /quote</c> calls the dependency with a
/// 500 ms timeout and answers 200 when it answered, else 503 (its fallback). With <paramref name="breaker"/>, 3 failures
/// in a row open a breaker for <paramref name="breakDuration"/>: the answer is then 503 at once, without a call; the
/// first call after the break closes it when it succeeds.
/// </summary>
internal sealed class SyncCaller : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromMilliseconds(500) };
    private readonly Task _serve;
    private readonly bool _breaker;
    private readonly TimeSpan _breakDuration;
    private int _failedInARow;
    private DateTimeOffset _openUntil;

    public SyncCaller(Uri dependency, bool breaker, TimeSpan breakDuration)
    {
        _breaker = breaker;
        _breakDuration = breakDuration;
        _client.BaseAddress = dependency;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serve = Task.Run(ServeAsync);
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

            context.Response.StatusCode = await QuoteAsync();
            context.Response.Close();
        }
    }

    private async Task<int> QuoteAsync()
    {
        if (_breaker && DateTimeOffset.UtcNow < _openUntil)
        {
            return 503; // open: fail fast with the fallback
        }

        try
        {
            using var response = await _client.GetAsync("/price");
            response.EnsureSuccessStatusCode();
            _failedInARow = 0;
            return 200;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (++_failedInARow >= 3 && _breaker)
            {
                _openUntil = DateTimeOffset.UtcNow + _breakDuration;
            }

            return 503;
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _client.Dispose();
        _serve.Wait(TimeSpan.FromSeconds(5));
    }
}
