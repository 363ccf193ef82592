using System.Net;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Services;

/// <summary>
/// A service whose <c>/health</c> asks its dependency's <c>/health</c>: when that fails it answers 503, or, with
/// <paramref name="isolated"/>, 200 reporting the dependency Degraded (ASP.NET Core's health JSON).
/// Without a dependency it is always healthy.
/// </summary>
internal sealed class ChainService : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly Task _loop;

    /// <param name="lies">Its readiness reports the dependency Healthy whatever it finds (ex17's dispatcher and its bus).</param>
    public ChainService(Uri? dependency, string dependencyName = "", bool isolated = false, bool lies = false)
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
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

                var ok = true;
                if (dependency is not null)
                {
                    try
                    {
                        using var response = await _client.GetAsync(new Uri(dependency, "/health"));
                        ok = response.IsSuccessStatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        ok = false;
                    }
                }

                var status = ok || lies ? "Healthy" : "Degraded";
                context.Response.StatusCode = ok || isolated ? 200 : 503;
                var body = System.Text.Encoding.UTF8.GetBytes("{\"status\":\"" + status + "\",\"checks\":{\"" + dependencyName + "\":{\"status\":\"" + status + "\"}}}");
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _client.Dispose();
    }
}
