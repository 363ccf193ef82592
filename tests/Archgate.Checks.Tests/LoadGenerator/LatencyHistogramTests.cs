using Archgate.Checks.LoadGenerator;
using HdrHistogram;

namespace Archgate.Checks.Tests.LoadGenerator;

public class LatencyHistogramTests
{
    [Fact]
    public void Merging_two_halves_equals_one_histogram_of_everything()
    {
        var random = new Random(42);
        var values = Enumerable.Range(0, 10_000).Select(_ => (long)random.Next(50, 2_000_000)).ToArray();
        var whole = Histogram(values);
        var first = Histogram(values[..5_000]);
        var second = Histogram(values[5_000..]);

        var merged = LatencyHistogram.Merge(first, second);

        Assert.True(merged.HasSameCounts(whole));
        Assert.Equal(whole.PercentileMilliseconds(99), merged.PercentileMilliseconds(99));
        Assert.Equal(whole.MaxMilliseconds, merged.MaxMilliseconds);
    }

    [Fact]
    public void Halves_sent_compressed_from_two_agents_merge_losslessly()
    {
        var values = Enumerable.Range(1, 4_000).Select(i => (long)i * 250).ToArray();
        var whole = Histogram(values);

        var fromAgentA = LatencyHistogram.Decode(Histogram(values[..2_000]).Encode());
        var fromAgentB = LatencyHistogram.Decode(Histogram(values[2_000..]).Encode());

        Assert.True(LatencyHistogram.Merge([fromAgentA, fromAgentB]).HasSameCounts(whole));
    }

    [Fact]
    public void Decoding_bytes_that_are_not_a_histogram_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => LatencyHistogram.Decode([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    }

    [Fact]
    public void Percentiles_are_reported_in_milliseconds()
    {
        var h = Histogram(Enumerable.Repeat(20_000L, 100).ToArray());

        Assert.Equal(20, h.PercentileMilliseconds(95), 1);
        Assert.Equal(100, h.Count);
    }

    internal static LatencyHistogram Histogram(long[] micros)
    {
        var h = LatencyHistogram.NewRecorder();
        foreach (var v in micros)
        {
            h.RecordValue(v);
        }

        return new LatencyHistogram(h);
    }
}
