using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the lean client. Reconnects after the server closes it; a
/// request that finds a reused connection closed before any byte of the answer is retried once on a
/// fresh one (the server may close idle connections at any time).
/// </summary>
internal sealed class Http1Connection : ILoadConnection, IWatchedConnection
{
    private const int Idle = 0;
    private const int Busy = 1;
    private const int TimedOut = 2;
    private const int InitialBufferSize = 4096;

    private readonly RawHttpTransport _transport;
    private readonly TimeoutWatchdog _watchdog;
    private readonly Http1ResponseParser _parser = new();
    private Socket? _socket;
    private byte[] _buffer = new byte[InitialBufferSize];
    private long _deadline;
    private int _state;

    public Http1Connection(RawHttpTransport transport, TimeoutWatchdog watchdog)
    {
        _transport = transport;
        _watchdog = watchdog;
        watchdog.Register(this);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ExchangeResult> SendAsync(CompiledRequest request, VirtualUserVariables variables, ResponseCapture? capture)
    {
        var bytes = _transport.Encode(request, variables);
        long received = 0;
        long sent = 0;
        for (var attempt = 0; ; attempt++)
        {
            var reused = _socket is not null;
            var gotAnswer = false;
            Volatile.Write(ref _deadline, _transport.Time.GetTimestamp() + _watchdog.TimeoutTicks);
            Volatile.Write(ref _state, Busy);
            try
            {
                if (_socket is null)
                {
                    if (_transport.Aborted)
                    {
                        return Fail(ExchangeStatus.ConnectionError, sent, received);
                    }

                    var socket = new Socket(_transport.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    _socket = socket;
                    await socket.ConnectAsync(_transport.EndPoint);
                }

                var s = _socket;
                var written = 0;
                while (written < bytes.Length)
                {
                    var n = await s.SendAsync(bytes.AsMemory(written), SocketFlags.None);
                    written += n;
                    sent += n;
                }

                capture?.Clear();
                _parser.Reset(request.IsHead);
                var filled = 0;
                while (true)
                {
                    if (filled == _buffer.Length)
                    {
                        if (_buffer.Length >= Http1ResponseParser.MaxLineLength * 2)
                        {
                            return Fail(ExchangeStatus.ConnectionError, sent, received);
                        }

                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }

                    var read = await s.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0)
                    {
                        if (_parser.Finish() == ParseStatus.Done)
                        {
                            Close();
                            return Done(sent, received);
                        }

                        throw new SocketException((int)SocketError.ConnectionReset);
                    }

                    gotAnswer = true;
                    received += read;
                    filled += read;
                    var status = _parser.Parse(_buffer.AsSpan(0, filled), out var consumed, capture?.Body, capture?.Headers, variables.Cookies.Received);
                    if (status == ParseStatus.Done)
                    {
                        // Pipelining is off, so bytes after the response would be a server error; drop them.
                        if (!_parser.KeepAlive)
                        {
                            Close();
                        }

                        return Done(sent, received);
                    }

                    if (status == ParseStatus.Invalid)
                    {
                        return Fail(ExchangeStatus.ConnectionError, sent, received);
                    }

                    if (consumed > 0)
                    {
                        _buffer.AsSpan(consumed, filled - consumed).CopyTo(_buffer);
                        filled -= consumed;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                var timedOut = Interlocked.Exchange(ref _state, Idle) == TimedOut;
                Close();
                if (timedOut)
                {
                    return new ExchangeResult(ExchangeStatus.Timeout, 0, sent, received);
                }

                if (reused && !gotAnswer && attempt == 0 && !_transport.Aborted)
                {
                    continue;
                }

                return new ExchangeResult(ExchangeStatus.ConnectionError, 0, sent, received);
            }
        }
    }

    public async ValueTask WarmAsync(CompiledRequest? request, VirtualUserVariables variables)
    {
        if (request is not null)
        {
            _ = await SendAsync(request, variables, null);
            return;
        }

        if (_socket is not null || _transport.Aborted)
        {
            return;
        }

        // Connect only, under the watchdog's deadline like a request.
        Volatile.Write(ref _deadline, _transport.Time.GetTimestamp() + _watchdog.TimeoutTicks);
        Volatile.Write(ref _state, Busy);
        try
        {
            var socket = new Socket(_transport.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket = socket;
            await socket.ConnectAsync(_transport.EndPoint);
            Interlocked.Exchange(ref _state, Idle);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(ExchangeStatus.ConnectionError, 0, 0);
        }
    }

    /// <summary>Called by the watchdog: aborts the exchange when it is past its deadline.</summary>
    public void AbortIfPast(long now)
    {
        if (Volatile.Read(ref _state) == Busy && now > Volatile.Read(ref _deadline)
            && Interlocked.CompareExchange(ref _state, TimedOut, Busy) == Busy)
        {
            Abort();
        }
    }

    /// <summary>Closes the socket; a pending operation on it fails at once.</summary>
    public void Abort()
    {
        try
        {
            _socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _watchdog.Unregister(this);
        Close();
        return ValueTask.CompletedTask;
    }

    private ExchangeResult Done(long sent, long received)
    {
        if (Interlocked.Exchange(ref _state, Idle) == TimedOut)
        {
            // The watchdog fired as the answer completed; it closed the socket, so reconnect next time.
            _socket = null;
        }

        return new ExchangeResult(ExchangeStatus.Response, _parser.StatusCode, sent, received);
    }

    private ExchangeResult Fail(ExchangeStatus status, long sent, long received)
    {
        Interlocked.Exchange(ref _state, Idle);
        Close();
        return new ExchangeResult(status, 0, sent, received);
    }

    private void Close()
    {
        var s = _socket;
        _socket = null;
        s?.Dispose();
    }
}
