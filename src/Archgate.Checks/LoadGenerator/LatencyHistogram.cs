using HdrHistogram;
using HdrHistogram.Utilities;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// A latency distribution in microseconds (HDR histogram, 3 significant digits, up to one hour).
/// Read-only once published; mergeable and encodable with HdrHistogram's compressed encoding so that
/// histograms from other processes (load agents) merge losslessly.
/// </summary>
public sealed class LatencyHistogram
{
    internal const long HighestTrackableMicros = 3_600_000_000;
    internal const int SignificantDigits = 3;

    private readonly LongHistogram _histogram;

    internal LatencyHistogram(LongHistogram histogram) => _histogram = histogram;

    /// <summary>An empty histogram.</summary>
    public static LatencyHistogram Empty { get; } = new(NewRecorder());

    /// <summary>Number of recorded values.</summary>
    public long Count => _histogram.TotalCount;

    /// <summary>Largest recorded latency in milliseconds (0 when empty).</summary>
    public double MaxMilliseconds => Count == 0 ? 0 : _histogram.GetMaxValue() / 1000.0;

    /// <summary>Mean latency in milliseconds (0 when empty).</summary>
    public double MeanMilliseconds => Count == 0 ? 0 : _histogram.GetMean() / 1000.0;

    /// <summary>The latency at <paramref name="percentile"/> (0-100) in milliseconds (0 when empty).</summary>
    public double PercentileMilliseconds(double percentile) =>
        Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>A histogram with the counts of both.</summary>
    public static LatencyHistogram Merge(LatencyHistogram left, LatencyHistogram right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var sum = NewRecorder();
        sum.Add(left._histogram);
        sum.Add(right._histogram);
        return new LatencyHistogram(sum);
    }

    /// <summary>A histogram with the counts of all of <paramref name="histograms"/>.</summary>
    public static LatencyHistogram Merge(IEnumerable<LatencyHistogram> histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        var sum = NewRecorder();
        foreach (var h in histograms)
        {
            sum.Add(h._histogram);
        }

        return new LatencyHistogram(sum);
    }

    /// <summary>HdrHistogram's compressed encoding (V2 cookie, deflate), readable by every HdrHistogram port.</summary>
    public byte[] Encode()
    {
        var buffer = ByteBuffer.Allocate(_histogram.GetNeededByteBufferCapacity());
        var length = _histogram.EncodeIntoCompressedByteBuffer(buffer);
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return bytes;
    }

    /// <summary>Reads a histogram written by <see cref="Encode"/> (or any HdrHistogram compressed encoding).</summary>
    /// <exception cref="FormatException">The bytes are not a compressed HDR histogram.</exception>
    public static LatencyHistogram Decode(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try
        {
            var decoded = HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(encoded), 0);
            var histogram = NewRecorder();
            histogram.Add(decoded);
            return new LatencyHistogram(histogram);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or IOException or NotSupportedException)
        {
            throw new FormatException("not a compressed HDR histogram: " + e.Message, e);
        }
    }

    /// <summary>Counts per value: equal when both histograms hold the same recorded values.</summary>
    public bool HasSameCounts(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count != Count)
        {
            return false;
        }

        return _histogram.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo))
            .SequenceEqual(other._histogram.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)));
    }

    internal static LongHistogram NewRecorder() => new(HighestTrackableMicros, SignificantDigits);

    internal LongHistogram CopyOfCounts() => (LongHistogram)_histogram.Copy();
}
