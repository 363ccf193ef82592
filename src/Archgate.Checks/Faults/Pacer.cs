namespace Archgate.Checks.Faults;

/// <summary>Holds a byte stream to a rate: after each slice written, waits until the rate allows what was sent.</summary>
internal sealed class Pacer(long bytesPerSecond, TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private long _sent;

    /// <summary>The largest write between two waits: a tenth of a second's worth, so a slow rate stays smooth.</summary>
    public int SliceBytes { get; } = (int)Math.Clamp(bytesPerSecond / 10, 1, 16 * 1024);

    public Task PaceAsync(int bytes, CancellationToken ct)
    {
        _sent += bytes;
        var due = TimeSpan.FromSeconds(_sent / (double)bytesPerSecond);
        var elapsed = time.GetElapsedTime(_start);
        return due > elapsed ? Task.Delay(due - elapsed, time, ct) : Task.CompletedTask;
    }
}
