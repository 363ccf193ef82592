using System.Buffers;
using System.Net;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// <see cref="SocketsHttpHandler"/> tuned for load (one shared handler, as many connections as the
/// load needs, no cookies, proxy, redirects or decompression): for https and HTTP/2 targets.
/// </summary>
internal sealed class HttpClientTransport : ILoadTransport
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private readonly TimeSpan _timeout;
    private CancellationTokenSource _abort = new();

    public HttpClientTransport(LoadPlan plan)
    {
        Target = plan.Target;
        _timeout = plan.RequestTimeout;
        var connections = plan.Model == LoadModel.ClosedUsers
            ? (int)Math.Ceiling(plan.Stages.Max(s => s.Target))
            : plan.MaxConcurrency;
        _handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = plan.RequestTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: true);
    }

    public LoadTransport Kind => LoadTransport.HttpClient;

    internal Uri Target { get; }

    internal HttpMessageInvoker Invoker => _invoker;

    internal TimeSpan Timeout => _timeout;

    internal CancellationToken AbortToken => _abort.Token;

    public ILoadConnection CreateConnection() => new HttpClientConnection(this);

    public void AbortAll() => _abort.Cancel();

    public ValueTask DisposeAsync()
    {
        _abort.Cancel();
        _abort.Dispose();
        _abort = new CancellationTokenSource();
        _invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A virtual user's view of the shared handler: its buffer and request building.</summary>
internal sealed class HttpClientConnection(HttpClientTransport transport) : ILoadConnection
{
    private readonly byte[] _buffer = new byte[16 * 1024];

    public async ValueTask<ExchangeResult> SendAsync(CompiledRequest request, VirtualUserVariables variables, ResponseCapture? capture)
    {
        var path = request.RenderPath(variables);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(transport.Target, path));
        var body = request.RenderBody(variables);
        long sent = path.Length + request.Method.Length + 12;
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            sent += body.Length;
        }

        foreach (var header in request.Request.Headers)
        {
            var value = request.RenderHeader(header.Value, variables);
            sent += header.Key.Length + value.Length + 4;
            if (!message.Headers.TryAddWithoutValidation(header.Key, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(header.Key, value);
            }
        }

        var jar = request.OwnsCookie ? null : variables.Cookies;
        foreach (var header in jar?.HeadersFor(request.Method, request.Request.Headers) ?? [])
        {
            sent += header.Key.Length + header.Value.Length + 4;
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(transport.AbortToken);
        timeout.CancelAfter(transport.Timeout);
        long received = 0;
        try
        {
            using var response = await transport.Invoker.SendAsync(message, timeout.Token);
            variables.Cookies.Received.Clear();
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                variables.Cookies.Received.AddRange(setCookies);
            }

            if (capture is not null)
            {
                capture.Clear();
                foreach (var h in response.Headers.Concat(response.Content.Headers))
                {
                    capture.Headers.Add(new(h.Key, string.Join(", ", h.Value)));
                }
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            int n;
            while ((n = await stream.ReadAsync(_buffer, timeout.Token)) > 0)
            {
                received += n;
                capture?.Body.Write(_buffer.AsSpan(0, n));
            }

            return new ExchangeResult(ExchangeStatus.Response, (int)response.StatusCode, sent, received);
        }
        catch (OperationCanceledException) when (!transport.AbortToken.IsCancellationRequested)
        {
            return new ExchangeResult(ExchangeStatus.Timeout, 0, sent, received);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return new ExchangeResult(ExchangeStatus.ConnectionError, 0, sent, received);
        }
    }

    public async ValueTask WarmAsync(CompiledRequest? request, VirtualUserVariables variables)
    {
        if (request is not null)
        {
            _ = await SendAsync(request, variables, null);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
