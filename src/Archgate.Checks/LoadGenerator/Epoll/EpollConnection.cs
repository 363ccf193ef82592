using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using static Archgate.Checks.LoadGenerator.Epoll.Libc;

namespace Archgate.Checks.LoadGenerator.Epoll;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the lean client on Linux, driven by an <see cref="EpollLoop"/>
/// instead of .NET's socket engine: a request is written with one <c>send</c>, the answer is read when
/// epoll says it arrived (no speculative <c>recv</c> first), and the exchange completes on the loop's thread
/// through a reusable <see cref="IValueTaskSource{TResult}"/> (nothing allocated per request). Behaves as
/// <see cref="Http1Connection"/> does: reconnects after the server closes, retries once a request that found
/// a reused connection closed before any byte of the answer, and times out under the watchdog.
/// </summary>
internal sealed class EpollConnection : ILoadConnection, IWatchedConnection, IValueTaskSource<ExchangeResult>
{
    private const int Idle = 0;
    private const int Busy = 1;
    private const int TimedOut = 2;
    private const int InitialBufferSize = 4096;

    private readonly RawHttpTransport _transport;
    private readonly TimeoutWatchdog _watchdog;
    private readonly EpollLoop _loop;
    private readonly nint _self;
    private readonly Http1ResponseParser _parser = new();
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<ExchangeResult> _core;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _filled;
    private int _fd = -1;
    private Phase _phase;
    private byte[] _request = [];
    private int _written;
    private bool _connectOnly;
    private ResponseCapture? _capture;
    private List<string>? _setCookies;
    private bool _head;
    private bool _reused;
    private bool _gotAnswer;
    private int _attempt;
    private long _sent;
    private long _received;
    private long _deadline;
    private int _state;

    public EpollConnection(RawHttpTransport transport, TimeoutWatchdog watchdog, EpollLoop loop)
    {
        _transport = transport;
        _watchdog = watchdog;
        _loop = loop;
        _self = GCHandle.ToIntPtr(transport.Pin(this));
        watchdog.Register(this);
    }

    private enum Phase
    {
        Idle,
        Connecting,
        Sending,
        Receiving,
    }

    public ValueTask<ExchangeResult> SendAsync(CompiledRequest request, VirtualUserVariables variables, ResponseCapture? capture)
    {
        var bytes = _transport.Encode(request, variables);
        return Begin(bytes, request.IsHead, capture, variables.Cookies.Received, connectOnly: false);
    }

    public async ValueTask WarmAsync(CompiledRequest? request, VirtualUserVariables variables)
    {
        if (request is not null)
        {
            _ = await SendAsync(request, variables, null);
        }
        else if (Volatile.Read(ref _fd) < 0 && !_transport.Aborted)
        {
            _ = await Begin([], head: false, capture: null, setCookies: null, connectOnly: true);
        }
    }

    /// <summary>Called by the watchdog: aborts the exchange when it is past its deadline.</summary>
    public void AbortIfPast(long now)
    {
        if (Volatile.Read(ref _state) == Busy && now > Volatile.Read(ref _deadline)
            && Interlocked.CompareExchange(ref _state, TimedOut, Busy) == Busy)
        {
            _loop.PostAbort(this);
        }
    }

    /// <summary>Ends the exchange in flight (on the loop's thread); the transport is aborting or it timed out.</summary>
    public void Abort() => _loop.PostAbort(this);

    public ValueTask DisposeAsync()
    {
        _watchdog.Unregister(this);
        lock (_lock)
        {
            CloseSocket();
        }

        return ValueTask.CompletedTask;
    }

    ExchangeResult IValueTaskSource<ExchangeResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ExchangeResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ExchangeResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>The loop saw readiness on this connection's socket.</summary>
    internal void OnEvents(uint events)
    {
        ExchangeResult? result;
        lock (_lock)
        {
            try
            {
                result = _fd < 0 ? null : _phase switch
                {
                    Phase.Idle => WatchIdle(events),
                    Phase.Connecting => (events & (EpollOut | EpollErr | EpollHup)) != 0 ? Connected(events) : null,
                    Phase.Sending => (events & (EpollOut | EpollErr | EpollHup)) != 0 ? SendRest() : null,
                    _ => (events & (EpollIn | EpollRdHup | EpollErr | EpollHup)) != 0 ? ReceiveAvailable() : null,
                };
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                CloseSocket();
                result = _phase == Phase.Idle ? null : Complete(ExchangeStatus.ConnectionError, 0);
            }
        }

        if (result is { } r)
        {
            _core.SetResult(r);
        }
    }

