using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static Archgate.Checks.LoadGenerator.Epoll.Libc;

namespace Archgate.Checks.LoadGenerator.Epoll;

/// <summary>
/// One I/O thread of the epoll client: waits on its epoll set and hands each socket's readiness to its
/// <see cref="EpollConnection"/>, which completes the exchange on this thread, so the virtual user's next
/// request is sent from here too (as wrk's threads do). Aborts posted by other threads (timeouts, the
/// hard stop) run here as well, so a connection's socket is only ever touched under its own lock.
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int MaxEvents = 256;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<EpollConnection> _aborts = new();
    private volatile bool _stopping;

    public EpollLoop(int index)
    {
        _epoll = EpollCreate1(EpollCloExec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _wake = EventFd(0, EfdCloExec | EfdNonBlock);
        if (_wake < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Close(_epoll);
            throw new IOException($"eventfd failed (errno {errno})");
        }

        var ev = new EpollEvent { Events = EpollIn, Data = 0 };
        _ = EpollCtl(_epoll, EpollCtlAdd, _wake, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = $"archgate-load-io-{index}" };
        _thread.Start();
    }

    /// <summary>Whether this machine can run the epoll client (Linux on x86-64, whose <c>epoll_event</c> layout this code knows).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Watches <paramref name="fd"/> for readability, writability and hang-up, edge-triggered.</summary>
    /// <returns>0, or the errno of a failed <c>epoll_ctl</c>.</returns>
    public int Add(int fd, nint connection)
    {
        var ev = new EpollEvent { Events = EpollIn | EpollOut | EpollRdHup | EpollEt, Data = (ulong)connection };
        return EpollCtl(_epoll, EpollCtlAdd, fd, &ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Runs <see cref="EpollConnection.OnAbort"/> on this loop's thread.</summary>
    public void PostAbort(EpollConnection connection)
    {
        _aborts.Enqueue(connection);
        Wake();
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _ = Close(_wake);
        _ = Close(_epoll);
    }

    private void Wake()
    {
        ulong one = 1;
        _ = Write(_wake, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        var events = stackalloc EpollEvent[MaxEvents];
        while (!_stopping)
        {
            var n = EpollWait(_epoll, events, MaxEvents, -1);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }

                break;
            }

            for (var i = 0; i < n; i++)
            {
                var data = (nint)events[i].Data;
                if (data == 0)
                {
                    ulong drained;
                    _ = Read(_wake, (byte*)&drained, sizeof(ulong));
                    while (_aborts.TryDequeue(out var aborted))
                    {
                        aborted.OnAbort();
                    }

                    continue;
                }

                if (GCHandle.FromIntPtr(data).Target is EpollConnection connection)
                {
                    connection.OnEvents(events[i].Events);
                }
            }
        }

        // Stopping: settle whatever was posted last, so no exchange is left waiting.
        while (_aborts.TryDequeue(out var aborted))
        {
            aborted.OnAbort();
        }
    }
}
