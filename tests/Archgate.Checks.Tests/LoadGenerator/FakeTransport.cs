using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

/// <summary>A transport whose every request takes a fixed time on the given (fake) clock.</summary>
internal sealed class FakeTransport(TimeProvider time, TimeSpan latency, int status = 200) : ILoadTransport
{
    private int _inFlight;
    private int _connections;
    private int _warmed;

    public LoadTransport Kind => LoadTransport.RawHttp1;

    public TimeProvider Time { get; } = time;

    public TimeSpan Latency { get; } = latency;

    public int Status { get; } = status;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections warmed before the measured window.</summary>
    public int Warmed => Volatile.Read(ref _warmed);

    public List<(TimeSpan At, string Path)> Sent { get; } = [];

    public DateTimeOffset Origin { get; } = time.GetUtcNow();


    public ILoadConnection CreateConnection()
    {
        Interlocked.Increment(ref _connections);
        return new Connection(this);
    }

    public void AbortAll()
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Connection(FakeTransport owner) : ILoadConnection
    {
        public async ValueTask<ExchangeResult> SendAsync(CompiledRequest request, VirtualUserVariables variables, ResponseCapture? capture)
        {
            // Completed from the fake timer's callback without a thread-pool hop, so the virtual user
            // goes on inside FakeTimeProvider.Advance at exactly the fake time the answer is due. The
            // timer exists before the request counts as in flight: the test clock only moves on once
            // every expected request is in flight, and must not outrun a timer still being made.
            var answered = new TaskCompletionSource();
            using (owner.Time.CreateTimer(_ => answered.TrySetResult(), null, owner.Latency, Timeout.InfiniteTimeSpan))
            {
                lock (owner.Sent)
                {
                    owner.Sent.Add((owner.Time.GetUtcNow() - owner.Origin, request.RenderPath(variables)));
                }

                Interlocked.Increment(ref owner._inFlight);
                await answered.Task;
            }

            Interlocked.Decrement(ref owner._inFlight);
            if (capture is not null)
            {
                capture.Clear();
                capture.Headers.Add(new("X-Token", "t-" + variables.Get("vu")));
            }

            return new ExchangeResult(ExchangeStatus.Response, owner.Status, 10, 20);
        }

        public ValueTask WarmAsync(CompiledRequest? request, VirtualUserVariables variables)
        {
            Interlocked.Increment(ref owner._warmed);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