    /// <summary>A posted abort: ends the exchange in flight when it timed out or the transport is aborting.</summary>
    internal void OnAbort()
    {
        ExchangeResult? result = null;
        lock (_lock)
        {
            var timedOut = Volatile.Read(ref _state) == TimedOut;
            if (timedOut || _transport.Aborted)
            {
                CloseSocket();
                if (_phase != Phase.Idle)
                {
                    result = Complete(timedOut ? ExchangeStatus.Timeout : ExchangeStatus.ConnectionError, 0);
                }
            }
        }

        if (result is { } r)
        {
            _core.SetResult(r);
        }
    }

    private ValueTask<ExchangeResult> Begin(byte[] bytes, bool head, ResponseCapture? capture, List<string>? setCookies, bool connectOnly)
    {
        _core.Reset();
        var version = _core.Version;
        ExchangeResult? result;
        lock (_lock)
        {
            _request = bytes;
            _head = head;
            _capture = capture;
            _setCookies = setCookies;
            _connectOnly = connectOnly;
            _sent = 0;
            _received = 0;
            _attempt = 0;
            Volatile.Write(ref _deadline, _transport.Time.GetTimestamp() + _watchdog.TimeoutTicks);
            Volatile.Write(ref _state, Busy);
            result = Start();
        }

        return result is { } done ? new ValueTask<ExchangeResult>(done) : new ValueTask<ExchangeResult>(this, version);
    }

    /// <summary>Connects if needed and sends; a result when the exchange ended at once, null when it waits for the loop.</summary>
    private ExchangeResult? Start()
    {
        _written = 0;
        _gotAnswer = false;
        _reused = _fd >= 0;
        if (_fd < 0)
        {
            if (_transport.Aborted)
            {
                return Complete(ExchangeStatus.ConnectionError, 0);
            }

            if (!OpenSocket())
            {
                return Complete(ExchangeStatus.ConnectionError, 0);
            }

            if (_phase == Phase.Connecting)
            {
                return null;
            }
        }

        return SendRest();
    }

    private unsafe bool OpenSocket()
    {
        var address = _transport.NativeAddress;
        var fd = Socket(address.Length == 16 ? AfInet : AfInet6, SockStream | SockNonBlock | SockCloExec, 0);
        if (fd < 0)
        {
            return false;
        }

        var one = 1;
        _ = SetSockOpt(fd, IpProtoTcp, TcpNoDelay, &one, sizeof(int));
        int rc;
        fixed (byte* a = address)
        {
            rc = Connect(fd, a, (uint)address.Length);
        }

        var errno = rc == 0 ? 0 : Marshal.GetLastPInvokeError();
        if (rc != 0 && errno != EInProgress)
        {
            _ = Close(fd);
            return false;
        }

        if (_loop.Add(fd, _self) != 0)
        {
            _ = Close(fd);
            return false;
        }

        _fd = fd;
        _phase = rc == 0 ? Phase.Sending : Phase.Connecting;
        return true;
    }

    private unsafe ExchangeResult? Connected(uint events)
    {
        var error = 0;
        var length = (uint)sizeof(int);
        if (GetSockOpt(_fd, SolSocket, SoError, &error, &length) != 0 || error != 0 || (events & (EpollErr | EpollHup)) != 0)
        {
            CloseSocket();
            return Complete(Volatile.Read(ref _state) == TimedOut ? ExchangeStatus.Timeout : ExchangeStatus.ConnectionError, 0);
        }

        _phase = Phase.Sending;
        return SendRest();
    }

