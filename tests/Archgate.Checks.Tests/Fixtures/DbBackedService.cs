using System.Net;
using System.Text;
using Npgsql;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A small real HTTP service (a <see cref="LocalHttpServer"/>) that uses PostgreSQL through an Npgsql pool, as the services step 3 probes
/// do: <c>POST /auth/login</c> gives a token, <c>GET /items</c> (with the token) runs a query, optionally holding its
/// connection idle in a transaction first (the pool-exhaustion defect); <c>GET /health</c> reports its pool size.
/// A failure to get or use a connection answers 503. With <c>singleConnection</c> it opens one connection at start
/// and never replaces it (the defect of a service that cannot recover from a dropped connection). With
/// <c>requestsPerSecond</c> a rate limiter in front of <c>GET /items</c> answers 429 with <c>Retry-After: 1</c> and a
/// problem+json body past that many requests in one second, before any connection is taken (as express-rate-limit does).
/// </summary>
public sealed class DbBackedService : IAsyncDisposable
{
    public const string Token = "probe-token";

    private readonly LocalHttpServer _server;
    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlConnection? _single;
    private readonly SemaphoreSlim _singleGate = new(1, 1);
    private readonly TimeSpan _hold;
    private readonly int _poolSize;
    private readonly int? _commandTimeout;
    private readonly int _connectTimeout;
    private readonly int? _requestsPerSecond;
    private readonly bool _reportsPool;
    private readonly Lock _windowGate = new();
    private long _window;
    private int _inWindow;

    /// <param name="warm">Connections opened together at start and given back, so that the pool holds them open and idle
    /// (as node-postgres and HikariCP pools do once traffic has passed).</param>
    /// <param name="reportsPool">Whether /health reports the pool size (a service that does not, as most Node ones, leaves it unknown).</param>
    /// <param name="commandTimeoutSeconds">When set, the pool uses it and /health also reports its connect and command timeouts.</param>
    /// <param name="connectTimeoutSeconds">How long getting a connection may take: from a full pool, or a new one from the server.
    /// 1 s makes an exhausted pool fail fast; a healthy service on a loaded machine needs longer to open one (ci14: two 503s at 1 s).</param>
    public DbBackedService(string connection, int poolSize, TimeSpan hold, bool singleConnection = false, int? commandTimeoutSeconds = null, int connectTimeoutSeconds = 1, int warm = 0, int? requestsPerSecond = null, bool reportsPool = true)
    {
        _reportsPool = reportsPool;
        _requestsPerSecond = requestsPerSecond;
        _poolSize = poolSize;
        _hold = hold;
        _commandTimeout = commandTimeoutSeconds;
        _connectTimeout = connectTimeoutSeconds;
        _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { MaxPoolSize = poolSize, Timeout = connectTimeoutSeconds, CommandTimeout = commandTimeoutSeconds ?? 30 }.ConnectionString);
        var warmed = Enumerable.Range(0, warm).Select(_ => _source.OpenConnection()).ToList();
        warmed.ForEach(c => c.Dispose());
        if (singleConnection)
        {
            _single = _source.OpenConnection();
        }

        _server = new LocalHttpServer(HandleAsync, concurrent: true);
    }

    public int Port => _server.Port;

    public string Url => $"http://127.0.0.1:{Port}";

    private string Health(string status) => "{\"status\":\"" + status + "\",\"checks\":{\"db\":{\"data\":{" + (_reportsPool ? "\"poolSize\":" + _poolSize + Timeouts : "\"up\":true") + "}}}}";

    private string Timeouts => _commandTimeout is { } command ? $",\"connectTimeoutSeconds\":{_connectTimeout},\"commandTimeoutSeconds\":{command}" : string.Empty;

    private async Task HandleAsync(HttpListenerContext context)
    {
        var (status, body) = (context.Request.HttpMethod, context.Request.Url!.AbsolutePath) switch
        {
            ("POST", "/auth/login") => (200, $$"""{"accessToken":"{{Token}}"}"""),
            // Like ASP.NET Core's health writers, the pool's data is in the body whether the query worked or not (on a
            // loaded machine the fixture's 1 s connect timeout can make one health query fail).
            ("GET", "/health") => await QueryAsync(false) ? (200, Health("Healthy")) : (503, Health("Unhealthy")),
            ("GET", "/items") when context.Request.Headers["Authorization"] != $"Bearer {Token}" => (401, "{}"),
            ("GET", "/items") when Throttled() => (429, $$"""{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"more than {{_requestsPerSecond}} requests in one second"}"""),
            ("GET", "/items") => await QueryAsync(true) ? (200, "[]") : (503, "{}"),
            _ => (404, "{}"),
        };
        await LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(body), status == 429 ? "application/problem+json" : "application/json",
            status == 429 ? new Dictionary<string, string> { ["Retry-After"] = "1" } : null);
    }

    private bool Throttled()
    {
        if (_requestsPerSecond is not { } limit)
        {
            return false;
        }

        lock (_windowGate)
        {
            var window = Environment.TickCount64 / 1000;
            if (window != _window)
            {
                (_window, _inWindow) = (window, 0);
            }

            return ++_inWindow > limit;
        }
    }

    private async Task<bool> QueryAsync(bool hold)
    {
        try
        {
            if (_single is not null)
            {
                await _singleGate.WaitAsync();
                try
                {
                    await using var single = new NpgsqlCommand("select 1", _single);
                    await single.ExecuteScalarAsync();
                    return true;
                }
                finally
                {
                    _singleGate.Release();
                }
            }

            await using var connection = await _source.OpenConnectionAsync();
            await using var transaction = hold && _hold > TimeSpan.Zero ? await connection.BeginTransactionAsync() : null;
            if (transaction is not null)
            {
                await using (var first = new NpgsqlCommand("select 1", connection, transaction))
                {
                    await first.ExecuteScalarAsync();
                }

                await Task.Delay(_hold);
            }

            await using var command = new NpgsqlCommand("select count(*) from pg_class", connection, transaction);
            await command.ExecuteScalarAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _server.Dispose();
        if (_single is not null)
        {
            await _single.DisposeAsync();
        }

        await _source.DisposeAsync();
        _singleGate.Dispose();
    }
}
