namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// The stages laid on a time axis: which stage runs at an offset from the start and what its target is
/// then (linear during a stage's ramp, flat after). Pure, so schedules can be tested without a clock.
/// </summary>
internal sealed class StageTimeline
{
    private readonly LoadStage[] _stages;
    private readonly TimeSpan[] _starts;

    public StageTimeline(IReadOnlyList<LoadStage> stages)
    {
        _stages = [.. stages];
        _starts = new TimeSpan[_stages.Length];
        var t = TimeSpan.Zero;
        for (var i = 0; i < _stages.Length; i++)
        {
            _starts[i] = t;
            t += _stages[i].Duration;
        }

        Total = t;
    }

    public TimeSpan Total { get; }

    public int Count => _stages.Length;

    public LoadStage this[int index] => _stages[index];

    public TimeSpan StartOf(int index) => _starts[index];

    public TimeSpan EndOf(int index) => _starts[index] + _stages[index].Duration;

    /// <summary>Index of the stage running at <paramref name="offset"/>; the last stage for offsets at or past the end.</summary>
    public int StageAt(TimeSpan offset)
    {
        for (var i = 0; i < _stages.Length - 1; i++)
        {
            if (offset < _starts[i + 1])
            {
                return i;
            }
        }

        return _stages.Length - 1;
    }

    /// <summary>The target (users or rate) at <paramref name="offset"/>; 0 past the end.</summary>
    public double TargetAt(TimeSpan offset)
    {
        if (offset < TimeSpan.Zero || offset >= Total)
        {
            return 0;
        }

        var i = StageAt(offset);
        var stage = _stages[i];
        var into = offset - _starts[i];
        if (into >= stage.RampUp)
        {
            return stage.Target;
        }

        var from = i == 0 ? 0 : _stages[i - 1].Target;
        return from + ((stage.Target - from) * (into / stage.RampUp));
    }

    /// <summary>
    /// The next offset after <paramref name="offset"/> at which the target may change: the next ramp tick
    /// (every <paramref name="rampTick"/> while ramping) or the next ramp or stage boundary.
    /// </summary>
    public TimeSpan NextChange(TimeSpan offset, TimeSpan rampTick)
    {
        if (offset >= Total)
        {
            return Total;
        }

        var i = StageAt(offset);
        var into = offset - _starts[i];
        var stage = _stages[i];
        if (into < stage.RampUp)
        {
            var rampEnd = _starts[i] + stage.RampUp;
            var tick = offset + rampTick;
            return tick < rampEnd ? tick : rampEnd;
        }

        return EndOf(i);
    }

    /// <summary>Piecewise-linear segments of the target over time, for the arrival schedule.</summary>
    public IEnumerable<(TimeSpan Start, TimeSpan Length, double From, double To)> Segments()
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            var s = _stages[i];
            var from = i == 0 ? 0 : _stages[i - 1].Target;
            if (s.RampUp > TimeSpan.Zero)
            {
                yield return (_starts[i], s.RampUp, from, s.Target);
            }

            if (s.Duration > s.RampUp)
            {
                yield return (_starts[i] + s.RampUp, s.Duration - s.RampUp, s.Target, s.Target);
            }
        }
    }
}