    private unsafe ExchangeResult? SendRest()
    {
        if (_connectOnly)
        {
            return Complete(ExchangeStatus.Response, 0);
        }

        if (_written == 0)
        {
            _capture?.Clear();
            _parser.Reset(_head);
            _filled = 0;
        }

        _phase = Phase.Sending;
        while (_written < _request.Length)
        {
            nint n;
            fixed (byte* p = _request)
            {
                n = Send(_fd, p + _written, (nuint)(_request.Length - _written), MsgNoSignal);
            }

            if (n > 0)
            {
                _written += (int)n;
                _sent += n;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EAgain)
            {
                return null;
            }

            if (errno != EIntr)
            {
                return Broken();
            }
        }

        _phase = Phase.Receiving;
        return null;
    }

    private unsafe ExchangeResult? ReceiveAvailable()
    {
        while (true)
        {
            if (_filled == _buffer.Length)
            {
                if (_buffer.Length >= Http1ResponseParser.MaxLineLength * 2)
                {
                    CloseSocket();
                    return Complete(ExchangeStatus.ConnectionError, 0);
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            nint n;
            fixed (byte* p = _buffer)
            {
                n = Recv(_fd, p + _filled, (nuint)(_buffer.Length - _filled), 0);
            }

            if (n > 0)
            {
                _gotAnswer = true;
                _received += n;
                _filled += (int)n;
                var status = _parser.Parse(_buffer.AsSpan(0, _filled), out var consumed, _capture?.Body, _capture?.Headers, _setCookies);
                if (status == ParseStatus.Done)
                {
                    // Pipelining is off, so bytes after the response would be a server error; drop them.
                    if (!_parser.KeepAlive)
                    {
                        CloseSocket();
                    }

                    return Complete(ExchangeStatus.Response, _parser.StatusCode);
                }

                if (status == ParseStatus.Invalid)
                {
                    CloseSocket();
                    return Complete(ExchangeStatus.ConnectionError, 0);
                }

                if (consumed > 0)
                {
                    _buffer.AsSpan(consumed, _filled - consumed).CopyTo(_buffer);
                    _filled -= consumed;
                }

                continue;
            }

            if (n == 0)
            {
                if (_parser.Finish() == ParseStatus.Done)
                {
                    CloseSocket();
                    return Complete(ExchangeStatus.Response, _parser.StatusCode);
                }

                return Broken();
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EAgain)
            {
                return null;
            }

            if (errno != EIntr)
            {
                return Broken();
            }
        }
    }

    /// <summary>Between exchanges: the server closed the connection (or sent what nobody asked for), so drop it.</summary>
    private unsafe ExchangeResult? WatchIdle(uint events)
    {
        if ((events & (EpollIn | EpollRdHup | EpollErr | EpollHup)) == 0)
        {
            return null;
        }

        // Closed (0), an error, or bytes nobody asked for: the connection cannot carry the next request.
        byte probe;
        var n = Recv(_fd, &probe, 1, 0);
        if (n >= 0 || Marshal.GetLastPInvokeError() != EAgain)
        {
            CloseSocket();
        }

        return null;
    }

    /// <summary>The connection broke during the exchange: retry once on a fresh one when that is safe, else fail.</summary>
    private ExchangeResult? Broken()
    {
        CloseSocket();
        if (Volatile.Read(ref _state) == TimedOut)
        {
            return Complete(ExchangeStatus.Timeout, 0);
        }

        if (_reused && !_gotAnswer && _attempt == 0 && !_transport.Aborted)
        {
            _attempt++;
            return Start();
        }

        return Complete(ExchangeStatus.ConnectionError, 0);
    }

    private ExchangeResult Complete(ExchangeStatus status, int statusCode)
    {
        if (Interlocked.Exchange(ref _state, Idle) == TimedOut && status == ExchangeStatus.Response)
        {
            // The watchdog fired as the answer completed: its abort will find nothing to end, so start afresh next time.
            CloseSocket();
        }

        _phase = Phase.Idle;
        return new ExchangeResult(status, statusCode, _sent, _received);
    }

    private void CloseSocket()
    {
        if (_fd >= 0)
        {
            _ = Close(_fd);
            _fd = -1;
        }
    }
}
